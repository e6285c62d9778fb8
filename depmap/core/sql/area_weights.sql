-- LSOA21 weights of areas drawn as polygons (custom areas, programme areas from
-- boundary files): the share of each LSOA's area inside the area, and its
-- population apportioned by that share (area-weighted inside a cut LSOA).
-- Shares below 1e-6 are boundary noise between polygons that share edges.
INSERT INTO area_lsoa (area_id, lsoa_id, kind, area_share, pop_share, population)
SELECT a.id, l.id, a.kind, s.share, s.share, s.share * l.population
FROM area a
JOIN area l ON l.kind = 'lsoa21' AND l.geom && a.geom AND ST_Intersects(l.geom, a.geom)
CROSS JOIN LATERAL (
    SELECT least(1.0,
                 CASE WHEN ST_Covers(a.geom, l.geom) THEN 1.0
                      ELSE ST_Area(ST_Intersection(l.geom, a.geom)) / nullif(l.area_m2, 0)
                 END) AS share
) s
WHERE a.id = ANY(:ids) AND s.share > 1e-6
