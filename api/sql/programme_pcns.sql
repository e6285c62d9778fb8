-- The PCNs serving each area of a programme. residents: the area's residents registered
-- with the PCN (the PCN's share of each LSOA's registered patients, as geo.overlap does;
-- for ICB-supplied polygons the area-weighted overlap, with the smaller share where both
-- cut an LSOA). patients: the PCN's registered patients who live in the area.
SELECT w.area_id, p.code, p.name, p.properties->>'source' AS source,
       p.population_basis, max(p.population) AS pcn_population,
       sum(w.population * CASE
             WHEN pw.pop_share >= 1 - 1e-9 THEN 1.0
             WHEN p.weight_basis = 'registrations' OR w.area_share >= 1 - 1e-9 THEN pw.pop_share
             ELSE least(1.0, least(w.area_share, pw.area_share) / nullif(w.area_share, 0))
           END) AS residents,
       sum(pw.population * w.pop_share) AS patients
FROM area a
JOIN area_lsoa w ON w.area_id = a.id
JOIN area_lsoa pw ON pw.lsoa_id = w.lsoa_id AND pw.kind = 'pcn'
JOIN area p ON p.id = pw.area_id
WHERE a.kind = 'programme' AND a.programme = :programme
GROUP BY w.area_id, p.id
