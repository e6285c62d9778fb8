-- Every (other area B of a kind, LSOA21) pair that area A shares, with both
-- areas' shares of the LSOA (the input of geo.overlap.overlap_rows) and B's own
-- attributes, so one round trip answers. Ordered, so that the floating-point sums
-- come out the same every time.
SELECT wb.area_id AS b_id, wa.lsoa_id, l.area_m2 AS lsoa_area,
       wa.area_share AS a_as, wa.pop_share AS a_ps, wa.population AS a_pop,
       wb.area_share AS b_as, wb.pop_share AS b_ps,
       b.area_m2 AS b_area, b.weight_basis AS b_basis,
       b.code, b.name, b.kind, b.programme
FROM area_lsoa wa
JOIN area_lsoa wb ON wb.lsoa_id = wa.lsoa_id AND wb.kind = :kind AND wb.area_id <> wa.area_id
JOIN area l ON l.id = wa.lsoa_id
JOIN area b ON b.id = wb.area_id
WHERE wa.area_id = :area_id
ORDER BY wb.area_id, wa.lsoa_id
