"""The national load: counts, invariants and values against the published files."""

import math

import numpy as np
import pandas as pd
import pytest
import xlrd
from sqlalchemy import text

pytestmark = [pytest.mark.db, pytest.mark.data]


def q(engine, sql, **p):
    with engine.connect() as c:
        return c.execute(text(sql), p).all()


def test_counts_by_kind(national_engine):
    counts = dict(q(national_engine, "SELECT kind, count(*) FROM area GROUP BY kind"))
    assert counts["lsoa21"] == 33_755
    assert counts["msoa21"] == 6_856
    assert counts["sicbl"] == 106
    assert counts["icb"] == 42
    assert counts["ltla"] == 296
    assert counts["lsoa11"] == 32_844


def test_every_lsoa_has_imd_2025_and_a_population(national_engine):
    ((n, full),) = q(
        national_engine,
        """
        SELECT count(*), count(*) FILTER (WHERE s.imd_score IS NOT NULL AND s.imd_rank IS NOT NULL
                                          AND s.imd_decile IS NOT NULL AND a.population > 0)
        FROM area a JOIN lsoa_stats s ON s.lsoa_id = a.id WHERE a.kind = 'lsoa21'""",
    )
    assert n == full == 33_755


def test_icb_population_shares_sum_to_one_and_areas_add_up(national_engine, data_dir):
    census = pd.read_csv(data_dir / "population" / "census21_lsoa21_residents_disability.csv")
    lookup = pd.read_csv(data_dir / "lookups" / "lsoa21_sicbl24_icb24.csv")
    expected = lookup.merge(census, on="lsoa21_code").groupby("icb24_code")["total_residents"].sum()
    rows = q(
        national_engine,
        """
        SELECT a.code, a.population, a.area_m2,
               sum(w.population / a.population) AS share_sum, sum(l.area_m2) AS lsoa_area,
               count(*) AS n
        FROM area a JOIN area_lsoa w ON w.area_id = a.id JOIN area l ON l.id = w.lsoa_id
        WHERE a.kind = 'icb' GROUP BY a.id""",
    )
    assert len(rows) == 42
    for code, pop, area, share_sum, lsoa_area, n in rows:
        assert pop == expected[code], code  # the census residents of its LSOAs (lookup)
        assert n == (lookup["icb24_code"] == code).sum(), code
        assert share_sum == pytest.approx(1.0, abs=1e-9), code
        assert abs(area - lsoa_area) / lsoa_area < 1e-4, code  # within 0.01%
    # every LSOA21 lies in exactly one ICB, wholly
    ((n_lsoa, n_once, n_whole),) = q(
        national_engine,
        """
        SELECT count(*), count(*) FILTER (WHERE k = 1), count(*) FILTER (WHERE whole)
        FROM (SELECT l.id, count(w.area_id) AS k,
                     bool_and(w.pop_share = 1 AND w.area_share = 1) AS whole
              FROM area l LEFT JOIN area_lsoa w ON w.lsoa_id = l.id AND w.kind = 'icb'
              WHERE l.kind = 'lsoa21' GROUP BY l.id) x""",
    )
    assert n_lsoa == n_once == n_whole == 33_755


def test_population_total_is_the_census(national_engine, data_dir):
    census = pd.read_csv(data_dir / "population" / "census21_lsoa21_residents_disability.csv")
    ((total,),) = q(national_engine, "SELECT sum(population) FROM area WHERE kind = 'icb'")
    assert total == pytest.approx(census["total_residents"].sum())
    assert 56_000_000 < total < 57_000_000


def test_imd_values_are_the_published_ones(national_engine, data_dir):
    imd = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21.csv").set_index("lsoa21_code")
    got = pd.DataFrame(
        q(
            national_engine,
            "SELECT code, imd_score, imd_rank, imd_decile, "
            "health_score, housing_rank FROM lsoa_stats",
        ),
        columns=["code", "s", "r", "d", "h", "hr"],
    ).set_index("code")
    got = got.loc[imd.index]
    assert np.allclose(got["s"], imd["IMD_score"])
    assert (got["r"] == imd["IMD_rank"]).all()
    assert (got["d"] == imd["IMD_decile"]).all()
    assert np.allclose(got["h"], imd["Health_score"])
    assert (got["hr"] == imd["Housing_and_Services_rank"]).all()
    # the published deciles are ceil(rank * 10 / 33,755): the rule extent relies on
    assert (np.ceil(imd["IMD_rank"] * 10 / 33_755) == imd["IMD_decile"]).all()


