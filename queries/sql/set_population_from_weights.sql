UPDATE area SET population = coalesce(
    (SELECT sum(population) FROM area_lsoa WHERE area_id = :id), 0)
WHERE id = :id
RETURNING population
