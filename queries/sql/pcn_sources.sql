-- Where PCNs come from: derived from registrations (and the extract date of most of
-- their patients) or supplied by an ICB.
SELECT id, coalesce(properties->>'source', 'registrations') AS source,
       properties->>'extract_date' AS extract_date
FROM area
WHERE id = ANY(CAST(:ids AS bigint[]))
