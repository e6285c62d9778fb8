-- The top band as it is; footprints smaller than a pixel of it are dropped.
INSERT INTO tile_geom (band, layer, area_id, geom)
SELECT :top, t.layer, t.area_id, t.geom
FROM tile_top t
WHERE t.layer = 'lsoa21' OR t.area_m2 >= :top_px ^ 2
