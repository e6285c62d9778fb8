-- Where each LSOA21 (by area id) lies: the areas of the kinds asked (PCNs too) that hold
-- some of its residents, and their share of them (an area's pop_share of the LSOA). One
-- scan of the (lsoa_id, kind) index; queries.places names them.
SELECT lsoa_id AS unit_id, kind, area_id AS place_id, pop_share AS share
FROM area_lsoa
WHERE lsoa_id = ANY(CAST(:ids AS bigint[])) AND kind = ANY(CAST(:kinds AS text[]))
  AND area_id <> lsoa_id
ORDER BY lsoa_id, kind, area_id
