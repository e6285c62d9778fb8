SELECT id, ST_AsGeoJSON(ST_Transform(geom, 4326), 6) AS geometry
FROM area WHERE id = ANY(:ids)
