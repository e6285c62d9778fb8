INSERT INTO area_measure (area_id, domain, population, average_score, average_rank,
                          proportion_most_deprived_10, extent, local_concentration, scale,
                          decile_population)
VALUES (:area_id, :domain, :population, :average_score, :average_rank,
        :proportion_most_deprived_10, :extent, :local_concentration, :scale,
        CAST(:decile_population AS float8[]))
