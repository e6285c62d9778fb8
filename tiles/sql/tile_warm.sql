-- Done once per worker at start: the first projection in a backend loads PROJ's tables.
SELECT ST_AsText(ST_Transform(ST_SetSRID(ST_MakePoint(530000, 180000), 27700), 3857))
