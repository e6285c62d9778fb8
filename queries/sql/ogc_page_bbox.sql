-- ogc_page.sql with a bounding box: only areas whose boundary intersects it. The box comes
-- as WKT in :box_srid (27700, or 4326 with longitude first, segmentised so that its edges
-- stay true once projected) and is compared in area's stored SRID through its GiST index.
WITH b AS MATERIALIZED (
    SELECT CASE WHEN :box_srid = 27700 THEN ST_GeomFromText(:box, 27700)
                ELSE ST_Transform(ST_Segmentize(ST_GeomFromText(:box, 4326), 0.05), 27700)
           END AS g
)
SELECT a.id, a.code, count(*) OVER () AS matched
FROM b
JOIN area a ON a.geom && b.g AND ST_Intersects(a.geom, b.g)
LEFT JOIN lsoa_stats s ON s.lsoa_id = a.id
WHERE a.kind = :kind
  AND (CAST(:codes AS text[]) IS NULL OR a.code = ANY(CAST(:codes AS text[])))
  AND (CAST(:name AS text) IS NULL OR a.name = :name)
  AND (CAST(:programme AS text) IS NULL OR a.programme = :programme)
  AND (CAST(:deciles AS int[]) IS NULL OR NOT EXISTS (
        SELECT 1 FROM unnest(ARRAY[{{s.deciles}}], CAST(:deciles AS int[])) AS u(have, want)
        WHERE u.want IS NOT NULL AND u.have IS DISTINCT FROM u.want))
ORDER BY a.code
LIMIT :limit OFFSET :offset
