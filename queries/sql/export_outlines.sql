-- Footprints of the given kinds whose interiors meet an area, as GeoJSON in WGS84
-- (simplified by 20 m) for the outlines of a self-contained map.
SELECT o.kind, o.code, o.name,
       ST_AsGeoJSON(ST_Transform(ST_Simplify(o.geom, 20, true), 4326), 5) AS geometry
FROM area f
JOIN area o ON o.geom && f.geom AND o.kind = ANY(CAST(:kinds AS text[]))
WHERE f.id = :id AND ST_Relate(o.geom, f.geom, 'T********')
ORDER BY o.kind, o.code
