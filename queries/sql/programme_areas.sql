-- The areas of one programme with their IoD 2025 measures (imd), every domain's average
-- score, their health profile, and CNI 2023 over their LSOA weights.
SELECT a.id, a.code, a.name, a.properties->>'source_code' AS source_code, a.population,
       a.population_basis, a.area_m2,
       m.average_score, m.average_rank, m.proportion_most_deprived_10, m.extent,
       m.local_concentration, m.decile_population,
       {{d.domains}},
       p.health AS health_profile, p.lsoa_count,
       c.cni_score, c.left_behind_share
FROM area a
LEFT JOIN area_measure m ON m.area_id = a.id AND m.domain = 'imd'
LEFT JOIN area_profile p ON p.area_id = a.id
LEFT JOIN LATERAL (
    SELECT {{by_domain(x.average_score)}}
    FROM area_measure x WHERE x.area_id = a.id
) d ON true
LEFT JOIN LATERAL (
    SELECT sum(w.population * s.cni_score ORDER BY w.lsoa_id)
             FILTER (WHERE s.cni_score IS NOT NULL)
             / nullif(sum(w.population ORDER BY w.lsoa_id)
                      FILTER (WHERE s.cni_score IS NOT NULL), 0) AS cni_score,
           coalesce(sum(w.population ORDER BY w.lsoa_id) FILTER (WHERE s.left_behind), 0)
             / nullif(sum(w.population ORDER BY w.lsoa_id), 0) AS left_behind_share
    FROM area_lsoa w JOIN lsoa_stats s ON s.lsoa_id = w.lsoa_id
    WHERE w.area_id = a.id
) c ON true
WHERE a.kind = 'programme' AND a.programme = :programme
ORDER BY a.code
