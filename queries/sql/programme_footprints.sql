-- For each area of a programme, the footprint of each kind (ICB, sub-ICB, local
-- authority: whole LSOAs) that holds the largest share of its population, and that share.
SELECT DISTINCT ON (w.area_id, f.kind)
       w.area_id, f.kind, f.code, f.name,
       sum(w.population ORDER BY w.lsoa_id) / nullif(max(a.population), 0) AS share
FROM area a
JOIN area_lsoa w ON w.area_id = a.id
JOIN area_lsoa fw ON fw.lsoa_id = w.lsoa_id AND fw.kind = ANY(CAST(:kinds AS text[]))
JOIN area f ON f.id = fw.area_id
WHERE a.kind = 'programme' AND a.programme = :programme
GROUP BY w.area_id, f.kind, f.id
ORDER BY w.area_id, f.kind, share DESC, f.code
