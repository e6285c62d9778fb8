-- The LSOA21 units of an area for hotspots: the LSOAs its boundary takes in (area_share > 0:
-- a PCN's registrations reach LSOAs outside its polygon, which are not its units), their
-- domain score, population and the share of it inside the area.
SELECT w.lsoa_id AS unit_id, a.code, a.name, s.population,
       {{s.score_of_domain}} AS value,
       w.pop_share AS share_in_area
FROM area_lsoa w JOIN lsoa_stats s ON s.lsoa_id = w.lsoa_id JOIN area a ON a.id = w.lsoa_id
WHERE w.area_id = :id AND w.area_share > 0
ORDER BY w.lsoa_id
