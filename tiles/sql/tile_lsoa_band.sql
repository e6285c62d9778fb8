-- An LSOA21 tile below the full-detail zoom: the band's generalised LSOA21s, then the cells
-- pooling those too small to see at this zoom. Both tables are filtered in their own SRID
-- (Web Mercator), so their GiST indexes are used; the band picks one partition.
WITH env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS e,
           ST_TileEnvelope(:z, :x, :y, margin => :margin) AS m
), t AS (
    SELECT l.code, l.imd_decile, l.income_decile, l.employment_decile, l.education_decile,
           l.health_decile, l.crime_decile, l.housing_decile, l.environment_decile,
           l.acute_morbidity_decile, l.illness_disability_ratio_decile, l.mental_health_decile,
           l.years_life_lost_decile, l.disability_rate_decile, l.hle_male_decile,
           l.hle_female_decile, NULL::int AS lsoas,
           ST_AsMVTGeom(g.geom, env.e, :extent, :buffer, true) AS geom
    FROM env
    JOIN tile_geom g ON g.geom && env.m
    JOIN tile_lsoa l ON l.lsoa_id = g.area_id
    WHERE g.band = :band AND g.layer = 'lsoa21'
    UNION ALL
    SELECT NULL, c.imd_decile, c.income_decile, c.employment_decile, c.education_decile,
           c.health_decile, c.crime_decile, c.housing_decile, c.environment_decile,
           c.acute_morbidity_decile, c.illness_disability_ratio_decile, c.mental_health_decile,
           c.years_life_lost_decile, c.disability_rate_decile, c.hle_male_decile,
           c.hle_female_decile, c.lsoas,
           ST_AsMVTGeom(c.geom, env.e, :extent, :buffer, true)
    FROM env
    JOIN tile_cell c ON c.geom && env.m
    WHERE c.band = :band
)
SELECT ST_AsMVT(t.*, 'lsoa21', :extent, 'geom') FROM t WHERE t.geom IS NOT NULL
