-- How many areas area_search.sql would find (for a page past the last one).
SELECT count(*)
FROM area
WHERE (CAST(:kind AS text) IS NULL OR kind = :kind)
  AND (CAST(:custom AS boolean) OR kind <> 'custom')
  AND (CAST(:programme AS text) IS NULL OR programme = :programme)
  AND (CAST(:q AS text) IS NULL
       OR upper(code) LIKE :q_prefix
       OR lower(name) LIKE :q_like)
