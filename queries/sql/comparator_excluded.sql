-- Candidates that share people with the area itself or with any area of its programme:
-- they hold an LSOA in which the area (or programme) has at least :eps of the people.
SELECT DISTINCT cw.area_id
FROM area p
JOIN area_lsoa pw ON pw.area_id = p.id AND pw.pop_share >= :eps
JOIN area_lsoa cw ON cw.lsoa_id = pw.lsoa_id AND cw.kind = ANY(CAST(:kinds AS text[]))
WHERE p.id = :area_id
   OR (CAST(:programme AS text) IS NOT NULL AND p.kind = 'programme' AND p.programme = :programme)
