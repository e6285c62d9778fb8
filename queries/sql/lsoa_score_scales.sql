-- The standard deviation of each IoD 2025 score over England's LSOA21s (comparator scales).
SELECT {{per_domain(stddev_pop)}}
FROM lsoa_stats
