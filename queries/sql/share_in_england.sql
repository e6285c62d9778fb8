-- The share of a drawn area's own area that lies in England's 2021 LSOAs (from the area
-- weights just made: each LSOA's share inside times its area).
SELECT sum(w.area_share * l.area_m2 ORDER BY w.lsoa_id) / nullif(max(a.area_m2), 0)
FROM area_lsoa w
JOIN area l ON l.id = w.lsoa_id
JOIN area a ON a.id = w.area_id
WHERE w.area_id = :id
