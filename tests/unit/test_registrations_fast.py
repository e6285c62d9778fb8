"""The faster registrations reader gives what read_registrations gives, and the same errors."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.registrations import carry_to_lsoa21, place_lsoa21
from loaders.base import LoadError
from loaders.registrations import read_registrations
from loaders.registrations_fast import FAST_COLUMNS, read_registrations_fast

HEADER = "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,NUMBER_OF_PATIENTS\n"
ROWS = [
    "GP_PRAC_PAT_LIST,01JUL2022,A81001,THE SURGERY,E01011959,ALL,7",
    "GP_PRAC_PAT_LIST,01JUL2022, A81001 ,THE SURGERY, E01011960 ,all,2",
    "GP_PRAC_PAT_LIST,01JUL2022,A81002,OTHER,NO2011,ALL,3",
    "GP_PRAC_PAT_LIST,01JUL2022,A81002,OTHER,,,1",
    "GP_PRAC_PAT_LIST,01JUL2022,A81002,OTHER,W01000001,Male,4",
]


def write(tmp_path, rows, header=HEADER, name="reg.csv"):
    p = tmp_path / name
    p.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_same_frame_as_read_registrations(tmp_path):
    p = write(tmp_path, ROWS)
    slow = read_registrations(p)[list(FAST_COLUMNS)]
    fast = read_registrations_fast(p)
    pd.testing.assert_frame_equal(slow, fast)
    assert fast["PRACTICE_CODE"].tolist() == ["A81001", "A81001", "A81002", "A81002", "A81002"]
    assert fast["SEX"].tolist() == ["ALL", "ALL", "ALL", "", "MALE"]
    assert fast["LSOA_CODE"].tolist()[3] == ""


def test_categorical_read_has_the_same_values_and_carries_the_same(tmp_path):
    p = write(tmp_path, ROWS)
    text = read_registrations_fast(p)
    cat = read_registrations_fast(p, as_text=False)
    for c in FAST_COLUMNS[:-1]:
        assert isinstance(cat[c].dtype, pd.CategoricalDtype)
        assert cat[c].astype("string").tolist() == text[c].tolist()
    # merged categories: " A81001 " and "A81001" are one practice
    assert list(cat["PRACTICE_CODE"].cat.categories) == ["A81001", "A81002"]

    def rows(df, col):
        return pd.DataFrame(
            {
                "practice_code": df["PRACTICE_CODE"],
                col: df["LSOA_CODE"],
                "patients": df["NUMBER_OF_PATIENTS"],
            }
        )

    xw = pd.DataFrame(
        {"lsoa11_code": ["E01011959", "E01011960"], "lsoa21_code": ["X", "X"], "from11": [1.0, 1.0]}
    )
    a = carry_to_lsoa21(rows(text, "lsoa11_code"), xw)
    b = carry_to_lsoa21(rows(cat, "lsoa11_code"), xw)
    pd.testing.assert_frame_equal(a.rows, b.rows)
    pd.testing.assert_frame_equal(a.unplaced, b.unplaced)
    assert a.rows.values.tolist() == [["A81001", "X", 9.0]]
    c = place_lsoa21(rows(cat, "lsoa21_code"), ["E01011959"])
    assert c.rows["patients"].sum() == 7.0


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        (ROWS, HEADER.replace("SEX,", ""), "missing column"),
        ([], HEADER, "header but no rows"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,-3"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,2.5"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,many"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,,N,E01000001,ALL,2"], HEADER, "no PRACTICE_CODE"),
    ],
)
def test_same_errors_as_read_registrations(tmp_path, rows, header, message):
    p = write(tmp_path, rows, header)
    with pytest.raises(LoadError, match=message):
        read_registrations(p)
    with pytest.raises(LoadError, match=message):
        read_registrations_fast(p)


def test_header_in_any_case_and_whole_floats(tmp_path):
    p = write(tmp_path, ["gp,01JUL2022,A1,N,E01000001,ALL,2.0"], HEADER.lower())
    slow = read_registrations(p)[list(FAST_COLUMNS)]
    fast = read_registrations_fast(p)
    pd.testing.assert_frame_equal(slow, fast)
    assert fast["NUMBER_OF_PATIENTS"].tolist() == [2]
