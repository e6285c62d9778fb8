-- One page of an OGC API - Features collection (areas of one kind): ids in code order,
-- so that paging is stable, with how many areas match. Filters are property values
-- (NULL: not filtered); :deciles holds one wanted decile per IoD domain, in the order of
-- {{deciles}} (NULL where that domain is not filtered; LSOA21s only).
SELECT a.id, a.code, count(*) OVER () AS matched
FROM area a
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
