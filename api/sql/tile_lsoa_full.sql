-- An LSOA21 tile at full detail: LSOA21 boundaries as loaded, filtered in their stored
-- SRID (EPSG:27700, so a GiST index on area is used) by the tile's envelope with its buffer,
-- densified before it is projected so that its curved edges are kept.
WITH env AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS e,
           ST_Transform(ST_Segmentize(ST_TileEnvelope(:z, :x, :y, margin => :margin), :seg),
                        27700) AS b
), t AS (
    SELECT l.code, l.name, l.imd_score, l.imd_rank, l.population,
           l.imd_decile, l.income_decile, l.employment_decile, l.education_decile,
           l.health_decile, l.crime_decile, l.housing_decile, l.environment_decile,
           l.acute_morbidity, l.illness_disability_ratio, l.mental_health, l.years_life_lost,
           l.disability_rate, l.hle_male, l.hle_female,
           l.acute_morbidity_decile, l.illness_disability_ratio_decile, l.mental_health_decile,
           l.years_life_lost_decile, l.disability_rate_decile, l.hle_male_decile,
           l.hle_female_decile,
           ST_AsMVTGeom(ST_Transform(a.geom, 3857), env.e, :extent, :buffer, true) AS geom
    FROM env
    JOIN area a ON a.geom && env.b
    JOIN tile_lsoa l ON l.lsoa_id = a.id
    WHERE a.kind = 'lsoa21'  -- as written, so that the partial index area_lsoa21_geom_gist is used
)
SELECT ST_AsMVT(t.*, 'lsoa21', :extent, 'geom') FROM t WHERE t.geom IS NOT NULL
