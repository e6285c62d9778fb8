-- The stored boundaries (British National Grid, EPSG:27700) of areas given by
-- (kind, code), as WKB: what a GeoPackage export writes.
SELECT a.kind, a.code, ST_AsBinary(a.geom)
FROM unnest(CAST(:kinds AS text[]), CAST(:codes AS text[])) AS k(kind, code)
JOIN area a ON a.kind = k.kind AND a.code = k.code
