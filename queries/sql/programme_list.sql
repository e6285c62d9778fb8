-- Every programme: how many areas, people and km², where it came from.
SELECT a.programme AS name, count(*) AS areas, sum(a.population ORDER BY a.code) AS population,
       sum(a.area_m2 ORDER BY a.code) AS area_m2, min(a.population_basis) AS population_basis,
       min(a.vintage) AS vintage, min(a.properties->>'source_file') AS source_file,
       min(a.properties->>'format') AS format, max(a.created_at) AS loaded_at
FROM area a
WHERE a.kind = 'programme'
GROUP BY a.programme
ORDER BY a.programme
