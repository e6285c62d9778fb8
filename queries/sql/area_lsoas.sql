-- The LSOA21s an area takes in (any share of their people or of their area), with their
-- IoD 2025 score, rank and decile in every domain, and the shares inside the area.
SELECT l.id AS lsoa_id, l.code, l.name, s.population,
       w.pop_share AS share_in_area, w.area_share,
       {{s.domain_stats}}
FROM area_lsoa w
JOIN area l ON l.id = w.lsoa_id
JOIN lsoa_stats s ON s.lsoa_id = w.lsoa_id
WHERE w.area_id = :id AND (w.pop_share > 0 OR w.area_share > 0)
ORDER BY l.code
