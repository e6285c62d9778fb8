"""Series on the LSOA21 atom: the catalogue, rank values, area aggregates and changes."""

import dataclasses
import doctest

import numpy as np
import pandas as pd
import pytest

import geo.series
from depmap.core.vocab import N_RANKED, Series
from geo.crosswalk import carry_to_lsoa21, crosswalk_weights
from geo.series import (
    BASELINE_FOLLOWUP,
    CATALOGUE,
    ENGLAND,
    area_values,
    baseline_followup,
    changes,
    column,
    counts_from_table,
    decile1,
    england_values,
    national_percentile,
    value_from_rank,
)


def test_docstring_examples_run():
    res = doctest.testmod(geo.series)
    assert res.attempted >= 10 and res.failed == 0


def test_catalogue_holds_the_series_with_their_years_and_kinds():
    expect = {
        "imd_decile1_share": ("rank", (2015, 2019, 2025), True),
        "imd_average_percentile": ("rank", (2015, 2019, 2025), False),
        "households_deprived_any": ("count", (2011, 2021), True),
        "households_deprived_2plus": ("count", (2011, 2021), True),
        "general_health_very_good": ("count", (2011, 2021), False),
        "general_health_bad": ("count", (2011, 2021), True),
    }
    for code, (kind, years, worse) in expect.items():
        s = CATALOGUE[code]
        assert (s.kind, s.years, s.higher_is_worse) == (kind, years, worse)
        assert s.baseline < s.followup and {s.baseline, s.followup} <= set(years)
        assert s.label and s.unit and s.source and s.note
    # rank series say they compare positions within editions
    for code in ("imd_decile1_share", "imd_average_percentile"):
        assert "never scores across editions" in CATALOGUE[code].note
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATALOGUE["general_health_bad"].baseline = 2021  # type: ignore[misc]


def test_an_inconsistent_series_is_refused():
    base = CATALOGUE["general_health_bad"]
    with pytest.raises(ValueError, match="baseline"):
        dataclasses.replace(base, baseline=2015)
    with pytest.raises(ValueError, match="before"):
        dataclasses.replace(base, baseline=2021, followup=2011)
    with pytest.raises(ValueError, match="numerator"):
        dataclasses.replace(base, numerator=())
    with pytest.raises(ValueError, match="rank_measure"):
        dataclasses.replace(CATALOGUE["imd_decile1_share"], rank_measure="")


def test_percentile_is_zero_for_the_most_deprived_with_each_editions_n():
    assert N_RANKED == {2015: 32_844, 2019: 32_844, 2025: 33_755}
    s = CATALOGUE["imd_average_percentile"]
    r = np.array([1.0, 1000.0, 32_844.0])
    assert value_from_rank(s, r, 2015) == pytest.approx([0.0, 99_900 / 32_844, 100 - 100 / 32_844])
    assert value_from_rank(s, r, 2025) == pytest.approx([0.0, 99_900 / 33_755, 3_284_300 / 33_755])
    # the same position (a tenth of the way down) gives the same percentile in both editions
    assert national_percentile(3_284.4 + 1, 32_844) == pytest.approx(10.0)
    assert national_percentile(3_375.5 + 1, 33_755) == pytest.approx(10.0)


def test_decile_one_from_the_carried_rank_or_the_published_decile():
    # ceil(rank * 10 / 32844) == 1 up to rank 3284.4 (a merged LSOA's mean rank may be fractional)
    r = np.array([1.0, 3284.0, 3284.3, 3284.5, 20_000.0, np.nan])
    assert np.array_equal(decile1(r, 32_844), [1, 1, 1, 0, 0, np.nan], equal_nan=True)
    s = CATALOGUE["imd_decile1_share"]
    assert value_from_rank(s, r[:5], 2019).tolist() == [1, 1, 1, 0, 0]
    # 2025: the published decile wins over the rank
    got = value_from_rank(s, np.array([10.0, 10.0]), 2025, decile=np.array([1.0, 2.0]))
    assert got.tolist() == [1.0, 0.0]
    assert value_from_rank(s, np.array([3375.0, 3376.0]), 2025).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError):
        value_from_rank(CATALOGUE["general_health_bad"], r, 2019)


