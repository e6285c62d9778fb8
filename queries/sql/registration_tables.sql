-- Whether the registration tables exist (a database loaded before schema version 2 has
-- none until its next load).
SELECT to_regclass('registration_extract') IS NOT NULL
   AND to_regclass('registration_icb') IS NOT NULL
