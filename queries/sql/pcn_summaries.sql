-- PCNs with their IoD 2025 summary (weighted by their registered patients; residents
-- for PCN footprints an ICB supplies), their rank among all PCNs and among the PCNs
-- derived for the same ICB (1 = the highest average score, the most deprived list).
WITH p AS (
    SELECT a.id, a.code, coalesce(a.properties->>'source', 'registrations') AS source,
           a.properties->>'icb_code' AS icb_code, a.properties->>'icb_name' AS icb_name,
           a.population, m.average_score, m.extent, m.proportion_most_deprived_10,
           m.rank_average_score,
           rank() OVER (PARTITION BY coalesce(a.properties->>'source', 'registrations'),
                                     a.properties->>'icb_code'
                        ORDER BY m.average_score DESC NULLS LAST) AS rank_in_icb,
           count(*) OVER (PARTITION BY coalesce(a.properties->>'source', 'registrations'),
                                       a.properties->>'icb_code') AS pcns_in_icb,
           count(*) OVER () AS pcns
    FROM area a
    LEFT JOIN area_measure m ON m.area_id = a.id AND m.domain = 'imd'
    WHERE a.kind = 'pcn'
)
SELECT * FROM p WHERE p.code = ANY(CAST(:codes AS text[]))
