SELECT population, lsoa_count, health FROM area_profile WHERE area_id = :id
