-- LSOA21 features of an OGC API page: IoD 2025 IMD score, rank and decile, the domain
-- deciles and the health indicators, and the boundary projected to :srid (GeoJSON with
-- :digits decimals and no "crs" member: the Content-Crs header says which).
SELECT a.code, a.name, a.population, s.imd_score, s.imd_rank, {{s.deciles}}, {{s.health}},
       ST_AsGeoJSON(ST_Transform(a.geom, :srid), :digits, 0) AS geometry
FROM area a
LEFT JOIN lsoa_stats s ON s.lsoa_id = a.id
WHERE a.id = ANY(:ids)
ORDER BY a.code
