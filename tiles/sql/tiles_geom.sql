-- The top band (LSOA21s simplified by half a pixel of it; footprints as they are, but
-- those smaller than a pixel), and LSOA21s at full detail.
INSERT INTO tile_geom (band, layer, area_id, geom)
SELECT :top, t.layer, t.area_id,
       CASE WHEN t.layer = 'lsoa21' THEN ST_Simplify(t.geom, 0.5 * :top_merc, true)
            ELSE t.geom END
FROM tile_top t
WHERE t.layer = 'lsoa21' OR t.area_m2 >= :top_px ^ 2
UNION ALL
SELECT :full_band, t.layer, t.area_id, t.geom
FROM tile_top t
WHERE t.layer = 'lsoa21'
