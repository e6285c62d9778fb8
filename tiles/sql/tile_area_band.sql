-- A footprint tile (MSOA, local authority, sub-ICB, ICB, PCN, programme) below the
-- full-detail zoom: the band's generalised areas of the kind with their IMD summary.
WITH env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS e,
           ST_TileEnvelope(:z, :x, :y, margin => :margin) AS m
), t AS (
    SELECT a.code, a.name, a.programme, round(a.population)::int AS population,
           m.average_score::real AS average_score, m.average_rank::real AS average_rank,
           m.proportion_most_deprived_10::real AS proportion_most_deprived_10,
           m.extent::real AS extent, m.local_concentration::real AS local_concentration,
           m.rank_average_score AS rank,
           ST_AsMVTGeom(g.geom, env.e, :extent, :buffer, true) AS geom
    FROM env
    JOIN tile_geom g ON g.geom && env.m
    JOIN area a ON a.id = g.area_id
    LEFT JOIN area_measure m ON m.area_id = a.id AND m.domain = 'imd'
    WHERE g.band = :band AND g.layer = :kind
)
-- features in code order, so that a tile's bytes are the same after every load
SELECT ST_AsMVT(t.*, :layer, :extent, 'geom' ORDER BY t.code) FROM t WHERE t.geom IS NOT NULL
