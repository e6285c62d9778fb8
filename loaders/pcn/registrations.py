"""Reading NHS England's 'Patients registered at a GP practice' by LSOA, and the
practice-to-PCN map.

The files are read exactly as published (see the shared data README):

* registrations: ``PUBLICATION, EXTRACT_DATE, PRACTICE_CODE, PRACTICE_NAME,
  LSOA_CODE, SEX, NUMBER_OF_PATIENTS``, one row per practice, LSOA of residence
  and sex (``ALL`` in the all-persons file); older publications on 2011 LSOAs,
  newer ones on 2021 LSOAs;
* the practice map: ``PRACTICE_CODE, PRACTICE_NAME, PCN_CODE, PCN_NAME,
  ONS_SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME, ONS_ICB_CODE, ICB_NAME`` (and
  more columns, unused).

One reader for every registrations file: the national file has 866,000 rows but
few distinct values (6,500 practices, 33,000 LSOAs, one sex, one date), so the text
columns are read as categoricals and tidied (stripped, upper-cased) once per
distinct value: about 0.3 s and 20 MB for the national file. What the rows hold
and where they go is worked out by :mod:`geo.registrations`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from depmap.core.errors import LoadError
from geo.registrations import Extract, publication_date
from sources.tables import read_csv

REGISTRATION_COLUMNS = (
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "LSOA_CODE",
    "SEX",
    "NUMBER_OF_PATIENTS",
)
#: The columns read, in the order of :func:`read_registrations`'s frame.
READ_COLUMNS = ("EXTRACT_DATE", "PRACTICE_CODE", "LSOA_CODE", "SEX", "NUMBER_OF_PATIENTS")
_TEXT = ("EXTRACT_DATE", "PRACTICE_CODE", "LSOA_CODE", "SEX")
MAP_COLUMNS = (
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "PCN_CODE",
    "PCN_NAME",
    "ONS_SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_NAME",
    "ONS_ICB_CODE",
    "ICB_NAME",
)


def _tidy(s: pd.Series, *, upper: bool, fill: str | None) -> pd.Series:
    """A categorical column stripped (and upper-cased) once per distinct value; its
    categories are the tidied values (merged where tidying made two equal), missing
    values ``fill`` (or left missing)."""
    cats = pd.Index(s.cat.categories.astype(str), dtype=object).str.strip()
    if upper:
        cats = cats.str.upper()
    old = s.cat.codes.to_numpy()
    new_of_old, uniq = pd.factorize(np.asarray(cats, dtype=object), sort=True)
    uniq = np.asarray(uniq, dtype=object)
    fill_at = -1
    if fill is not None and (old < 0).any():
        if fill not in set(uniq):
            uniq = np.append(uniq, fill)
        fill_at = int(np.flatnonzero(uniq == fill)[0])
    codes = np.append(new_of_old, fill_at)[old]
    cat = pd.Categorical.from_codes(codes, categories=pd.Index(uniq, dtype=object))
    return pd.Series(cat, index=s.index, name=s.name)


def read_registrations(path: Path) -> pd.DataFrame:
    """The registrations file with its published header checked.

    Returns the columns :data:`READ_COLUMNS`: the text ones as categoricals (codes
    stripped, ``SEX`` upper-cased, a missing ``LSOA_CODE`` or ``SEX`` as ``""``),
    ``NUMBER_OF_PATIENTS`` as int64. ``PUBLICATION`` and ``PRACTICE_NAME`` must be
    there but are not kept.

    Raises
    ------
    LoadError
        Not a readable CSV; a published column missing (the header is matched in
        any case); no rows; ``NUMBER_OF_PATIENTS`` not a whole number >= 0; a row
        with no ``PRACTICE_CODE``.
    """
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise LoadError(f"{path.name}: not a readable CSV: {e}") from e
    lower = {str(c).strip().lower(): c for c in header}
    missing = [c for c in REGISTRATION_COLUMNS if c.lower() not in lower]
    if missing:
        shown = ", ".join(map(str, header[:12])) + (" ..." if len(header) > 12 else "")
        raise LoadError(
            f"{path.name}: wrong header for GP registrations by LSOA: missing column(s) "
            f"{', '.join(missing)} (the file has: {shown})"
        )
    cols = {lower[c.lower()]: c for c in READ_COLUMNS}
    try:
        df = pd.read_csv(
            path,
            usecols=list(cols),
            encoding="utf-8-sig",
            dtype={k: "category" for k, v in cols.items() if v in _TEXT},
        ).rename(columns=cols)[list(READ_COLUMNS)]
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise LoadError(f"{path.name}: cannot be parsed: {e}") from e
    if df.empty:
        raise LoadError(f"{path.name}: the file has a header but no rows")
    n = df["NUMBER_OF_PATIENTS"]
    if pd.api.types.is_integer_dtype(n):
        bad = n < 0
    else:
        n = pd.to_numeric(n, errors="coerce")
        bad = n.isna() | (n < 0) | (n != np.floor(n))
    if bad.any():
        ex = df.loc[bad, "NUMBER_OF_PATIENTS"].head(3).tolist()
        raise LoadError(
            f"{path.name}: NUMBER_OF_PATIENTS must be a whole number >= 0; "
            f"{int(bad.sum()):,} rows are not, e.g. {ex}"
        )
    df["NUMBER_OF_PATIENTS"] = n.astype(np.int64)
    if (df["PRACTICE_CODE"].cat.codes < 0).any():
        k = int((df["PRACTICE_CODE"].cat.codes < 0).sum())
        raise LoadError(f"{path.name}: {k:,} rows have no PRACTICE_CODE")
    df["EXTRACT_DATE"] = _tidy(df["EXTRACT_DATE"], upper=True, fill="")
    df["PRACTICE_CODE"] = _tidy(df["PRACTICE_CODE"], upper=True, fill=None)
    df["LSOA_CODE"] = _tidy(df["LSOA_CODE"], upper=True, fill="")
    df["SEX"] = _tidy(df["SEX"], upper=True, fill="")
    return df


def read_practice_map(path: Path) -> pd.DataFrame:
    """The practice-to-PCN map, one row per practice, indexed by ``PRACTICE_CODE``."""
    m = read_csv(path, required=list(MAP_COLUMNS))
    for c in MAP_COLUMNS:
        m[c] = m[c].astype("string").str.strip()
    m["PRACTICE_CODE"] = m["PRACTICE_CODE"].str.upper()
    dup = m.loc[m["PRACTICE_CODE"].duplicated(), "PRACTICE_CODE"]
    if len(dup):
        raise LoadError(
            f"{path.name}: practices listed twice: {', '.join(dup.unique()[:5].tolist())}"
        )
    return m.set_index("PRACTICE_CODE")


@dataclass
class RegistrationFile:
    """One registrations file as read: its extract and what reading it found."""

    rel: str
    extract: Extract  # rows: practice_code, lsoa_code (categoricals), patients
    extract_date: str  # as published: 01OCT2025
    total_rows: int
    total_patients: int
    notes: list[str] = field(default_factory=list)

    @property
    def published(self) -> pd.Timestamp:
        return publication_date(self.extract_date)

    @property
    def publication(self) -> str:
        """``YYYY-MM`` of the extract date (``01OCT2025`` -> ``2025-10``)."""
        return f"{self.published.year:04d}-{self.published.month:02d}"

    @property
    def lsoa_codes(self) -> pd.Index:
        """The distinct LSOA codes of its rows."""
        col = self.extract.rows["lsoa_code"]
        return pd.Index(col.cat.categories[np.unique(col.cat.codes[col.cat.codes >= 0])])


def read_extract(path: Path, rel: str) -> RegistrationFile:
    """A registrations file as one extract: the all-persons rows, one date, no repeats.

    Rows by sex are left aside when the file has ``ALL`` rows (and summed when it
    has none), with a note.

    Raises
    ------
    LoadError
        As :func:`read_registrations`; several extract dates, or one that is not a
        date; a practice, LSOA and sex repeated (a file concatenated twice).
    """
    df = read_registrations(path)
    notes: list[str] = []
    sexes = set(df["SEX"].cat.categories[np.unique(df["SEX"].cat.codes)])
    shown = ", ".join(sorted(x or "(blank)" for x in sexes - {"ALL"}))
    if "ALL" in sexes and len(sexes) > 1:
        other = df["SEX"] != "ALL"
        notes.append(
            f"{rel}: {int(other.sum()):,} rows by sex ({shown}) left aside: the ALL rows are used"
        )
        df = df[~other]
    elif "ALL" not in sexes:
        notes.append(f"{rel}: no ALL rows: patients summed over {shown}")
    key = ["PRACTICE_CODE", "LSOA_CODE", "SEX"]
    dup = df.duplicated(key)
    if dup.any():
        ex = df.loc[dup, key].head(3).astype(str).agg("/".join, axis=1).tolist()
        raise LoadError(
            f"{rel}: {int(dup.sum()):,} rows repeat a practice, LSOA and sex, e.g. {ex}; "
            "is the file concatenated twice?"
        )
    dates = [d for d in df["EXTRACT_DATE"].unique() if str(d)]
    if len(dates) != 1:
        raise LoadError(
            f"{rel}: one extract per file: EXTRACT_DATE has {len(dates)} values "
            f"({', '.join(map(str, dates[:4])) or 'none'})"
        )
    date = str(dates[0])
    try:
        publication_date(date)
    except ValueError as e:
        raise LoadError(f"{rel}: EXTRACT_DATE: {e}") from e
    rows = pd.DataFrame(
        {
            "practice_code": df["PRACTICE_CODE"].array,
            "lsoa_code": df["LSOA_CODE"].array,
            "patients": df["NUMBER_OF_PATIENTS"].to_numpy(dtype=np.int64),
        }
    )
    return RegistrationFile(
        rel=rel,
        extract=Extract(rel, date, rows),
        extract_date=date,
        total_rows=len(rows),
        total_patients=int(rows["patients"].sum()),
        notes=notes,
    )
