-- One row per LSOA21 with exactly what its tile features carry. Health indicators also get
-- a national decile: 1 = the worst 10% of the LSOAs that have a value (ties share a decile).
INSERT INTO tile_lsoa (
    lsoa_id, code, name, population, imd_score, imd_rank,
    imd_decile, income_decile, employment_decile, education_decile, health_decile,
    crime_decile, housing_decile, environment_decile,
    acute_morbidity, illness_disability_ratio, mental_health, years_life_lost,
    disability_rate, hle_male, hle_female,
    acute_morbidity_decile, illness_disability_ratio_decile, mental_health_decile,
    years_life_lost_decile, disability_rate_decile, hle_male_decile, hle_female_decile)
SELECT s.lsoa_id, s.code, a.name, round(s.population)::int, s.imd_score, round(s.imd_rank)::int,
       s.imd_decile, s.income_decile, s.employment_decile, s.education_decile, s.health_decile,
       s.crime_decile, s.housing_decile, s.environment_decile,
       s.acute_morbidity, s.illness_disability_ratio, s.mental_health, s.years_life_lost,
       s.disability_rate, s.hle_male, s.hle_female,
       CASE WHEN s.acute_morbidity IS NOT NULL THEN least(10, 1 + floor(10.0 *
         (rank() OVER (ORDER BY s.acute_morbidity DESC NULLS LAST) - 1)
         / count(s.acute_morbidity) OVER ())) END,
       CASE WHEN s.illness_disability_ratio IS NOT NULL THEN least(10, 1 + floor(10.0 *
         (rank() OVER (ORDER BY s.illness_disability_ratio DESC NULLS LAST) - 1)
         / count(s.illness_disability_ratio) OVER ())) END,
       CASE WHEN s.mental_health IS NOT NULL THEN least(10, 1 + floor(10.0 *
         (rank() OVER (ORDER BY s.mental_health DESC NULLS LAST) - 1)
         / count(s.mental_health) OVER ())) END,
       CASE WHEN s.years_life_lost IS NOT NULL THEN least(10, 1 + floor(10.0 *
         (rank() OVER (ORDER BY s.years_life_lost DESC NULLS LAST) - 1)
         / count(s.years_life_lost) OVER ())) END,
       CASE WHEN s.disability_rate IS NOT NULL THEN least(10, 1 + floor(10.0 *
         (rank() OVER (ORDER BY s.disability_rate DESC NULLS LAST) - 1)
         / count(s.disability_rate) OVER ())) END,
       -- healthy life expectancy: lower is worse
       CASE WHEN s.hle_male IS NOT NULL THEN least(10, 1 + floor(10.0 *
         (rank() OVER (ORDER BY s.hle_male ASC NULLS LAST) - 1)
         / count(s.hle_male) OVER ())) END,
       CASE WHEN s.hle_female IS NOT NULL THEN least(10, 1 + floor(10.0 *
         (rank() OVER (ORDER BY s.hle_female ASC NULLS LAST) - 1)
         / count(s.hle_female) OVER ())) END
FROM lsoa_stats s JOIN area a ON a.id = s.lsoa_id
