-- The LSOA21s of an area for a self-contained map: what their tiles carry, the ICB,
-- sub-ICB and PCNs they fall in (PCN shares of the LSOA's residents by the rule of
-- geo.pcn; PCNs derived from registrations only where they account for at least
-- :pcn_floor of its residents, as /areas/{id}/overlaps?kind=pcn lists them), and
-- their boundary in WGS84 simplified by 8 m, to 4 decimals (about 10 m: BGC boundaries are
-- generalised to 20 m), and their series over time.
SELECT l.*, x.*, s.population AS residents,
       ST_AsGeoJSON(ST_Transform(ST_Simplify(a.geom, 8, true), 4326), 4) AS geometry,
       (SELECT coalesce(json_agg(json_build_object('code', o.code, 'name', o.name,
                                                   'share', x.pop_share)
                                 ORDER BY x.pop_share DESC), '[]'::json)
        FROM area_lsoa x JOIN area o ON o.id = x.area_id
        WHERE x.lsoa_id = l.lsoa_id AND x.kind = 'icb') AS icb,
       (SELECT coalesce(json_agg(json_build_object('code', o.code, 'name', o.name,
                                                   'share', x.pop_share)
                                 ORDER BY x.pop_share DESC), '[]'::json)
        FROM area_lsoa x JOIN area o ON o.id = x.area_id
        WHERE x.lsoa_id = l.lsoa_id AND x.kind = 'sicbl') AS sicbl,
       (SELECT coalesce(json_agg(json_build_object('code', p.code, 'name', p.name,
                                                   'share', p.share)
                                 ORDER BY p.share DESC, p.code), '[]'::json)
        FROM (SELECT o.code, o.name, x.pop_share AS share, o.weight_basis,
                     sum(x.pop_share) FILTER (WHERE o.weight_basis = 'registrations')
                         OVER () AS coverage
              FROM area_lsoa x JOIN area o ON o.id = x.area_id
              WHERE x.lsoa_id = l.lsoa_id AND x.kind = 'pcn') p
        WHERE p.weight_basis <> 'registrations' OR p.coverage >= :pcn_floor) AS pcn
FROM area_lsoa w
JOIN tile_lsoa l ON l.lsoa_id = w.lsoa_id
JOIN lsoa_stats s ON s.lsoa_id = w.lsoa_id
LEFT JOIN lsoa_series x ON x.lsoa_id = w.lsoa_id
JOIN area a ON a.id = w.lsoa_id
WHERE w.area_id = :id AND (w.pop_share > 0 OR w.area_share > 0)
ORDER BY l.code
