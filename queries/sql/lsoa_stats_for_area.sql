-- The weights of one area and the LSOA statistics they aggregate.
SELECT w.area_id, w.lsoa_id, w.pop_share, w.population AS weight, s.*
FROM area_lsoa w JOIN lsoa_stats s ON s.lsoa_id = w.lsoa_id
WHERE w.area_id = :id
ORDER BY w.lsoa_id
