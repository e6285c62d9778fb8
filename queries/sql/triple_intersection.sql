-- Area of A ∩ B ∩ L for LSOAs that both A and B cut (the only overlaps that
-- need geometry).
SELECT p.b_id, p.lsoa_id,
       ST_Area(ST_Intersection(ST_Intersection(a.geom, b.geom), l.geom)) AS area
FROM unnest(CAST(:b_ids AS bigint[]), CAST(:lsoa_ids AS bigint[])) AS p(b_id, lsoa_id)
JOIN area a ON a.id = :area_id
JOIN area b ON b.id = p.b_id
JOIN area l ON l.id = p.lsoa_id
