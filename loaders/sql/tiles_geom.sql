-- Every tile layer's areas generalised for the top zoom band, in Web Mercator: simplified
-- on the ground (EPSG:27700) by half a pixel of the band, then projected (the one costly
-- step: every vertex is projected once). Footprints smaller than a pixel are dropped.
INSERT INTO tile_geom (band, layer, area_id, geom)
SELECT :top, a.kind, a.id, ST_Transform(ST_Simplify(a.geom, 0.5 * :top_px, true), 3857)
FROM area a
WHERE a.kind = ANY(CAST(:layers AS text[]))
  AND (a.kind = 'lsoa21' OR a.area_m2 >= :top_px ^ 2)
