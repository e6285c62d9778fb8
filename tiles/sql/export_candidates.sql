-- The tiles of zoom :z in columns :x0..:x1 and rows :y0..:y1 that may hold a feature of
-- the areas of kind :kind: those whose envelope, widened by :margin of a tile (the tile
-- buffer and a few pixels of generalisation), meets an area's stored boundary box. A
-- superset of the tiles that are not empty; the export cuts them and keeps those that are.
-- Envelopes are cut to the British Isles first: a tile of zoom 0-4 reaches far outside
-- the domain of the British National Grid, where the projection fails.
WITH dom AS (
    SELECT ST_Transform(ST_MakeEnvelope(-11, 48.5, 4, 62, 4326), 3857) AS g
)
SELECT x, y
FROM dom,
     generate_series(CAST(:x0 AS int), CAST(:x1 AS int)) AS x,
     generate_series(CAST(:y0 AS int), CAST(:y1 AS int)) AS y
WHERE EXISTS (
    SELECT 1 FROM area a
    WHERE a.kind = :kind
      AND a.geom && ST_Transform(ST_Segmentize(
          ST_Intersection(ST_TileEnvelope(:z, x, y, margin => :margin), dom.g), :seg), 27700)
)
ORDER BY x, y
