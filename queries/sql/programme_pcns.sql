-- The PCNs serving each area of a programme.
-- residents: the area's residents registered with the PCN. Per LSOA, the PCN's share of
-- the registered patients there, times the residents those registrations account for:
-- all of them where the LSOA's patients (over the PCNs loaded) reach its residents, else
-- only that many (so an LSOA outside the registrations' reach, with a few patients of a
-- loaded PCN, does not count as served by it). For ICB-supplied polygons, the
-- area-weighted overlap (with the smaller share where both cut an LSOA).
-- patients: the PCN's registered patients who live in the area.
SELECT w.area_id, p.code, p.name, p.properties->>'source' AS source,
       p.population_basis, max(p.population) AS pcn_population,
       sum(w.population * CASE
             WHEN p.weight_basis = 'registrations' THEN
               pw.pop_share * least(1.0, (pw.population / nullif(pw.pop_share, 0))
                                         / nullif(l.population, 0))
             WHEN pw.pop_share >= 1 - 1e-9 THEN 1.0
             WHEN w.area_share >= 1 - 1e-9 THEN pw.pop_share
             ELSE least(1.0, least(w.area_share, pw.area_share) / nullif(w.area_share, 0))
           END ORDER BY w.lsoa_id) AS residents,
       sum(pw.population * w.pop_share ORDER BY w.lsoa_id) AS patients
FROM area a
JOIN area_lsoa w ON w.area_id = a.id
JOIN area l ON l.id = w.lsoa_id
JOIN area_lsoa pw ON pw.lsoa_id = w.lsoa_id AND pw.kind = 'pcn'
JOIN area p ON p.id = pw.area_id
WHERE a.kind = 'programme' AND a.programme = :programme
GROUP BY w.area_id, p.id
