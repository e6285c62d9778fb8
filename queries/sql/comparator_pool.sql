-- Candidate comparator areas in a population band: footprints of the given kinds with
-- their domains' average scores, and LSOA21s (their own scores) when asked for.
SELECT a.id, a.kind, a.code, a.name, a.population,
       max(m.average_score) FILTER (WHERE m.domain = 'imd') AS imd,
       max(m.average_score) FILTER (WHERE m.domain = 'income') AS income,
       max(m.average_score) FILTER (WHERE m.domain = 'employment') AS employment,
       max(m.average_score) FILTER (WHERE m.domain = 'education') AS education,
       max(m.average_score) FILTER (WHERE m.domain = 'health') AS health,
       max(m.average_score) FILTER (WHERE m.domain = 'crime') AS crime,
       max(m.average_score) FILTER (WHERE m.domain = 'housing') AS housing,
       max(m.average_score) FILTER (WHERE m.domain = 'environment') AS environment
FROM area a
JOIN area_measure m ON m.area_id = a.id
WHERE a.kind = ANY(CAST(:kinds AS text[])) AND a.kind <> 'lsoa21'
  AND a.population BETWEEN :lo AND :hi
GROUP BY a.id
UNION ALL
SELECT s.lsoa_id, 'lsoa21', s.code, l.name, s.population,
       s.imd_score, s.income_score, s.employment_score, s.education_score, s.health_score,
       s.crime_score, s.housing_score, s.environment_score
FROM lsoa_stats s
JOIN area l ON l.id = s.lsoa_id
WHERE 'lsoa21' = ANY(CAST(:kinds AS text[])) AND s.population BETWEEN :lo AND :hi
