"""LSOA11 -> LSOA21: splits, merges and counts."""

import pandas as pd
import pytest

from geo.crosswalk import carry_to_lsoa21, crosswalk_weights

LOOKUP = pd.DataFrame(
    {
        "lsoa11_code": ["U", "S", "S", "M1", "M2"],
        "lsoa21_code": ["u", "s1", "s2", "m", "m"],
    }
)
POP11 = pd.Series({"U": 1000.0, "S": 3000.0, "M1": 600.0, "M2": 200.0})
POP21 = pd.Series({"u": 1100.0, "s1": 1000.0, "s2": 2000.0, "m": 850.0})


def test_weights_split_by_2021_population_and_merge_by_2011_population():
    w = crosswalk_weights(LOOKUP, POP11, POP21).set_index(["lsoa11_code", "lsoa21_code"])
    assert w.loc[("S", "s1"), "from11"] == pytest.approx(1 / 3)
    assert w.loc[("S", "s2"), "from11"] == pytest.approx(2 / 3)
    assert w.loc[("S", "s1"), "to21"] == pytest.approx(1.0)
    assert w.loc[("M1", "m"), "to21"] == pytest.approx(0.75)
    assert w.loc[("M2", "m"), "to21"] == pytest.approx(0.25)


def test_intensive_values_inherit_or_average_and_counts_split_or_add():
    w = crosswalk_weights(LOOKUP, POP11, POP21)
    vals = pd.DataFrame(
        {"rank": [10.0, 20.0, 100.0, 200.0], "count": [5.0, 30.0, 6.0, 2.0]},
        index=pd.Index(["U", "S", "M1", "M2"], name="lsoa11_code"),
    )
    out = carry_to_lsoa21(vals, w, extensive={"count"})
    assert out.loc["s1", "rank"] == 20 and out.loc["s2", "rank"] == 20
    assert out.loc["m", "rank"] == pytest.approx(0.75 * 100 + 0.25 * 200)
    assert out.loc["s1", "count"] == pytest.approx(10) and out.loc["s2", "count"] == pytest.approx(
        20
    )
    assert out.loc["m", "count"] == pytest.approx(8)
    assert out["count"].sum() == pytest.approx(vals["count"].sum())  # totals kept


def test_missing_parent_values_stay_missing():
    w = crosswalk_weights(LOOKUP, POP11, POP21)
    vals = pd.DataFrame(
        {"x": [None, 1.0, 2.0, None]},
        index=pd.Index(["U", "S", "M1", "M2"], name="lsoa11_code"),
        dtype=float,
    )
    out = carry_to_lsoa21(vals, w)
    assert pd.isna(out.loc["u", "x"])
    assert out.loc["m", "x"] == 2.0  # the parent with a value speaks for the merge
