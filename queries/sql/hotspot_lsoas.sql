-- The LSOA21 units of an area for hotspots: the LSOAs its boundary takes in (area_share > 0:
-- a PCN's registrations reach LSOAs outside its polygon, which are not its units), their
-- domain score, population and the share of it inside the area.
SELECT w.lsoa_id AS unit_id, a.code, a.name, s.population,
       CASE :domain
         WHEN 'imd' THEN s.imd_score WHEN 'income' THEN s.income_score
         WHEN 'employment' THEN s.employment_score WHEN 'education' THEN s.education_score
         WHEN 'health' THEN s.health_score WHEN 'crime' THEN s.crime_score
         WHEN 'housing' THEN s.housing_score WHEN 'environment' THEN s.environment_score
       END AS value,
       w.pop_share AS share_in_area
FROM area_lsoa w JOIN lsoa_stats s ON s.lsoa_id = w.lsoa_id JOIN area a ON a.id = w.lsoa_id
WHERE w.area_id = :id AND w.area_share > 0
ORDER BY w.lsoa_id