def test_health_indicators_are_loaded(national_engine, data_dir):
    ind = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21_indicators.csv").set_index(
        "lsoa21_code"
    )
    got = dict(q(national_engine, "SELECT code, acute_morbidity FROM lsoa_stats"))
    sample = ind.index[::997]
    for code in sample:
        exp = ind.loc[code, "acute_morbidity_indicator"]
        if math.isnan(exp):
            assert got[code] is None
        else:
            assert got[code] == pytest.approx(exp)


def test_imd_2019_is_carried_through_the_lookup(national_engine, data_dir):
    lk = pd.read_csv(data_dir / "lookups" / "lsoa11_lsoa21_ltla22.csv")
    i19 = pd.read_csv(data_dir / "deprivation" / "imd2019_lsoa11.csv").set_index("lsoa11_code")
    got = dict(q(national_engine, "SELECT code, imd2019_rank FROM lsoa_stats"))
    unchanged = lk[lk["change_code"] == "U"].head(200)
    for _, r in unchanged.iterrows():
        assert got[r["lsoa21_code"]] == i19.loc[r["lsoa11_code"], "IMD_rank"]
    split = lk[lk["change_code"] == "S"].head(50)  # children inherit their parent's rank
    for _, r in split.iterrows():
        assert got[r["lsoa21_code"]] == i19.loc[r["lsoa11_code"], "IMD_rank"]
    # a merged LSOA21 takes its parents' ranks weighted by their mid-2020 populations
    pop11 = pd.read_csv(data_dir / "population" / "mye2020_lsoa11_single_year_age.csv").set_index(
        "lsoa11_code"
    )["total_population"]
    merged = lk[lk["change_code"] == "M"]
    assert merged["lsoa21_code"].nunique() > 50
    for code, grp in merged.groupby("lsoa21_code"):
        p = pop11.loc[grp["lsoa11_code"]].to_numpy()
        r = i19.loc[grp["lsoa11_code"], "IMD_rank"].to_numpy()
        assert got[code] == pytest.approx((p * r).sum() / p.sum()), code


def test_healthy_life_expectancy_comes_from_the_xls(national_engine, data_dir):
    book = xlrd.open_workbook(str(data_dir / "health" / "ons_hle_msoa11_2009_2013.xls"))
    sh = book.sheet_by_name("MSOA_females")
    row = sh.row_values(8)
    msoa11, hle = row[0], row[3]
    lk11 = pd.read_csv(data_dir / "lookups" / "lsoa11_msoa11.csv")
    lk = pd.read_csv(data_dir / "lookups" / "lsoa11_lsoa21_ltla22.csv")
    l11 = lk11.loc[lk11["msoa11_code"] == msoa11, "lsoa11_code"]
    l21 = lk.loc[lk["lsoa11_code"].isin(l11) & (lk["change_code"] == "U"), "lsoa21_code"]
    got = dict(
        q(
            national_engine,
            "SELECT code, hle_female FROM lsoa_stats WHERE code = ANY(:c)",
            c=list(l21),
        )
    )
    assert got and all(v == pytest.approx(hle) for v in got.values())


def test_left_behind_flags(national_engine, data_dir):
    cni = pd.read_csv(data_dir / "community" / "cni2023_lsoa21.csv")
    ((n,),) = q(national_engine, "SELECT count(*) FROM lsoa_stats WHERE left_behind")
    assert n == int((cni["Left Behind Area?"].astype(str) == "True").sum()) > 0


def test_no_orphan_rows(national_engine):
    from depmap.core.db import orphan_counts

    with national_engine.connect() as c:
        assert set(orphan_counts(c).values()) == {0}
