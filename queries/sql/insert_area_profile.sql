INSERT INTO area_profile (area_id, population, lsoa_count, health)
VALUES (:area_id, :population, :lsoa_count, CAST(:health AS jsonb))
