-- The standard deviation of each IoD 2025 score over England's LSOA21s (comparator scales).
SELECT stddev_pop(imd_score) AS imd, stddev_pop(income_score) AS income,
       stddev_pop(employment_score) AS employment, stddev_pop(education_score) AS education,
       stddev_pop(health_score) AS health, stddev_pop(crime_score) AS crime,
       stddev_pop(housing_score) AS housing, stddev_pop(environment_score) AS environment
FROM lsoa_stats
