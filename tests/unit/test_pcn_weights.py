"""Registration cleaning, PCN weights and the polygon rules, on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from depmap.core.errors import LoadError
from geo.pcn import footprint_lsoas, pcn_lsoa_weights
from loaders.pcn.registrations import clean

L1, L2, L3 = "E01000001", "E01000002", "E01000003"


def reg(rows):
    df = pd.DataFrame(rows, columns=["PRACTICE_CODE", "LSOA_CODE", "SEX", "NUMBER_OF_PATIENTS"])
    df["EXTRACT_DATE"] = "01OCT2025"
    df["PUBLICATION"] = "GP_PRAC_PAT_LIST"
    df["PRACTICE_NAME"] = df["PRACTICE_CODE"]
    return df


PMAP = pd.DataFrame(
    {
        "PRACTICE_CODE": ["P1", "P2", "P3", "P4"],
        "PRACTICE_NAME": ["one", "two", "three", "four"],
        "PCN_CODE": ["UA", "UA", "UB", "U"],
        "PCN_NAME": ["PCN A", "PCN A", "PCN B", "Unallocated"],
        "ONS_SUB_ICB_LOCATION_CODE": "E38000001",
        "SUB_ICB_LOCATION_NAME": "sub",
        "ONS_ICB_CODE": "E54000001",
        "ICB_NAME": "icb",
        "EXTRACT_DATE": "01Oct2025",
    }
).set_index("PRACTICE_CODE")


def test_clean_counts_every_row_it_removes():
    r = reg(
        [
            ("P1", L1, "ALL", 10),
            ("P2", L1, "ALL", 5),
            ("P3", L1, "ALL", 5),
            ("P3", L2, "ALL", 7),
            ("P1", "W01000001", "ALL", 2),
            ("P1", "S01000001", "ALL", 1),
            ("P1", "CLOSED", "ALL", 3),
            ("P1", "EMPTY", "ALL", 4),
            ("P1", "L99999999", "ALL", 1),
            ("P1", "E01999999", "ALL", 6),  # English code, not a loaded LSOA21
            ("P4", L1, "ALL", 9),  # unallocated practice
            ("P9", L1, "ALL", 8),  # not in the map
            ("P1", L1, "MALE", 6),  # by sex: the ALL rows are used
        ]
    )
    c = clean(r, PMAP, {L1, L2, L3}, source="t.csv")
    assert c.removed["practice_not_in_map"] == {"rows": 1, "patients": 8, "practices": 1}
    assert c.removed["practice_not_in_pcn"] == {"rows": 1, "patients": 9, "practices": 1}
    assert c.removed["welsh"]["patients"] == 2
    assert c.removed["scottish"]["patients"] == 1
    assert c.removed["crown_dependency"]["patients"] == 1
    assert c.removed["placeholder"] == {"rows": 2, "patients": 7, "practices": 1}
    assert c.removed["not_lsoa21"]["patients"] == 6
    kept = int(c.rows["patients"].sum())
    assert kept == 27
    assert c.total_patients == kept + sum(v["patients"] for v in c.removed.values())
    assert any("MALE" in n for n in c.notes)
    assert c.vintage == "2025-10"
    assert c.pcns.loc["UA", "name"] == "PCN A"


def test_closed_practices_with_no_patients_are_counted():
    r = reg([("P1", L1, "ALL", 10), ("P3", L1, "ALL", 0), ("P3", L2, "ALL", 0)])
    c = clean(r, PMAP, {L1, L2}, source="t.csv")
    assert c.removed["closed_practice"] == {"rows": 2, "patients": 0, "practices": 1}


def test_bad_counts_and_repeated_rows_fail():
    r = reg([("P1", L1, "ALL", 10), ("P1", L1, "ALL", 3)])
    with pytest.raises(LoadError, match="repeat a practice"):
        clean(r, PMAP, {L1}, source="t.csv")


def test_weights_sum_practices_and_shares_sum_to_one():
    rows = pd.DataFrame(
        {
            "pcn_code": ["A", "A", "B", "B", "C"],
            "lsoa21_code": [L1, L1, L1, L2, L2],
            "patients": [10, 20, 10, 5, 15],
        }
    )
    w = pcn_lsoa_weights(rows).set_index(["pcn_code", "lsoa21_code"])
    assert w.loc[("A", L1), "patients"] == 30
    assert w.loc[("A", L1), "share"] == pytest.approx(0.75)
    assert w.groupby("lsoa21_code")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


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
    fb = footprint_lsoas(w)
    assert fb[fb["pcn_code"] == "B"][["lsoa21_code", "fallback"]].values.tolist() == [[L1, True]]
    majority = footprint_lsoas(w, rule="min_share", min_share=0.5)
    assert set(majority.loc[~majority["fallback"], "lsoa21_code"]) == {L1, L3}
    cov = pd.Series({L1: 1.0, L2: 1.0, L3: 0.01})
    covered = footprint_lsoas(w, coverage=cov, min_coverage=0.5)
    assert L3 in set(covered.loc[covered["fallback"], "lsoa21_code"])  # C keeps a polygon
    with pytest.raises(ValueError, match="unknown polygon rule"):
        footprint_lsoas(w, rule="largest")  # type: ignore[arg-type]
