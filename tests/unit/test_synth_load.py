"""Loading the synthetic dataset: every number checked against an independent computation."""

import numpy as np
import pytest
from sqlalchemy import text

from tests.expected import extent_weight_by_hand

N = 33_755


def scalar(engine, sql, **p):
    with engine.connect() as c:
        return c.execute(text(sql), p).scalar()


def test_counts_by_kind(small_engine, synth):
    with small_engine.connect() as c:
        counts = dict(c.execute(text("SELECT kind, count(*) FROM area GROUP BY kind")).all())
    counts.pop("programme", None)  # the demo programme: tests/integration/test_left_behind.py
    lk = synth.lsoa
    assert counts == {
        "lsoa21": synth.n,
        "msoa21": lk["msoa"].nunique(),
        "ward": lk["ward"].nunique(),
        "ltla": 2,
        "sicbl": 3,
        "icb": 2,
    }


def test_footprints_are_exact_unions(small_engine, synth):
    with small_engine.connect() as c:
        rows = c.execute(text("SELECT code, area_m2, population FROM area WHERE kind = 'icb'"))
        got = {code: (a, p) for code, a, p in rows}
    pop = synth.census.set_index("lsoa21_code")["total_residents"]
    for icb, grp in synth.lsoa.groupby("icb"):
        assert got[icb][0] == pytest.approx(len(grp) * 500.0 * 500.0, rel=1e-7)
        assert got[icb][1] == pytest.approx(pop[grp["code"]].sum())


def test_icb_measures_match_an_independent_computation(small_engine, synth):
    d = synth.imd.merge(synth.census, on="lsoa21_code").merge(
        synth.lsoa[["code", "icb"]], left_on="lsoa21_code", right_on="code"
    )
    for icb, g in d.groupby("icb"):
        w = g["total_residents"]
        exp_score = np.average(g["IMD_score"], weights=w)
        exp_extent = np.average([extent_weight_by_hand(r) for r in g["IMD_rank"]], weights=w)
        exp_prop = (g["IMD_decile"] == 1).mean()
        with small_engine.connect() as c:
            m = (
                c.execute(
                    text(
                        "SELECT m.* FROM area_measure m JOIN area a ON a.id = m.area_id "
                        "WHERE a.code = :c AND m.domain = 'imd'"
                    ),
                    {"c": icb},
                )
                .mappings()
                .one()
            )
        assert m["average_score"] == pytest.approx(exp_score)
        assert m["extent"] == pytest.approx(exp_extent)
        assert m["proportion_most_deprived_10"] == pytest.approx(exp_prop)
        assert m["average_rank"] == pytest.approx(np.average(N + 1 - g["IMD_rank"], weights=w))


def test_every_lsoa_has_imd_and_population(small_engine, synth):
    assert (
        scalar(
            small_engine,
            "SELECT count(*) FROM lsoa_stats WHERE imd_score IS NOT NULL "
            "AND imd_rank IS NOT NULL AND imd_decile IS NOT NULL AND population > 0",
        )
        == synth.n
    )


def test_adjacency_is_queen_contiguity(small_engine, synth):
    # a 12 x 10 grid: queen neighbours of interior cells are 8
    nx, ny = 12, 10
    pairs = 2 * (nx - 1) * ny + 2 * nx * (ny - 1) + 4 * (nx - 1) * (ny - 1)
    assert scalar(small_engine, "SELECT count(*) FROM lsoa_adjacency") == pairs


def test_missing_indicator_values_stay_missing(small_engine, synth):
    code = synth.lsoa["code"].iloc[3]
    v = scalar(small_engine, "SELECT mental_health FROM lsoa_stats WHERE code = :c", c=code)
    assert v is None
