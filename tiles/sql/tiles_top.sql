-- Every tile layer's areas projected to Web Mercator once (the costly step: every vertex
-- is projected). LSOA21s at full detail (for zooms from 12, and simplified from it for
-- each band); footprints simplified on the ground (EPSG:27700) by half a pixel of the top
-- band first. A CREATE TABLE AS, so PostgreSQL may share the work among parallel workers
-- (an INSERT ... SELECT never runs in parallel).
CREATE TEMP TABLE tile_top ON COMMIT DROP AS
SELECT a.kind AS layer, a.id AS area_id, a.area_m2,
       CASE WHEN a.kind = 'lsoa21' THEN ST_Transform(a.geom, 3857)
            ELSE ST_Transform(ST_Simplify(a.geom, 0.5 * :top_px, true), 3857) END AS geom
FROM area a
WHERE a.kind = ANY(CAST(:layers AS text[]))
