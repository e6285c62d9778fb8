-- Areas by kind and/or text (a code prefix or part of a name), best matches first:
-- an exact code or name, then larger kinds before smaller ones (2011 LSOAs last), then
-- names (or codes) that start with the text before names that only contain it. Custom
-- areas only when asked (they are private).
SELECT id, kind, code, name, vintage, programme, population, area_m2,
       count(*) OVER () AS total
FROM area
WHERE (CAST(:kind AS text) IS NULL OR kind = :kind)
  AND (CAST(:custom AS boolean) OR kind <> 'custom')
  AND (CAST(:programme AS text) IS NULL OR programme = :programme)
  AND (CAST(:q AS text) IS NULL
       OR upper(code) LIKE :q_prefix
       OR lower(name) LIKE :q_like)
ORDER BY (CAST(:q AS text) IS NOT NULL
          AND (upper(code) = upper(:q) OR lower(name) = lower(:q))) DESC,
         array_position(CAST(:kind_order AS text[]), kind::text),
         (CAST(:q AS text) IS NOT NULL
          AND (lower(name) LIKE :q_start OR upper(code) LIKE :q_prefix)) DESC,
         name, code
LIMIT :limit OFFSET :offset
