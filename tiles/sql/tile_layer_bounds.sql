-- The lon/lat bounds of a layer's areas (no row when it has none yet): the extent of
-- each area's bounding box projected, tighter than projecting the layer's box.
SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
FROM (SELECT ST_Extent(ST_Transform(ST_Envelope(geom), 4326)) AS b
      FROM area WHERE kind = :kind) e
WHERE b IS NOT NULL
