-- Candidate comparator areas in a population band: footprints of the given kinds with
-- their domains' average scores, and LSOA21s (their own scores) when asked for.
SELECT a.id, a.kind, a.code, a.name, a.population,
       {{by_domain(m.average_score)}}
FROM area a
JOIN area_measure m ON m.area_id = a.id
WHERE a.kind = ANY(CAST(:kinds AS text[])) AND a.kind <> 'lsoa21'
  AND a.population BETWEEN :lo AND :hi
GROUP BY a.id
UNION ALL
SELECT s.lsoa_id, 'lsoa21', s.code, l.name, s.population,
       {{s.domain_scores}}
FROM lsoa_stats s
JOIN area l ON l.id = s.lsoa_id
WHERE 'lsoa21' = ANY(CAST(:kinds AS text[])) AND s.population BETWEEN :lo AND :hi
