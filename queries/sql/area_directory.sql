-- The attributes of every loaded area (all kinds but custom), in id order, for
-- queries.directory (read once per data version).
SELECT id, kind, code, name, vintage, programme, population, population_basis,
       weight_basis, area_m2, CASE WHEN properties = '{}'::jsonb THEN NULL ELSE properties::text END
FROM area
WHERE kind <> 'custom'
ORDER BY id
