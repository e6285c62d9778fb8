-- The share of the residents of every ICB the loaded registrations account for.
SELECT sum(attributed ORDER BY icb_code) / nullif(sum(residents ORDER BY icb_code), 0)
FROM registration_icb
