-- An LSOA21 tile at full detail: LSOA21 boundaries as loaded, projected to Web Mercator
-- by the load (tile_geom's full-detail band), filtered in that SRID through its GiST index.
WITH env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS e,
           ST_TileEnvelope(:z, :x, :y, margin => :margin) AS m
), t AS (
    SELECT l.code, l.name, l.imd_score, l.imd_rank, l.population,
           {{l.deciles}},
           {{l.tile_health}},
           {{l.tile_health_deciles}},
           {{l.tile_changes}},
           ST_AsMVTGeom(g.geom, env.e, :extent, :buffer, true) AS geom
    FROM env
    JOIN tile_geom g ON g.geom && env.m
    JOIN tile_lsoa l ON l.lsoa_id = g.area_id
    WHERE g.band = :band AND g.layer = 'lsoa21'
)
-- features in code order (cells, with no code, by position), so that a tile's bytes are the
-- same after every load
SELECT ST_AsMVT(t.*, 'lsoa21', :extent, 'geom' ORDER BY t.code, ST_XMin(t.geom), ST_YMin(t.geom))
FROM t WHERE t.geom IS NOT NULL
