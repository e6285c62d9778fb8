-- The indicator catalogue with how many LSOA21 values each has.
SELECT i.code, i.label, i.domain, i.source, i.vintage, i.unit, i.higher_is_worse,
       i.extensive, i.geography, i.description,
       (SELECT count(*) FROM indicator_value v WHERE v.indicator_id = i.id) AS lsoa_values
FROM indicator i
ORDER BY i.code
