-- LSOA21s too small to be seen at a band below the top one, pooled into square cells of :cell_px pixels on the
-- band's tile grid (so a cell never straddles two tiles). A cell carries the population-
-- weighted mean of its LSOAs' deciles, rounded: a pixel's worth of the map at that zoom.
INSERT INTO tile_cell (
    band, cx, cy, lsoas, population,
    {{deciles}},
    {{tile_health_deciles}},
    {{tile_changes}},
    geom)
WITH b AS (
    SELECT band, ground, :cell_px * merc AS side
    FROM unnest(CAST(:bands AS int[]), CAST(:ground_px AS float8[]), CAST(:merc_px AS float8[]))
         AS b(band, ground, merc)
), small AS MATERIALIZED (
    SELECT l.*, ST_Centroid(t.geom) AS pt, t.area_m2  -- where it is pooled: the centroid will do
    FROM tile_lsoa l
    JOIN tile_top t ON t.layer = 'lsoa21' AND t.area_id = l.lsoa_id
), c AS (
    SELECT b.band, b.side,
           floor((ST_X(s.pt) + :half) / b.side)::int AS cx,
           floor((:half - ST_Y(s.pt)) / b.side)::int AS cy,
           greatest(s.population, 1) AS w, s.*
    FROM small s JOIN b ON s.area_m2 < (:cell_px * b.ground) ^ 2
)
SELECT band, cx, cy, count(*), sum(population),
       {{cell_deciles}},
       {{cell_changes}},
       ST_MakeEnvelope(cx * side - :half, :half - (cy + 1) * side,
                       (cx + 1) * side - :half, :half - cy * side, 3857)
FROM c
GROUP BY band, side, cx, cy
