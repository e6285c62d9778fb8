-- overlap_pairs.sql for B = LSOA21s: every LSOA is whole in itself (its own
-- weights are area and population share 1), so the pairs are A's own weights and
-- B is the LSOA: one join instead of three.
SELECT wa.lsoa_id AS b_id, wa.lsoa_id, l.area_m2 AS lsoa_area,
       wa.area_share AS a_as, wa.pop_share AS a_ps, wa.population AS a_pop,
       1.0::float8 AS b_as, 1.0::float8 AS b_ps,
       l.area_m2 AS b_area, l.weight_basis AS b_basis,
       l.code, l.name, l.kind, l.programme
FROM area_lsoa wa
JOIN area l ON l.id = wa.lsoa_id
WHERE wa.area_id = :area_id AND wa.lsoa_id <> :area_id
ORDER BY wa.lsoa_id
