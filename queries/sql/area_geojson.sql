SELECT ST_AsGeoJSON(ST_Transform(geom, 4326), 6) FROM area WHERE id = :id
