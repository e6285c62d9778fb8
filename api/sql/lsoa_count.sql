SELECT count(*) FROM lsoa_stats
