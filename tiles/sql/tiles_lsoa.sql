-- One row per LSOA21 with exactly what its tile features carry. Health indicators also get
-- a national decile: 1 = the worst 10% of the LSOAs that have a value (ties share a decile;
-- the expressions come from tiles/columns.py, ordered by whether higher is worse).
INSERT INTO tile_lsoa (
    lsoa_id, code, name, population, imd_score, imd_rank,
    {{deciles}},
    {{tile_health}},
    {{tile_health_deciles}},
    {{tile_changes}})
SELECT s.lsoa_id, s.code, a.name, round(s.population)::int, s.imd_score, round(s.imd_rank)::int,
       {{s.deciles}},
       {{s.tile_health}},
       {{health_decile_ranks}},
       {{tile_change_values}}
FROM lsoa_stats s JOIN area a ON a.id = s.lsoa_id
LEFT JOIN lsoa_series x ON x.lsoa_id = s.lsoa_id
