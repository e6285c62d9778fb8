-- Every tile layer's areas generalised for the top zoom band, in Web Mercator: simplified
-- on the ground (EPSG:27700) by half a pixel of the band, then projected (the one costly
-- step: every vertex is projected once). A CREATE TABLE AS, so PostgreSQL may share the
-- work among parallel workers (an INSERT ... SELECT never runs in parallel).
CREATE TEMP TABLE tile_top ON COMMIT DROP AS
SELECT a.kind AS layer, a.id AS area_id, a.area_m2,
       ST_Transform(ST_Simplify(a.geom, 0.5 * :top_px, true), 3857) AS geom
FROM area a
WHERE a.kind = ANY(CAST(:layers AS text[]))
