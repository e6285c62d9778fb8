-- The areas of each kind and the vintage of their boundaries (custom areas are private).
SELECT kind, vintage, count(*) AS areas
FROM area
WHERE kind <> 'custom'
GROUP BY kind, vintage
ORDER BY kind, vintage
