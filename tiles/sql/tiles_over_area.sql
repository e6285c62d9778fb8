-- Of the candidate tiles z/x/y (arrays), those that meet the area's boundary.
SELECT t.z, t.x, t.y
FROM unnest(CAST(:z AS int[]), CAST(:x AS int[]), CAST(:y AS int[])) AS t(z, x, y), area a
WHERE a.id = :id AND ST_Intersects(a.geom, ST_Transform(ST_TileEnvelope(t.z, t.x, t.y), 27700))