def test_counts_from_census_tables():
    hh = pd.DataFrame(
        {
            "households_deprived_in_0_dimensions": [50, 10],
            "households_deprived_in_1_dimensions": [30, 20],
            "households_deprived_in_2_dimensions": [15, 40],
            "households_deprived_in_3_dimensions": [4, 20],
            "households_deprived_in_4_dimensions": [1, 10],
            "households_total": [100, 100],
        }
    )
    anyd = counts_from_table(CATALOGUE["households_deprived_any"], hh)
    assert anyd["num"].tolist() == [50, 90]  # total minus deprived in none
    assert anyd["den"].tolist() == [100, 100]
    two = counts_from_table(CATALOGUE["households_deprived_2plus"], hh)
    assert two["num"].tolist() == [20, 70]
    gh = pd.DataFrame(
        {"very_good": [40.0, 5], "bad": [3.0, np.nan], "very_bad": [2.0, 1], "total": [80, 9]}
    )
    bad = counts_from_table(CATALOGUE["general_health_bad"], gh)
    assert bad["num"].iloc[0] == 5 and np.isnan(bad["num"].iloc[1])  # a missing cell is missing
    with pytest.raises(ValueError):
        counts_from_table(CATALOGUE["imd_decile1_share"], gh)


def frame(ids, **cols):
    return pd.DataFrame(cols, index=pd.Index(ids, name="lsoa_id"), dtype=float)


def test_count_series_is_weighted_sum_over_weighted_sum_and_skips_missing_pairs():
    code = "households_deprived_any"
    lsoa = frame(
        ["a", "b", "c"],
        **{
            column(code, 2011, "num"): [60, 20, 10],
            column(code, 2011, "den"): [100, 50, 40],
            column(code, 2021, "num"): [50, np.nan, 5],
            column(code, 2021, "den"): [100, 50, 40],
        },
    )
    w = pd.DataFrame(
        {
            "area_id": [1, 1, 1, 2, 2],
            "lsoa_id": ["a", "b", "c", "c", "zz"],  # zz is not an LSOA of the frame
            "pop_share": [1.0, 0.5, 0.25, 0.75, 1.0],
        }
    )
    v = area_values(lsoa, w).loc[1]
    assert v.loc[(code, 2011), "value"] == pytest.approx(100 * (60 + 10 + 2.5) / (100 + 25 + 10))
    # b has no 2021 numerator: it leaves both sums in 2021
    assert v.loc[(code, 2021), "value"] == pytest.approx(100 * (50 + 1.25) / (100 + 10))
    assert v.loc[(code, 2021), "denominator"] == pytest.approx(110)
    assert v.loc[(code, 2011), "n_lsoa"] == 3 and v.loc[(code, 2021), "n_lsoa"] == 2
    v2 = area_values(lsoa, w).loc[2]
    assert v2.loc[(code, 2011), "value"] == pytest.approx(25.0)
    assert v2.loc[(code, 2011), "n_lsoa"] == 1


def test_rank_series_use_census_2021_residents_times_share_for_every_edition():
    lsoa = frame(
        [10, 11, 12],
        population=[1000, 3000, 2000],
        **{
            "imd_average_percentile_2015_value": [2.0, 30.0, 80.0],
            "imd_average_percentile_2025_value": [4.0, 20.0, np.nan],
            "imd_decile1_share_2015_value": [1.0, 0.0, 0.0],
        },
    )
    w = pd.DataFrame({"area_id": "A", "lsoa_id": [10, 11, 12], "pop_share": [1.0, 1.0, 0.5]})
    v = area_values(lsoa, w, ["imd_average_percentile", CATALOGUE["imd_decile1_share"]])
    p15 = (2 * 1000 + 30 * 3000 + 80 * 1000) / 5000
    p25 = (4 * 1000 + 20 * 3000) / 4000
    assert v.loc[("A", "imd_average_percentile", 2015), "value"] == pytest.approx(p15)
    assert v.loc[("A", "imd_average_percentile", 2025), "value"] == pytest.approx(p25)
    assert v.loc[("A", "imd_decile1_share", 2015), "value"] == pytest.approx(100 * 1000 / 5000)
    assert ("A", "imd_decile1_share", 2025) not in v.index  # no column: no row
    ch = changes(v).loc[("A", "imd_average_percentile")]
    assert (ch["baseline_year"], ch["followup_year"]) == (2015, 2025)
    assert ch["change"] == pytest.approx(p25 - p15)


