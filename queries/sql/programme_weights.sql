-- The LSOA21 weights of every area of a programme.
SELECT w.area_id, w.lsoa_id, w.pop_share
FROM area a JOIN area_lsoa w ON w.area_id = a.id
WHERE a.kind = 'programme' AND a.programme = :programme
ORDER BY w.area_id, w.lsoa_id
