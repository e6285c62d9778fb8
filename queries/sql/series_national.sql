-- Every LSOA21 with its series, residents, code, area and local authority (the best-fit
-- one of the ONS lookup): what change and evaluation answers are computed from.
WITH la AS (
    SELECT DISTINCT ON (w.lsoa_id) w.lsoa_id, a.code, a.name
    FROM area_lsoa w JOIN area a ON a.id = w.area_id AND a.kind = 'ltla'
    WHERE w.kind = 'ltla'
    ORDER BY w.lsoa_id, w.pop_share DESC, a.code
)
SELECT x.*, s.population, l.code, l.area_m2, la.code AS ltla, la.name AS ltla_name
FROM lsoa_series x
JOIN lsoa_stats s ON s.lsoa_id = x.lsoa_id
JOIN area l ON l.id = x.lsoa_id
LEFT JOIN la ON la.lsoa_id = x.lsoa_id
ORDER BY x.lsoa_id
