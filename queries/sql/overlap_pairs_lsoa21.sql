-- overlap_pairs.sql for B = LSOA21s: every LSOA is whole in itself (its own weights
-- are area and population share 1), so the pairs are A's own weights and B is the LSOA.
SELECT wa.lsoa_id AS b_id, wa.lsoa_id,
       wa.area_share AS a_as, wa.pop_share AS a_ps, wa.population AS a_pop,
       1.0::float8 AS b_as, 1.0::float8 AS b_ps
FROM area_lsoa wa
WHERE wa.area_id = :area_id AND wa.lsoa_id <> :area_id
ORDER BY wa.lsoa_id
