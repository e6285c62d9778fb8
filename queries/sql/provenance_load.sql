-- The data version and when the last load committed (a workbook's About sheet).
SELECT (SELECT value::bigint FROM depmap_meta WHERE key = 'data_version') AS data_version,
       (SELECT max(finished_at) FROM load_run) AS loaded_at
