-- MSOAs touch when any of their LSOAs touch.
SELECT DISTINCT ma.area_id AS a, mb.area_id AS b
FROM area_lsoa ma
JOIN lsoa_adjacency j ON j.lsoa_id = ma.lsoa_id
JOIN area_lsoa mb ON mb.lsoa_id = j.neighbour_id AND mb.kind = 'msoa21'
WHERE ma.kind = 'msoa21' AND ma.area_id = ANY(:ids) AND mb.area_id = ANY(:ids)
  AND ma.area_id < mb.area_id
