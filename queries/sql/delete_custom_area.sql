-- A custom area and everything that hangs on it (custom areas are never LSOAs).
WITH gone AS (DELETE FROM area WHERE id = :id AND kind = 'custom' RETURNING id),
     w AS (DELETE FROM area_lsoa WHERE area_id IN (SELECT id FROM gone)),
     m AS (DELETE FROM area_measure WHERE area_id IN (SELECT id FROM gone)),
     p AS (DELETE FROM area_profile WHERE area_id IN (SELECT id FROM gone))
SELECT count(*) FROM gone
