-- The registration extracts PCNs were derived from, latest first, each with the ICBs
-- whose practices it supplies (codes and names, in code order).
SELECT e.name, e.extract_date, e.publication, e.lsoa_geography, e.geography_by,
       e.practices, e.patients_placed, e.pcns,
       coalesce(array_agg(i.icb_code ORDER BY i.icb_code)
                FILTER (WHERE i.icb_code IS NOT NULL), '{}') AS icbs,
       coalesce(array_agg(i.icb_name ORDER BY i.icb_code)
                FILTER (WHERE i.icb_code IS NOT NULL), '{}') AS icb_names
FROM registration_extract e
LEFT JOIN registration_icb i ON e.name = ANY(i.extracts) AND i.practices > 0
GROUP BY e.name
ORDER BY e.extract_date DESC, e.name
