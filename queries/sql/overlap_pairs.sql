-- Every (other area B of a kind, LSOA21) pair that area A shares, with both areas'
-- shares of the LSOA and B's population there: the input of geo.overlap.overlap_rows
-- without the LSOA's area, which, like B's name and code, comes from queries.directory. Only area_lsoa is read
-- (its (lsoa_id, kind) index carries B's shares). Ordered, so that the floating-point
-- sums come out the same every time.
SELECT wb.area_id AS b_id, wa.lsoa_id,
       wa.area_share AS a_as, wa.pop_share AS a_ps, wa.population AS a_pop,
       wb.area_share AS b_as, wb.pop_share AS b_ps, wb.population AS b_pop
FROM area_lsoa wa
JOIN area_lsoa wb ON wb.lsoa_id = wa.lsoa_id AND wb.kind = :kind AND wb.area_id <> wa.area_id
WHERE wa.area_id = :area_id
ORDER BY wb.area_id, wa.lsoa_id
