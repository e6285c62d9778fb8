-- Where each unit (an LSOA21 or MSOA21, by area id) lies: for each kind asked, the area of
-- that kind holding the largest share of the unit's residents, and that share (1 for an
-- LSOA in a footprint made of whole LSOAs).
SELECT DISTINCT ON (uw.area_id, f.kind)
       uw.area_id AS unit_id, f.kind, f.code, f.name,
       sum(uw.population * fw.pop_share ORDER BY uw.lsoa_id) / nullif(max(u.population), 0)
         AS share
FROM area_lsoa uw
JOIN area u ON u.id = uw.area_id
JOIN area_lsoa fw ON fw.lsoa_id = uw.lsoa_id AND fw.kind = ANY(CAST(:kinds AS text[]))
                 AND fw.area_id <> uw.area_id
JOIN area f ON f.id = fw.area_id
WHERE uw.area_id = ANY(CAST(:ids AS bigint[]))
GROUP BY uw.area_id, f.kind, f.id
ORDER BY uw.area_id, f.kind, share DESC, f.code
