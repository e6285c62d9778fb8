-- Keep the share of a drawn area inside England with its properties (GET /areas/{id}).
UPDATE area SET properties = properties || jsonb_build_object('share_in_england', CAST(:share AS float8))
WHERE id = :id
