-- The PCNs of each unit (an LSOA21 or MSOA21, by area id): the share of its residents each
-- PCN holds, from the PCNs' own LSOA weights (pop_share of each LSOA, weighted by the
-- LSOA's residents), and how the PCN is weighted (registrations: NHS England's registered
-- patients; area: a polygon an ICB supplied).
SELECT uw.area_id AS unit_id, p.code, p.name, p.weight_basis,
       coalesce(p.properties->>'source', 'registrations') AS source,
       sum(uw.population * pw.pop_share ORDER BY uw.lsoa_id) / nullif(max(u.population), 0)
         AS share
FROM area_lsoa uw
JOIN area u ON u.id = uw.area_id
JOIN area_lsoa pw ON pw.lsoa_id = uw.lsoa_id AND pw.kind = 'pcn'
JOIN area p ON p.id = pw.area_id
WHERE uw.area_id = ANY(CAST(:ids AS bigint[]))
GROUP BY uw.area_id, p.id
ORDER BY uw.area_id, p.code
