-- The MSOA21 units an area overlaps, with their measures for a domain (value: the average
-- score, which Gi* tests) and the share of their residents inside the area.
SELECT m.id AS unit_id, m.code, m.name, am.population, am.average_score AS value,
       {{am.measures}},
       sum(wa.pop_share * wm.population ORDER BY wa.lsoa_id) / nullif(am.population, 0) AS share_in_area
FROM area_lsoa wa
JOIN area_lsoa wm ON wm.lsoa_id = wa.lsoa_id AND wm.kind = 'msoa21'
JOIN area m ON m.id = wm.area_id
JOIN area_measure am ON am.area_id = m.id AND am.domain = :domain
WHERE wa.area_id = :id
GROUP BY m.id, am.area_id, am.domain