def test_many_areas_at_once_agree_with_one_area_at_a_time():
    rng = np.random.default_rng(5)
    n = 60
    ids = [f"E{i:03d}" for i in range(n)]
    cols = {"population": rng.integers(1000, 3000, n)}
    for y in (2011, 2021):
        den = rng.integers(300, 900, n)
        cols[column("general_health_bad", y, "num")] = rng.binomial(den, 0.06)
        cols[column("general_health_bad", y, "den")] = den
    for y in (2015, 2019, 2025):
        cols[column("imd_average_percentile", y, "value")] = rng.uniform(0, 100, n)
    lsoa = frame(ids, **cols)
    w = pd.DataFrame(
        {
            "area_id": rng.integers(0, 7, 150),
            "lsoa_id": rng.choice(ids, 150),
            "pop_share": rng.uniform(0.1, 1.0, 150),
        }
    ).drop_duplicates(["area_id", "lsoa_id"])
    got = area_values(lsoa, w)
    for a, g in w.groupby("area_id"):
        j = g.join(lsoa, on="lsoa_id")
        s = j["pop_share"]
        for y in (2011, 2021):
            want = 100 * (s * j[f"general_health_bad_{y}_num"]).sum()
            want /= (s * j[f"general_health_bad_{y}_den"]).sum()
            assert got.loc[(a, "general_health_bad", y), "value"] == pytest.approx(want)
        for y in (2015, 2019, 2025):
            pw = s * j["population"]
            want = (pw * j[f"imd_average_percentile_{y}_value"]).sum() / pw.sum()
            assert got.loc[(a, "imd_average_percentile", y), "value"] == pytest.approx(want)
    # England: every LSOA with weight 1
    eng = england_values(lsoa, ["general_health_bad"])
    assert eng.loc[(ENGLAND, "general_health_bad", 2021), "value"] == pytest.approx(
        100 * cols["general_health_bad_2021_num"].sum() / cols["general_health_bad_2021_den"].sum()
    )
    assert eng.loc[(ENGLAND, "general_health_bad", 2021), "n_lsoa"] == n


def test_counts_carried_from_lsoa11_keep_england_and_split_by_population():
    # U unchanged, S split in two (2021 populations 1:3), M1 + M2 merged
    lookup = pd.DataFrame(
        {"lsoa11_code": ["U", "S", "S", "M1", "M2"], "lsoa21_code": ["u", "s1", "s2", "m", "m"]}
    )
    pop11 = pd.Series({"U": 1000.0, "S": 2000.0, "M1": 600.0, "M2": 400.0})
    pop21 = pd.Series({"u": 1000.0, "s1": 500.0, "s2": 1500.0, "m": 1000.0})
    cw = crosswalk_weights(lookup, pop11, pop21)
    c11 = pd.DataFrame(
        {"bad": [50.0, 200.0, 30.0, 10.0], "total": [1000.0, 2000.0, 600.0, 400.0]},
        index=pd.Index(["U", "S", "M1", "M2"], name="lsoa11_code"),
    )
    carried = carry_to_lsoa21(c11, cw, extensive={"bad", "total"})
    lsoa = frame(
        ["u", "s1", "s2", "m"],
        **{
            "general_health_bad_2011_num": carried.loc[["u", "s1", "s2", "m"], "bad"],
            "general_health_bad_2011_den": carried.loc[["u", "s1", "s2", "m"], "total"],
        },
    )
    assert lsoa.loc["s1", "general_health_bad_2011_num"] == pytest.approx(50)  # a quarter of 200
    assert lsoa.loc["m", "general_health_bad_2011_num"] == pytest.approx(40)  # summed
    eng = england_values(lsoa).loc[(ENGLAND, "general_health_bad", 2011), "value"]
    assert eng == pytest.approx(100 * 290 / 4000)


def test_changes_take_each_series_years_or_the_ones_asked():
    lsoa = frame(
        ["a"],
        population=[100],
        **{
            "imd_decile1_share_2015_value": [1.0],
            "imd_decile1_share_2019_value": [1.0],
            "imd_decile1_share_2025_value": [0.0],
        },
    )
    v = england_values(lsoa)
    assert changes(v).loc[(ENGLAND, "imd_decile1_share"), "change"] == -100
    assert changes(v, followup=2019).loc[(ENGLAND, "imd_decile1_share"), "change"] == 0
    assert changes(v, baseline=2011).empty  # no 2011 for this series


def test_baseline_followup_frame_for_evaluation():
    code = "general_health_very_good"
    lsoa = frame(
        ["a", "b"],
        **{
            column(code, 2011, "num"): [40, 50],
            column(code, 2011, "den"): [100, 100],
            column(code, 2021, "num"): [45, np.nan],
            column(code, 2021, "den"): [110, 100],
        },
    )
    bf = baseline_followup(lsoa, CATALOGUE[code])
    assert tuple(bf.columns) == BASELINE_FOLLOWUP
    assert bf.loc["a"].tolist() == [40, 100, 45, 110]
    assert np.isnan(bf.loc["b", "followup_num"])


def test_a_series_not_in_the_catalogue_can_be_passed():
    s = Series(
        code="x",
        label="x",
        unit="%",
        years=(2000, 2010),
        source="test",
        higher_is_worse=True,
        kind="count",
        baseline=2000,
        followup=2010,
        note="",
        numerator=("n",),
        denominator="d",
    )
    lsoa = frame(
        ["a"], **{"x_2000_num": [1], "x_2000_den": [4], "x_2010_num": [3], "x_2010_den": [4]}
    )
    v = area_values(lsoa, pd.DataFrame({"area_id": [1], "lsoa_id": ["a"], "pop_share": [1.0]}), [s])
    assert changes(v, catalogue={"x": s})["change"].tolist() == [50.0]
