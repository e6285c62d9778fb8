"""Reading registrations files: the one reader (categorical codes, tidied once per
distinct value), one extract per file, and the errors a bad file gets."""

from __future__ import annotations

import pandas as pd
import pytest

from depmap.core.errors import LoadError
from geo.registrations import carry_to_lsoa21, place_lsoa21
from loaders.pcn.registrations import READ_COLUMNS, read_extract, read_registrations

HEADER = "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,NUMBER_OF_PATIENTS\n"
ROWS = [
    "GP_PRAC_PAT_LIST,01JUL2022,A81001,THE SURGERY,E01011959,ALL,7",
    "GP_PRAC_PAT_LIST,01JUL2022, a81001 ,THE SURGERY, E01011960 ,all,2",
    "GP_PRAC_PAT_LIST,01JUL2022,A81002,OTHER,NO2011,ALL,3",
    "GP_PRAC_PAT_LIST,01JUL2022,A81002,OTHER,,,1",
    "GP_PRAC_PAT_LIST,01JUL2022,A81002,OTHER,W01000001,Male,4",
]


def write(tmp_path, rows, header=HEADER, name="reg.csv"):
    p = tmp_path / name
    p.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def text(df: pd.DataFrame, col: str) -> list[str]:
    return df[col].astype(str).tolist()


def test_codes_are_tidied_and_kept_as_categoricals(tmp_path):
    df = read_registrations(write(tmp_path, ROWS))
    assert tuple(df.columns) == READ_COLUMNS
    for c in READ_COLUMNS[:-1]:
        assert isinstance(df[c].dtype, pd.CategoricalDtype)
    # " a81001 " and "A81001" are one practice, tidied once per distinct value
    assert list(df["PRACTICE_CODE"].cat.categories) == ["A81001", "A81002"]
    assert text(df, "PRACTICE_CODE") == ["A81001", "A81001", "A81002", "A81002", "A81002"]
    assert text(df, "SEX") == ["ALL", "ALL", "ALL", "", "MALE"]
    assert text(df, "LSOA_CODE") == ["E01011959", "E01011960", "NO2011", "", "W01000001"]
    assert df["NUMBER_OF_PATIENTS"].dtype == "int64"
    assert df["NUMBER_OF_PATIENTS"].tolist() == [7, 2, 3, 1, 4]


def test_an_extract_keeps_the_all_rows_and_carries_as_text_does(tmp_path):
    f = read_extract(write(tmp_path, ROWS), "nhs/reg.csv")
    assert f.extract_date == "01JUL2022" and f.publication == "2022-07"
    # the MALE row and the one with no sex are left aside
    assert f.total_rows == 3 and f.total_patients == 12
    assert any("2 rows by sex ((blank), MALE) left aside" in n for n in f.notes)
    assert sorted(f.lsoa_codes) == ["E01011959", "E01011960", "NO2011"]
    rows = f.extract.rows
    xw = pd.DataFrame(
        {"lsoa11_code": ["E01011959", "E01011960"], "lsoa21_code": ["X", "X"], "from11": [1.0, 1.0]}
    )
    cat = carry_to_lsoa21(rows.rename(columns={"lsoa_code": "lsoa11_code"}), xw)
    as_text = rows.astype({"practice_code": str, "lsoa_code": str})
    plain = carry_to_lsoa21(as_text.rename(columns={"lsoa_code": "lsoa11_code"}), xw)
    pd.testing.assert_frame_equal(cat.rows, plain.rows)
    pd.testing.assert_frame_equal(cat.unplaced, plain.unplaced)
    assert cat.rows.values.tolist() == [["A81001", "X", 9.0]]
    placed = place_lsoa21(rows.rename(columns={"lsoa_code": "lsoa21_code"}), ["E01011959"])
    assert placed.rows["patients"].sum() == 7.0


def test_a_file_without_all_rows_sums_the_sexes(tmp_path):
    f = read_extract(
        write(
            tmp_path,
            ["GP,01OCT2025,A1,N,E01000001,MALE,2", "GP,01OCT2025,A1,N,E01000001,FEMALE,3"],
        ),
        "r.csv",
    )
    assert f.total_patients == 5
    assert any("no ALL rows" in n for n in f.notes)


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        (ROWS, HEADER.replace("SEX,", ""), "wrong header .*missing column.*SEX"),
        (ROWS, "a,b,c\n", "wrong header"),
        ([], HEADER, "header but no rows"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,-3"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,2.5"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,many"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,A1,N,E01000001,ALL,"], HEADER, "whole number >= 0"),
        (["GP,01JUL2022,,N,E01000001,ALL,2"], HEADER, "no PRACTICE_CODE"),
    ],
)
def test_bad_files_are_refused_saying_why(tmp_path, rows, header, message):
    p = write(tmp_path, rows, header)
    with pytest.raises(LoadError, match=message):
        read_registrations(p)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ["GP,01JUL2022,A1,N,E01000001,ALL,2", "GP,01JUL2022,A1,N,E01000001,ALL,3"],
            "repeat a practice, LSOA and sex",
        ),
        (
            ["GP,01JUL2022,A1,N,E01000001,ALL,2", "GP,01OCT2025,A2,N,E01000001,ALL,3"],
            "one extract per file: EXTRACT_DATE has 2 values",
        ),
        (["GP,July 2022,A1,N,E01000001,ALL,2"], "EXTRACT_DATE: publication date"),
    ],
)
def test_an_extract_is_one_date_without_repeats(tmp_path, rows, message):
    with pytest.raises(LoadError, match=message):
        read_extract(write(tmp_path, rows), "r.csv")


def test_header_in_any_case_and_whole_floats(tmp_path):
    df = read_registrations(
        write(tmp_path, ["gp,01JUL2022,A1,N,E01000001,ALL,2.0"], HEADER.lower())
    )
    assert df["NUMBER_OF_PATIENTS"].tolist() == [2]
    assert text(df, "PRACTICE_CODE") == ["A1"]
