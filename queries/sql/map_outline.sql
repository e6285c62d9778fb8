-- An area's boundary as GeoJSON in WGS84 for the map (simplified by 10 m: a tenth of a
-- pixel at zoom 14).
SELECT ST_AsGeoJSON(ST_Transform(ST_Simplify(geom, 10, true), 4326), 5) FROM area WHERE id = :id
