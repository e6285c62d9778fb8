-- Extra facts about one area for GET /areas/{id}: bounding box and a point
-- inside it in WGS84, and how many LSOA21s it covers.
SELECT ST_XMin(b) AS west, ST_YMin(b) AS south, ST_XMax(b) AS east, ST_YMax(b) AS north,
       ST_X(p) AS lon, ST_Y(p) AS lat,
       (SELECT count(*) FROM area_lsoa w WHERE w.area_id = a.id) AS lsoa_count
FROM area a
CROSS JOIN LATERAL (SELECT Box2D(ST_Transform(a.geom, 4326)) AS b,
                           ST_Transform(ST_PointOnSurface(a.geom), 4326) AS p) x
WHERE a.id = :id
