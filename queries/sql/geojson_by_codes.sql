-- WGS84 GeoJSON of areas given by (kind, code), optionally simplified (metres).
SELECT a.kind, a.code,
       ST_AsGeoJSON(ST_Transform(CASE WHEN :tol > 0
                                      THEN ST_SimplifyPreserveTopology(a.geom, :tol)
                                      ELSE a.geom END, 4326), 6)
FROM unnest(CAST(:kinds AS text[]), CAST(:codes AS text[])) AS k(kind, code)
JOIN area a ON a.kind = k.kind AND a.code = k.code
