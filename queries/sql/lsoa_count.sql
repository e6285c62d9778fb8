-- Whether LSOA statistics are loaded (1) or not (0).
SELECT count(*) FROM (SELECT 1 FROM lsoa_stats LIMIT 1) s
