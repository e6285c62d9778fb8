-- The series of an area's LSOA21s with the area's share of each LSOA's people, and the
-- LSOA's Census 2021 residents (the weight of rank series).
SELECT w.lsoa_id, w.pop_share, s.population, x.*
FROM area_lsoa w
JOIN lsoa_series x ON x.lsoa_id = w.lsoa_id
JOIN lsoa_stats s ON s.lsoa_id = w.lsoa_id
WHERE w.area_id = :id
ORDER BY w.lsoa_id
