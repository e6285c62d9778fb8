-- The PCNs serving each area of a programme, by the rule of geo.pcn (the same shares as
-- /areas/{id}/overlaps?kind=pcn). residents: the area's residents attributed to the PCN,
-- per LSOA its population there times the PCN's share of the LSOA's residents
-- (area_lsoa.pop_share: for PCNs derived from registrations, in proportion to their
-- registered patients and never more residents than patients; for footprints an ICB
-- supplies, area-weighted, with the smaller share where both cut an LSOA).
-- patients: the PCN's registered patients who live in the area.
SELECT w.area_id, p.code, p.name, coalesce(p.properties->>'source', 'registrations') AS source,
       p.properties->>'extract_date' AS extract_date,
       p.population_basis, max(p.population) AS pcn_population,
       sum(w.population * CASE
             WHEN pw.pop_share >= 1 - 1e-9 THEN 1.0
             WHEN p.weight_basis = 'registrations' OR w.area_share >= 1 - 1e-9 THEN pw.pop_share
             ELSE least(1.0, least(w.area_share, pw.area_share) / nullif(w.area_share, 0))
           END ORDER BY w.lsoa_id) AS residents,
       sum(pw.population * w.pop_share ORDER BY w.lsoa_id) AS patients
FROM area a
JOIN area_lsoa w ON w.area_id = a.id
JOIN area_lsoa pw ON pw.lsoa_id = w.lsoa_id AND pw.kind = 'pcn'
JOIN area p ON p.id = pw.area_id
WHERE a.kind = 'programme' AND a.programme = :programme
GROUP BY w.area_id, p.id
