"""Registrations from several extracts (geo.registrations), on small frames worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geo.registrations as georeg
from geo.crosswalk import crosswalk_weights
from geo.pcn import capped_shares
from geo.registrations import (
    Extract,
    assign_pcns,
    carry_to_lsoa21,
    icb_summary,
    latest_wins,
    place_lsoa21,
    publication_date,
)

# LSOA11 -> LSOA21: U unchanged, S split 1:3 by 2021 population, M1 + M2 merged,
# X1 split 1:3 into x1 and x2 with X2 also going into x2 (complex).
U11, S11, M1, M2, X1, X2 = (f"E0100000{i}" for i in range(1, 7))
U21, S21A, S21B, M21, X21A, X21B = (f"E0110000{i}" for i in range(1, 7))
LOOKUP = pd.DataFrame(
    {
        "lsoa11_code": [U11, S11, S11, M1, M2, X1, X1, X2],
        "lsoa21_code": [U21, S21A, S21B, M21, M21, X21A, X21B, X21B],
    }
)
POP11 = pd.Series({U11: 1500.0, S11: 3000.0, M1: 600.0, M2: 200.0, X1: 900.0, X2: 700.0})
POP21 = pd.Series({U21: 1550.0, S21A: 1000.0, S21B: 3000.0, M21: 850.0, X21A: 100.0, X21B: 300.0})
XW = crosswalk_weights(LOOKUP, POP11, POP21)


def rows11(*rows):
    return pd.DataFrame(rows, columns=["practice_code", "lsoa11_code", "patients"])


def rows21(*rows):
    return pd.DataFrame(rows, columns=["practice_code", "lsoa21_code", "patients"])


def as_dict(df, key=("practice_code", "lsoa21_code"), value="patients"):
    return {tuple(k): v for k, v in zip(df[list(key)].values.tolist(), df[value], strict=True)}


# ---------------------------------------------------------------- carry_to_lsoa21


def test_carry_unchanged_split_merge_and_complex():
    c = carry_to_lsoa21(
        rows11(
            ("P1", U11, 12),
            ("P1", S11, 40),  # split 1000:3000 -> 10 and 30
            ("P1", M1, 3),  # merged: 3 + 4
            ("P1", M2, 4),
            ("P2", X1, 8),  # x1 gets 100/400 of X1, x2 300/400
            ("P2", X2, 5),  # all to x2: 6 + 5
        ),
        XW,
    )
    assert as_dict(c.rows) == pytest.approx(
        {
            ("P1", U21): 12.0,
            ("P1", S21A): 10.0,
            ("P1", S21B): 30.0,
            ("P1", M21): 7.0,
            ("P2", X21A): 2.0,
            ("P2", X21B): 11.0,
        }
    )
    assert c.rows["patients"].dtype == np.float64
    assert c.rows[["practice_code", "lsoa21_code"]].values.tolist() == sorted(
        c.rows[["practice_code", "lsoa21_code"]].values.tolist()
    )
    assert c.unplaced.empty


def test_carry_reports_what_it_cannot_place_and_keeps_practice_totals():
    r = rows11(
        ("P1", S11, 40),
        ("P1", "NO2011", 9),  # no LSOA of residence
        ("P1", "W01000100", 2),  # Welsh
        ("P2", " e01000003 ", 6),  # M1, written loosely
        ("P2", "E01999999", 5),  # English, not in the lookup
        ("P2", "CLOSED", 1),
        ("P2", None, 1),
        ("P3", "NO2011", 4),  # a practice with no placed row
    )
    c = carry_to_lsoa21(r, XW)
    assert dict(zip(c.unplaced["lsoa_code"], c.unplaced["reason"], strict=True)) == {
        "NO2011": "no_lsoa",
        "W01000100": "welsh",
        "E01999999": "not_lsoa11",
        "CLOSED": "placeholder",
        "": "placeholder",
    }
    assert c.unplaced["patients"].sum() == 9 + 2 + 5 + 1 + 1 + 4
    assert c.summary().loc["no_lsoa"].to_dict() == {"rows": 2, "patients": 13.0, "practices": 2}
    # placed totals per practice kept: P1 40, P2 6 (P3 has none placed)
    assert c.rows.groupby("practice_code")["patients"].sum().to_dict() == pytest.approx(
        {"P1": 40.0, "P2": 6.0}
    )
    assert as_dict(c.rows)[("P2", M21)] == pytest.approx(6.0)
    # nothing lost: placed + unplaced = read
    assert c.rows["patients"].sum() + c.unplaced["patients"].sum() == r["patients"].sum()


def test_carry_takes_categorical_codes_as_text():
    r = rows11(("P1", S11, 40), ("p1", "NO2011", 9))
    cat = r.astype({"practice_code": "category", "lsoa11_code": "category"})
    a, b = carry_to_lsoa21(r, XW), carry_to_lsoa21(cat, XW)
    pd.testing.assert_frame_equal(a.rows, b.rows)
    pd.testing.assert_frame_equal(a.unplaced, b.unplaced)
    assert b.unplaced["practice_code"].tolist() == ["P1"]  # upper-cased


def test_carry_refuses_bad_input():
    with pytest.raises(ValueError, match="patients must be numbers >= 0"):
        carry_to_lsoa21(rows11(("P1", U11, -1)), XW)
    with pytest.raises(ValueError, match="patients must be numbers >= 0"):
        carry_to_lsoa21(rows11(("P1", U11, "many")), XW)
    with pytest.raises(ValueError, match="missing column"):
        carry_to_lsoa21(rows21(("P1", U21, 1)), XW)
    with pytest.raises(ValueError, match="from11 must sum to 1"):
        carry_to_lsoa21(rows11(("P1", U11, 1)), XW.assign(from11=0.5))
    with pytest.raises(ValueError, match="no practice_code"):
        carry_to_lsoa21(rows11((None, U11, 1)), XW)


def test_place_lsoa21_sums_rows_and_classifies_the_rest():
    p = place_lsoa21(
        rows21(
            ("A", U21, 5),
            ("A", U21.lower(), 1),
            ("A", "S01012345", 2),
            ("A", "N21000624", 1),
            ("A", "L99999999", 1),
            ("A", "E01999999", 3),
            ("B", "EMPTY", 4),
        ),
        [U21, S21A],
    )
    assert p.rows.values.tolist() == [["A", U21, 6.0]]
    assert dict(zip(p.unplaced["lsoa_code"], p.unplaced["reason"], strict=True)) == {
        "S01012345": "scottish",
        "N21000624": "northern_irish",
        "L99999999": "crown_dependency",
        "E01999999": "not_lsoa21",
        "EMPTY": "placeholder",
    }


# ---------------------------------------------------------------- latest_wins


OLD = rows11(("P1", U11, 10), ("P2", U11, 20), ("P2", S11, 40), ("P4", "NO2011", 3))
NEW = rows21(("P2", U21, 25), ("P3", U21, 7), ("P4", "CLOSED", 1))


def test_latest_wins_keeps_each_practice_from_its_latest_extract():
    lw = latest_wins([Extract("jul2022", "01JUL2022", OLD), Extract("oct2025", "01OCT2025", NEW)])
    src = lw.sources.set_index("practice_code")
    assert src["extract"].to_dict() == {
        "P1": "jul2022",
        "P2": "oct2025",
        "P3": "oct2025",
        "P4": "oct2025",  # held by the new extract, even only in a placeholder row
    }
    assert src["superseded"].to_dict() == {"P1": "", "P2": "jul2022", "P3": "", "P4": "jul2022"}
    assert src["patients"].to_dict() == {"P1": 10, "P2": 25, "P3": 7, "P4": 1}
    assert src["rows"].to_dict() == {"P1": 1, "P2": 1, "P3": 1, "P4": 1}
    assert src.loc["P2", "published"] == pd.Timestamp("2025-10-01")
    # each practice's rows come from one extract only: P2's 2022 rows are gone
    kept = lw.rows
    assert kept.groupby("practice_code")["extract"].nunique().max() == 1
    assert kept.loc[kept["practice_code"] == "P2", "patients"].tolist() == [25]
    assert kept["patients"].sum() == 10 + 25 + 7 + 1


def test_latest_wins_does_not_depend_on_the_order_given():
    a = latest_wins([Extract("old", "2022-07-01", OLD), Extract("new", "2025-10-01", NEW)])
    b = latest_wins([Extract("new", "2025-10-01", NEW), Extract("old", "2022-07-01", OLD)])
    pd.testing.assert_frame_equal(a.sources, b.sources)
    key = ["practice_code", "extract", "patients"]
    assert sorted(a.rows[key].values.tolist()) == sorted(b.rows[key].values.tolist())


def test_latest_wins_with_three_extracts_and_a_same_date_pair_of_other_practices():
    e2019 = rows21(("P1", U21, 1), ("P2", U21, 2))
    e2022 = rows21(("P1", U21, 3))
    e2022b = rows21(("P2", U21, 4))  # same date, other practice: no tie
    lw = latest_wins(
        [
            Extract("2019", "2019-07-01", e2019),
            Extract("2022", "2022-07-01", e2022),
            Extract("2022b", "2022-07-01", e2022b),
        ]
    )
    src = lw.sources.set_index("practice_code")
    assert src["extract"].to_dict() == {"P1": "2022", "P2": "2022b"}
    assert src["superseded"].to_dict() == {"P1": "2019", "P2": "2019"}


def test_latest_wins_refuses_a_practice_in_two_extracts_of_the_same_date():
    with pytest.raises(
        ValueError, match=r"2 practices are in two extracts of the same date, e.g. P2, P4"
    ):
        latest_wins([Extract("a", "01OCT2025", OLD), Extract("b", "2025-10-01", NEW)])
    with pytest.raises(ValueError, match="names repeat"):
        latest_wins([Extract("a", "01OCT2025", OLD), Extract("a", "01JUL2022", NEW)])
    with pytest.raises(ValueError, match="no extracts"):
        latest_wins([])
    with pytest.raises(ValueError, match="publication date"):
        latest_wins([Extract("a", "October 2025", OLD)])


def test_publication_dates():
    assert publication_date("01oct2025") == pd.Timestamp("2025-10-01")
    assert publication_date(pd.Timestamp("2022-07-01").date()) == pd.Timestamp("2022-07-01")


# ---------------------------------------------------------------- capped_shares


def shares(rows, residents):
    df = pd.DataFrame(rows, columns=["pcn_code", "lsoa21_code", "patients"])
    return capped_shares(df, pd.Series(residents, dtype=float)).set_index(
        ["pcn_code", "lsoa21_code"]
    )


def test_a_handful_of_patients_does_not_make_a_pcn_serve_the_lsoa():
    # 5 patients of a distant PCN in an LSOA of 1,500 residents
    s = shares([("FAR", "L1", 5)], {"L1": 1500})
    assert s.loc[("FAR", "L1"), "share"] == 1.0  # the old rule: the whole LSOA
    assert s.loc[("FAR", "L1"), "pop_share"] == pytest.approx(5 / 1500)  # 0.00333
    assert s.loc[("FAR", "L1"), "coverage"] == pytest.approx(0.003333, abs=1e-6)
    assert s.loc[("FAR", "L1"), "pop_share"] * 1500 == pytest.approx(5.0)


def test_shares_are_of_patients_where_they_reach_the_residents_else_one_per_patient():
    s = shares(
        [
            ("A", "UNDER", 300),
            ("B", "UNDER", 100),  # 400 patients, 1,000 residents
            ("A", "OVER", 900),
            ("B", "OVER", 300),  # 1,200 patients, 1,000 residents
            ("A", "EXACT", 250),
            ("B", "EXACT", 750),
        ],
        {"UNDER": 1000, "OVER": 1000, "EXACT": 1000},
    )
    assert s["pop_share"].to_dict() == pytest.approx(
        {
            ("A", "UNDER"): 0.3,
            ("B", "UNDER"): 0.1,
            ("A", "OVER"): 0.75,
            ("B", "OVER"): 0.25,
            ("A", "EXACT"): 0.25,
            ("B", "EXACT"): 0.75,
        }
    )
    cov = s.groupby("lsoa21_code")["coverage"].first().to_dict()
    assert cov == pytest.approx({"UNDER": 0.4, "OVER": 1.0, "EXACT": 1.0})
    assert s.groupby("lsoa21_code")["pop_share"].sum().to_dict() == pytest.approx(cov)
    assert s.loc[("A", "UNDER"), "lsoa_patients"] == 400.0
    assert s.loc[("A", "UNDER"), "share"] == 0.75


def test_residents_missing_or_zero_count_as_the_patients():
    s = shares([("A", "NONE", 3), ("B", "NONE", 1), ("A", "ZERO", 2)], {"ZERO": 0})
    assert s["pop_share"].to_dict() == pytest.approx(
        {("A", "NONE"): 0.75, ("B", "NONE"): 0.25, ("A", "ZERO"): 1.0}
    )
    assert s["coverage"].tolist() == [1.0, 1.0, 1.0]
    assert np.isnan(s.loc[("A", "NONE"), "residents"])
    assert s.loc[("A", "ZERO"), "residents"] == 0.0


def test_practice_rows_are_summed_per_pcn_and_empty_rows_dropped():
    s = shares([("A", "L", 2), ("A", "L", 3), ("B", "L", 0)], {"L": 100})
    assert s.index.tolist() == [("A", "L")]
    assert s.loc[("A", "L"), "pop_share"] == pytest.approx(0.05)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["L1", "L2", "L3", "L4"]),
            st.integers(0, 5000) | st.floats(0.25, 5000),  # carried counts can be fractional
        ),
        min_size=1,
        max_size=20,
    ),
    st.lists(st.integers(0, 5000), min_size=4, max_size=4),
)
def test_never_more_residents_than_patients(rows, res):
    residents = dict(zip(["L1", "L2", "L3", "L4"], res, strict=True))
    s = shares(rows, residents)
    if s.empty:
        return
    r = s["residents"].where(s["residents"] > 0, s["lsoa_patients"])
    assert (s["pop_share"] * r <= s["patients"] * (1 + 1e-12) + 1e-9).all()
    by = s.groupby("lsoa21_code")
    assert np.allclose(by["pop_share"].sum(), by["coverage"].first())
    assert (s["coverage"] <= 1.0).all() and (s["coverage"] > 0).all()


# ---------------------------------------------------------------- PCNs and ICBs

PMAP = pd.DataFrame(
    {
        "PRACTICE_CODE": ["P1", "P2", "P3", "P4", "P5"],
        "PCN_CODE": ["UA", "UA", "UB", "UC", "U"],
        "PCN_NAME": ["PCN A", "PCN A", "PCN B", "PCN C", "Unallocated"],
        "ONS_ICB_CODE": ["E54000008", "E54000010", "E54000010", "E54000010", "E54000008"],
        "ICB_NAME": ["Cheshire", "Staffs", "Staffs", "Staffs", "Cheshire"],
    }
).set_index("PRACTICE_CODE")


def test_assign_pcns_reports_practices_not_in_map_or_in_no_pcn():
    r = rows21(("P1", U21, 1.0), ("P5", U21, 2.0), ("P9", U21, 3.0), (" p3", U21, 4.0))
    kept, removed = assign_pcns(r, PMAP)
    assert kept[["practice_code", "pcn_code"]].values.tolist() == [["P1", "UA"], [" p3", "UB"]]
    assert removed[["practice_code", "reason"]].values.tolist() == [
        ["P5", "practice_not_in_pcn"],
        ["P9", "practice_not_in_map"],
    ]
    # the map may also come with PRACTICE_CODE as a column
    k2, _ = assign_pcns(r, PMAP.reset_index())
    pd.testing.assert_frame_equal(kept, k2)


def test_from_two_extracts_to_capped_pcn_shares_and_an_icb_summary():
    # 2022 national file on LSOA11: P1 (Cheshire), P2 (Staffs, superseded), P9 (closed since)
    national = rows11(
        ("P1", U11, 1400),
        ("P1", "NO2011", 10),
        ("P2", U11, 50),
        ("P2", S11, 4000),
        ("P9", S11, 200),
    )
    # 2025 ICB file on LSOA21: P2 and P3 (Staffs); P2 has 4 patients in the Cheshire LSOA
    icb = rows21(("P2", U21, 4), ("P2", S21B, 2900), ("P3", S21A, 900), ("P3", "CLOSED", 6))
    lw = latest_wins(
        [Extract("nat2022", "01JUL2022", national), Extract("icb2025", "01OCT2025", icb)]
    )
    c = carry_to_lsoa21(lw.rows[lw.rows["extract"] == "nat2022"], XW)
    p = place_lsoa21(lw.rows[lw.rows["extract"] == "icb2025"], POP21.index)
    placed = pd.concat([c.rows, p.rows], ignore_index=True)
    # P9's 200 in S11 carried 1:3 (50, 150) but the practice is not in the map
    kept, removed = assign_pcns(placed, PMAP)
    assert removed["patients"].sum() == pytest.approx(200.0)
    s = capped_shares(kept, POP21).set_index(["pcn_code", "lsoa21_code"])
    # U21 (1,550 residents): 1,400 of P1 (PCN A) + 4 of P2 (PCN A too) -> 1,404 < 1,550
    assert s.loc[("UA", U21), "pop_share"] == pytest.approx(1404 / 1550)
    # S21A (1,000 residents): 900 of P3 (PCN B) -> 0.9; S21B (3,000): 2,900 of P2 (PCN A)
    assert s.loc[("UB", S21A), "pop_share"] == pytest.approx(0.9)
    assert s.loc[("UA", S21B), "pop_share"] == pytest.approx(2900 / 3000)
    assert len(s) == 3
    summary = icb_summary(lw.sources, placed, PMAP)
    got = {
        (r.icb_code, r.extract): (
            r.practices,
            r.patients_read,
            r.patients_placed,
            r.patients_in_pcn,
        )
        for r in summary.itertuples()
    }
    assert got == {
        ("", "nat2022"): (1, 200, 200.0, 0.0),
        ("E54000008", "nat2022"): (1, 1410, 1400.0, 1400.0),
        ("E54000010", "icb2025"): (2, 3810, 3804.0, 3804.0),
    }
    assert summary.loc[summary["icb_code"] == "", "icb_name"].item() == georeg.NOT_IN_MAP[1]


# ---------------------------------------------------------------- detect_geography

# one unchanged LSOA (same code in both), two of 2011 only, two of 2021 only
SAME, OLD1, OLD2, NEW1, NEW2 = "E01000100", "E01000101", "E01000102", "E01000201", "E01000202"
L11 = [SAME, OLD1, OLD2]
L21 = [SAME, NEW1, NEW2]


def test_geography_is_told_by_the_codes_of_one_side():
    g = georeg.detect_geography([SAME, OLD1, OLD2, "NO2011", "W01000001"], L11, L21, "01OCT2025")
    assert (g.name, g.by, g.only11, g.only21, g.english) == ("lsoa11", "codes", 2, 0, 3)
    g = georeg.detect_geography([SAME, NEW1, " e01000202 ", "CLOSED"], L11, L21, "01JUL2022")
    assert (g.name, g.by, g.only21) == ("lsoa21", "codes", 2)


def test_geography_falls_back_to_the_extract_date_when_the_codes_cannot_tell():
    old = georeg.detect_geography([SAME], L11, L21, "01JUL2022")
    new = georeg.detect_geography([SAME], L11, L21, "01OCT2025")
    assert (old.name, old.by) == ("lsoa11", "extract date")
    assert (new.name, new.by) == ("lsoa21", "extract date")


def test_unknown_geographies_are_refused():
    with pytest.raises(ValueError, match="no English LSOA codes"):
        georeg.detect_geography(["W01000001", "NO2011"], L11, L21, "01JUL2022", what="f.csv")
    with pytest.raises(ValueError, match=r"f.csv: unknown LSOA geography: 2 of its 3"):
        georeg.detect_geography(
            ["E01999998", "E01999999", SAME], L11, L21, "01JUL2022", what="f.csv"
        )
    with pytest.raises(ValueError, match="2 codes of 2011 LSOAs only and 2 of 2021"):
        georeg.detect_geography([OLD1, OLD2, NEW1, NEW2], L11, L21, "01JUL2022")
    with pytest.raises(ValueError, match="publication date"):
        georeg.detect_geography([SAME], L11, L21, "July 2022")


def test_combine_carries_the_old_extract_and_counts_what_was_superseded():
    old = pd.DataFrame(
        {
            "practice_code": ["P1", "P1", "P2", "P9"],
            "lsoa_code": [S11, "NO2011", S11, U11],
            "patients": [40, 3, 8, 5],
        }
    )
    new = pd.DataFrame({"practice_code": ["P2"], "lsoa_code": [S21A], "patients": [10]})
    c = georeg.combine(
        [Extract("old", "01JUL2022", old), Extract("new", "01OCT2025", new)],
        {"old": "lsoa11", "new": "lsoa21"},
        PMAP,
        POP21.index,
        XW,
    )
    assert as_dict(c.rows) == pytest.approx(
        {("P2", S21A): 10.0, ("P1", S21A): 10.0, ("P1", S21B): 30.0}
    )
    assert c.rows.set_index("practice_code")["extract"].to_dict() == {"P2": "new", "P1": "old"}
    assert c.superseded.values.tolist() == [["old", 1, 8.0, 1]]
    rem = c.removed.set_index("reason")
    assert rem.loc["practice_not_in_map", ["extract", "rows", "patients"]].tolist() == [
        "old",
        1,
        5.0,
    ]
    assert rem.loc["no_lsoa", "patients"] == 3.0
    # nothing lost: read = superseded + removed + used
    assert old["patients"].sum() + new["patients"].sum() == pytest.approx(
        c.superseded["patients"].sum() + c.removed["patients"].sum() + c.rows["patients"].sum()
    )
    icbs = c.icbs.set_index(["icb_code", "extract"])
    assert icbs.loc[("E54000010", "new"), "patients_in_pcn"] == 10.0
