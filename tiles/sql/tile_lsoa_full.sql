-- An LSOA21 tile at full detail: LSOA21 boundaries as loaded, projected to Web Mercator
-- by the load (tile_geom's full-detail band), filtered in that SRID through its GiST index.
WITH env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS e,
           ST_TileEnvelope(:z, :x, :y, margin => :margin) AS m
), t AS (
    SELECT l.code, l.name, l.imd_score, l.imd_rank, l.population,
           l.imd_decile, l.income_decile, l.employment_decile, l.education_decile,
           l.health_decile, l.crime_decile, l.housing_decile, l.environment_decile,
           l.acute_morbidity, l.illness_disability_ratio, l.mental_health, l.years_life_lost,
           l.disability_rate, l.hle_male, l.hle_female,
           l.acute_morbidity_decile, l.illness_disability_ratio_decile, l.mental_health_decile,
           l.years_life_lost_decile, l.disability_rate_decile, l.hle_male_decile,
           l.hle_female_decile,
           ST_AsMVTGeom(g.geom, env.e, :extent, :buffer, true) AS geom
    FROM env
    JOIN tile_geom g ON g.geom && env.m
    JOIN tile_lsoa l ON l.lsoa_id = g.area_id
    WHERE g.band = :band AND g.layer = 'lsoa21'
)
SELECT ST_AsMVT(t.*, 'lsoa21', :extent, 'geom') FROM t WHERE t.geom IS NOT NULL
