-- Every area of a kind with its measures for a domain and its ranks among them.
SELECT a.id, a.code, a.name, a.programme, a.population_basis, m.*
FROM area a JOIN area_measure m ON m.area_id = a.id AND m.domain = :domain
WHERE a.kind = :kind AND (CAST(:programme AS text) IS NULL OR a.programme = :programme)
