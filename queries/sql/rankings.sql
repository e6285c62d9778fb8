-- Every area of a kind with its measures for a domain and its ranks among them (and,
-- read for PCNs only, where a PCN comes from and its ICB).
SELECT a.id, a.code, a.name, a.programme, a.population_basis,
       coalesce(a.properties->>'source', 'registrations') AS source,
       a.properties->>'extract_date' AS extract_date,
       a.properties->>'icb_code' AS icb_code, a.properties->>'icb_name' AS icb_name, m.*
FROM area a JOIN area_measure m ON m.area_id = a.id AND m.domain = :domain
WHERE a.kind = :kind AND (CAST(:programme AS text) IS NULL OR a.programme = :programme)
