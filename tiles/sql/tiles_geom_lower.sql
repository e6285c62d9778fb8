-- The lower zoom bands, simplified by half a pixel of each band from the projected areas.
-- What cannot be seen at a band is left out: LSOA21s smaller than a cell (:cell_px pixels
-- square) go to tile_cell instead, footprints smaller than one pixel are dropped.
INSERT INTO tile_geom (band, layer, area_id, geom)
SELECT b.band, t.layer, t.area_id, ST_Simplify(t.geom, 0.5 * b.merc, true)
FROM tile_top t
JOIN unnest(CAST(:bands AS int[]), CAST(:ground_px AS float8[]), CAST(:merc_px AS float8[]))
     AS b(band, ground, merc)
  ON t.area_m2 >= CASE WHEN t.layer = 'lsoa21' THEN (:cell_px * b.ground) ^ 2
                       ELSE b.ground ^ 2 END
