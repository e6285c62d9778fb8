UPDATE area SET population = coalesce(
    (SELECT sum(population ORDER BY lsoa_id) FROM area_lsoa WHERE area_id = :id), 0)
WHERE id = :id
RETURNING population
