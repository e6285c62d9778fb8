-- An LSOA21 tile below the full-detail zoom: the band's generalised LSOA21s, then the cells
-- pooling those too small to see at this zoom. Both tables are filtered in their own SRID
-- (Web Mercator), so their GiST indexes are used; the band picks one partition.
WITH env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS e,
           ST_TileEnvelope(:z, :x, :y, margin => :margin) AS m
), t AS (
    SELECT l.code, {{l.deciles}},
           {{l.tile_health_deciles}}, {{l.tile_changes}}, NULL::int AS lsoas,
           ST_AsMVTGeom(g.geom, env.e, :extent, :buffer, true) AS geom
    FROM env
    JOIN tile_geom g ON g.geom && env.m
    JOIN tile_lsoa l ON l.lsoa_id = g.area_id
    WHERE g.band = :band AND g.layer = 'lsoa21'
    UNION ALL
    SELECT NULL, {{c.deciles}},
           {{c.tile_health_deciles}}, {{c.tile_changes}}, c.lsoas,
           ST_AsMVTGeom(c.geom, env.e, :extent, :buffer, true)
    FROM env
    JOIN tile_cell c ON c.geom && env.m
    WHERE c.band = :band
)
-- features in code order (cells, with no code, by position), so that a tile's bytes are the
-- same after every load
SELECT ST_AsMVT(t.*, 'lsoa21', :extent, 'geom' ORDER BY t.code, ST_XMin(t.geom), ST_YMin(t.geom))
FROM t WHERE t.geom IS NOT NULL
