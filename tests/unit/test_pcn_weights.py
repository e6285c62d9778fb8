"""Registrations to PCN weights, the attribution rule and the polygon rules, on small
hand-made frames."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geo.pcn import (
    PCN_COVERAGE_FLOOR,
    capped_shares,
    coverage_by,
    footprint_lsoas,
    listed,
    lsoa_coverage,
    pcn_attributes,
    pcn_lsoa_weights,
    pcn_records,
    practice_table,
    weight_rows,
)
from geo.registrations import REASONS, Extract, combine

L1, L2, L3 = "E01000001", "E01000002", "E01000003"

PMAP = pd.DataFrame(
    {
        "PRACTICE_CODE": ["P1", "P2", "P3", "P4", "P5"],
        "PRACTICE_NAME": ["one", "two", "three", "four", "five"],
        "PCN_CODE": ["UA", "UA", "UB", "U", "UC"],
        "PCN_NAME": ["PCN A", "PCN A", "PCN B", "Unallocated", "PCN C"],
        "ONS_SUB_ICB_LOCATION_CODE": ["E38000001", "E38000002", "E38000001", "E38000001", "X"],
        "SUB_ICB_LOCATION_NAME": ["sub 1", "sub 2", "sub 1", "sub 1", "x"],
        "ONS_ICB_CODE": ["E54000001", "E54000002", "E54000001", "E54000001", "E54000002"],
        "ICB_NAME": ["icb 1", "icb 2", "icb 1", "icb 1", "icb 2"],
    }
).set_index("PRACTICE_CODE")


def rows(*r):
    return pd.DataFrame(r, columns=["practice_code", "lsoa_code", "patients"])


def test_every_row_not_used_is_counted_with_its_reason():
    r = rows(
        ("P1", L1, 10),
        ("P2", L1, 5),
        ("P3", L1, 5),
        ("P3", L2, 7),
        ("P1", "W01000001", 2),
        ("P1", "S01000001", 1),
        ("P1", "CLOSED", 3),
        ("P1", "EMPTY", 4),
        ("P1", "L99999999", 1),
        ("P1", "E01999999", 6),  # English code, not a loaded LSOA21
        ("P4", L1, 9),  # unallocated practice
        ("P9", L1, 8),  # not in the map
        ("P5", L1, 0),  # closed: no patients
        ("P5", L2, 0),
    )
    c = combine([Extract("f", "01OCT2025", r)], {"f": "lsoa21"}, PMAP, [L1, L2, L3])
    got = c.removed.set_index("reason")[["rows", "patients", "practices"]].to_dict("index")
    assert got["practice_not_in_map"] == {"rows": 1, "patients": 8.0, "practices": 1}
    assert got["practice_not_in_pcn"] == {"rows": 1, "patients": 9.0, "practices": 1}
    assert got["closed_practice"] == {"rows": 2, "patients": 0.0, "practices": 1}
    assert got["welsh"]["patients"] == 2 and got["scottish"]["patients"] == 1
    assert got["crown_dependency"]["patients"] == 1
    assert got["placeholder"] == {"rows": 2, "patients": 7.0, "practices": 1}
    assert got["not_lsoa21"]["patients"] == 6
    # in the order of REASONS, every row counted once
    assert list(c.removed["reason"]) == [k for k in REASONS if k in got]
    assert c.rows["patients"].sum() == 27
    assert c.rows["patients"].sum() + c.removed["patients"].sum() == r["patients"].sum()
    assert c.rows.groupby("pcn_code")["patients"].sum().to_dict() == {"UA": 15.0, "UB": 12.0}
    assert c.superseded.empty


def test_an_lsoa11_extract_needs_the_crosswalk_and_a_known_geography():
    r = rows(("P1", L1, 10))
    with pytest.raises(ValueError, match="needs the LSOA11 -> LSOA21 crosswalk"):
        combine([Extract("f", "01JUL2022", r)], {"f": "lsoa11"}, PMAP, [L1])
    with pytest.raises(ValueError, match="LSOA geography 'oa21'"):
        combine([Extract("f", "01JUL2022", r)], {"f": "oa21"}, PMAP, [L1])
    with pytest.raises(ValueError, match="no registrations are left"):
        combine([Extract("f", "01JUL2022", rows(("P9", L1, 3)))], {"f": "lsoa21"}, PMAP, [L1])


def test_weights_sum_practices_and_shares_sum_to_one():
    w = pcn_lsoa_weights(
        pd.DataFrame(
            {
                "pcn_code": ["A", "A", "B", "B", "C"],
                "lsoa21_code": [L1, L1, L1, L2, L2],
                "patients": [10, 20, 10, 5, 15],
            }
        )
    ).set_index(["pcn_code", "lsoa21_code"])
    assert w.loc[("A", L1), "patients"] == 30
    assert w.loc[("A", L1), "share"] == pytest.approx(0.75)
    assert w.groupby("lsoa21_code")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_one_pcn_alone_with_a_handful_of_patients_serves_that_many_residents():
    """The phantom attribution of issue 13: a PCN alone in an LSOA of 1,600 residents
    with 4 of its patients. The old rule gave it the whole LSOA (share 1 of the patients
    loaded); the rule gives it 4 residents."""
    w = capped_shares(
        pd.DataFrame(
            {
                "pcn_code": ["FAR", "HOME", "OTHER"],
                "lsoa21_code": [L1, L2, L2],
                "patients": [4, 1500, 300],
            }
        ),
        pd.Series({L1: 1600.0, L2: 1700.0}),
    ).set_index(["pcn_code", "lsoa21_code"])
    far = w.loc[("FAR", L1)]
    assert far["share"] == 1.0  # of the patients loaded: the old rule
    assert far["pop_share"] * 1600 == pytest.approx(4.0)  # the rule
    assert far["coverage"] == pytest.approx(4 / 1600)
    assert not listed(far["coverage"])
    # where lists are larger than the census, shares of the patients
    assert w.loc[("HOME", L2), "pop_share"] == pytest.approx(1500 / 1800)
    assert w.loc[("HOME", L2), "coverage"] == 1.0
    cov = lsoa_coverage(w.reset_index())
    assert cov.to_dict() == pytest.approx({L1: 4 / 1600, L2: 1.0})
    assert PCN_COVERAGE_FLOOR == 0.05


def test_coverage_of_groups_counts_lsoas_without_registrations():
    cov = pd.Series({L1: 1.0, L2: 0.25})
    res = pd.Series({L1: 1000.0, L2: 400.0, L3: 600.0})
    groups = pd.Series({L1: "I1", L2: "I1", L3: "I2"})
    got = coverage_by(cov, res, groups, pd.Series({"I1": "one", "I2": "two"}))
    assert got.loc["I1", "attributed"] == 1100.0
    assert got.loc["I1", "coverage"] == pytest.approx(1100 / 1400)
    assert got.loc["I2", "coverage"] == 0.0 and got.loc["I2", "name"] == "two"


def test_polygon_rules():
    w = pd.DataFrame(
        {
            "pcn_code": ["A", "B", "A", "B", "C", "C"],
            "lsoa21_code": [L1, L1, L2, L2, L2, L3],
            "patients": [60.0, 40.0, 40.0, 35.0, 25.0, 5.0],
        }
    )
    w["lsoa_patients"] = w.groupby("lsoa21_code")["patients"].transform("sum")
    w["share"] = w["patients"] / w["lsoa_patients"]
    fp = footprint_lsoas(w)
    plural = fp[~fp["fallback"]].set_index("lsoa21_code")
    assert plural.loc[L1, "pcn_code"] == "A" and plural.loc[L2, "pcn_code"] == "A"
    assert plural.loc[L3, "pcn_code"] == "C"
    # B leads nowhere: drawn over its best LSOA (L1, share 0.4), flagged as a fallback
    assert fp[fp["pcn_code"] == "B"][["lsoa21_code", "fallback"]].values.tolist() == [[L1, True]]
    majority = footprint_lsoas(w, rule="min_share", min_share=0.5)
    assert set(majority.loc[~majority["fallback"], "lsoa21_code"]) == {L1, L3}
    cov = pd.Series({L1: 1.0, L2: 1.0, L3: 0.01})
    covered = footprint_lsoas(w, coverage=cov, min_coverage=0.5)
    # L3 is out of reach: not drawn, and C keeps a polygon where the registrations reach
    assert L3 not in set(covered["lsoa21_code"])
    assert covered[covered["pcn_code"] == "C"][["lsoa21_code", "fallback"]].values.tolist() == [
        [L2, True]
    ]
    only = footprint_lsoas(w[w["pcn_code"] == "C"].iloc[1:], coverage=cov, min_coverage=0.5)
    assert only[["lsoa21_code", "fallback"]].values.tolist() == [[L3, True]]  # nowhere else
    # a fallback goes where the registrations reach, if the PCN is there at all
    cov2 = pd.Series({L1: 0.01, L2: 1.0, L3: 1.0})
    fb = footprint_lsoas(w, coverage=cov2, min_coverage=0.5)
    assert fb[fb["pcn_code"] == "B"][["lsoa21_code", "fallback"]].values.tolist() == [[L2, True]]
    with pytest.raises(ValueError, match="unknown polygon rule"):
        footprint_lsoas(w, rule="largest")  # type: ignore[arg-type]


def test_pcn_rows_and_weights_for_the_area_table():
    r = rows(("P1", L1, 900), ("P2", L1, 100), ("P2", L2, 4), ("P3", L2, 800), ("P3", L3, 50))
    old = rows(("P1", L1, 700), ("P3", L2, 600))
    c = combine(
        [Extract("nhs/new.csv", "01OCT2025", r), Extract("nhs/old.csv", "01JUL2022", old)],
        {"nhs/new.csv": "lsoa21", "nhs/old.csv": "lsoa21"},
        PMAP,
        [L1, L2, L3],
    )
    assert set(c.rows["extract"]) == {"nhs/new.csv"}  # the later extract holds every practice
    assert c.superseded[["extract", "rows", "practices"]].values.tolist() == [["nhs/old.csv", 2, 2]]
    w = capped_shares(c.rows, pd.Series({L1: 1000.0, L2: 1000.0, L3: 1000.0}))
    drawn = footprint_lsoas(w)
    pcns = pcn_attributes(c.rows, PMAP)
    # PCN A's ICB is that of its practice with the most patients (P1, icb 1)
    assert pcns.loc["UA", ["name", "icb_code", "sicbl_code"]].tolist() == [
        "PCN A",
        "E54000001",
        "E38000001",
    ]
    practices = practice_table(c.rows, PMAP)
    assert practices[["practice_code", "patients"]].values.tolist() == [
        ["P1", 900.0],
        ["P2", 104.0],
        ["P3", 850.0],
    ]
    meta = {
        "nhs/new.csv": {
            "file": "nhs/new.csv",
            "extract_date": "2025-10-01",
            "publication": "2025-10",
        }
    }
    rec = pcn_records(
        w, drawn, pcns, practices, extracts=meta, polygon_rule="plurality", source="registrations"
    )
    assert rec["code"].tolist() == ["UA", "UB"]
    assert rec["vintage"].tolist() == ["2025-10", "2025-10"]
    assert rec["population"].tolist() == [1004.0, 850.0]
    props = json.loads(rec.loc[0, "properties"])
    assert props["extract"] == "nhs/new.csv" and props["extract_date"] == "2025-10-01"
    assert [p["code"] for p in props["practices"]] == ["P1", "P2"]
    assert props["icb_code"] == "E54000001" and props["source"] == "registrations"
    wr = weight_rows(w, drawn).set_index(["pcn_code", "lsoa21_code"])
    assert wr.loc[("UA", L1), "area_share"] == 1.0
    assert wr.loc[("UA", L2), "area_share"] == 0.0  # B leads L2
    assert wr.loc[("UA", L2), "pop_share"] == pytest.approx(4 / 1000)
    assert wr.loc[("UB", L3), "pop_share"] == pytest.approx(50 / 1000)
    assert wr.loc[("UB", L3), "population"] == 50.0
    assert np.allclose(wr.groupby(level=1)["pop_share"].sum(), [1.0, 0.804, 0.05])
