-- The extent of each kind's areas in area's SRID (EPSG:27700) and in lon/lat: the union
-- of each area's box, segmentised and projected (a box holding every area, a little wider
-- than the areas only where a box's edge bulges once projected).
SELECT kind, n,
       ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax,
       ST_XMin(ll) AS west, ST_YMin(ll) AS south, ST_XMax(ll) AS east, ST_YMax(ll) AS north
FROM (
    SELECT kind, count(*) AS n, ST_Extent(geom) AS e,
           ST_Extent(ST_Transform(ST_Segmentize(ST_Envelope(geom), 1000), 4326)) AS ll
    FROM area WHERE kind = ANY(:kinds) GROUP BY kind
) x
