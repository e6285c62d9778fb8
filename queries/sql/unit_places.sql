-- Where each unit (an MSOA21, or any area of whole LSOAs, by area id) lies: for each area
-- of the kinds asked (PCNs too) that shares LSOAs with it, the unit's residents in it (the
-- unit's LSOA populations times that area's population share of each LSOA).
-- queries.places keeps, per kind, the area holding most of them and names it. The units'
-- LSOAs first, then the areas on those LSOAs: two index scans, only area_lsoa read.
WITH uw AS MATERIALIZED (
    SELECT area_id, lsoa_id, population FROM area_lsoa
    WHERE area_id = ANY(CAST(:ids AS bigint[]))
), fw AS MATERIALIZED (
    SELECT lsoa_id, kind, area_id, pop_share FROM area_lsoa
    WHERE lsoa_id = ANY(ARRAY(SELECT DISTINCT lsoa_id FROM uw))
      AND kind = ANY(CAST(:kinds AS text[]))
)
SELECT uw.area_id AS unit_id, fw.kind, fw.area_id AS place_id,
       sum(uw.population * fw.pop_share ORDER BY uw.lsoa_id) AS residents
FROM uw JOIN fw ON fw.lsoa_id = uw.lsoa_id AND fw.area_id <> uw.area_id
GROUP BY uw.area_id, fw.kind, fw.area_id
ORDER BY uw.area_id, fw.kind, fw.area_id
