-- A footprint tile at full detail, filtered in area's stored SRID (EPSG:27700).
WITH env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS e,
           ST_Transform(ST_Segmentize(ST_TileEnvelope(:z, :x, :y, margin => :margin), :seg),
                        27700) AS b
), t AS (
    SELECT a.code, a.name, a.programme, round(a.population)::int AS population,
           m.average_score::real AS average_score, m.average_rank::real AS average_rank,
           m.proportion_most_deprived_10::real AS proportion_most_deprived_10,
           m.extent::real AS extent, m.local_concentration::real AS local_concentration,
           m.rank_average_score AS rank,
           ST_AsMVTGeom(ST_Transform(a.geom, 3857), env.e, :extent, :buffer, true) AS geom
    FROM env
    JOIN area a ON a.geom && env.b
    LEFT JOIN area_measure m ON m.area_id = a.id AND m.domain = 'imd'
    WHERE a.kind = :kind
)
-- features in code order, so that a tile's bytes are the same after every load
SELECT ST_AsMVT(t.*, :layer, :extent, 'geom' ORDER BY t.code) FROM t WHERE t.geom IS NOT NULL
