"""Reading NHS England's 'Patients registered at a GP practice' by LSOA, and cleaning it.

The files are read exactly as published (see the shared data README):

* registrations: ``PUBLICATION, EXTRACT_DATE, PRACTICE_CODE, PRACTICE_NAME,
  LSOA_CODE, SEX, NUMBER_OF_PATIENTS``, one row per practice, LSOA of residence
  and sex (``ALL`` in the all-persons file);
* the practice map: ``PRACTICE_CODE, PRACTICE_NAME, PCN_CODE, PCN_NAME,
  ONS_SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME, ONS_ICB_CODE, ICB_NAME`` (and
  more columns, unused).

The publication holds rows that cannot be placed in an English 2021 LSOA of a
PCN. Nothing is dropped silently: every row removed is counted, with its
patients, under one of the reasons of :data:`REASONS`, and the counts go to the
load's closing table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from depmap.core.errors import LoadError
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

#: Why rows were removed, in the order they are checked.
REASONS: dict[str, str] = {
    "practice_not_in_map": "practice not in the practice-to-PCN map (closed, merged or new)",
    "practice_not_in_pcn": "practice in no PCN (PCN code U, 'Unallocated')",
    "closed_practice": "closed practice (no registered patients)",
    "welsh": "Welsh LSOA (W01)",
    "scottish": "Scottish data zone (S01)",
    "northern_irish": "Northern Irish area (N..)",
    "crown_dependency": "Channel Islands or Isle of Man pseudo code (L99999999, M99999999)",
    "placeholder": "placeholder, not a code (CLOSED, EMPTY ...)",
    "not_lsoa21": "English code that is not a loaded 2021 LSOA (E01...)",
}

_LSOA21 = re.compile(r"^E01\d{6}$")
_UNALLOCATED = {"", "U", "UNALLOCATED"}


@dataclass
class Cleaned:
    """Registrations that could be placed, and what was removed and why."""

    rows: pd.DataFrame  # practice_code, pcn_code, lsoa21_code, patients
    pcns: pd.DataFrame  # indexed by pcn_code: name, sicbl_code, sicbl_name, icb_code, icb_name
    practices: pd.DataFrame  # practice_code, practice_name, pcn_code, patients
    removed: dict[str, dict[str, int]] = field(default_factory=dict)
    extract_date: str = ""
    map_extract_date: str = ""
    total_rows: int = 0
    total_patients: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def vintage(self) -> str:
        """``YYYY-MM`` of the registrations' extract date (``01OCT2025`` -> ``2025-10``)."""
        d = pd.to_datetime(self.extract_date, format="%d%b%Y", errors="coerce")
        return self.extract_date[:16] if pd.isna(d) else f"{d.year:04d}-{d.month:02d}"


def read_registrations(path: Path) -> pd.DataFrame:
    """The registrations file with its published header checked; patients as integers."""
    df = read_csv(path, required=list(REGISTRATION_COLUMNS))
    if df.empty:
        raise LoadError(f"{path.name}: the file has a header but no rows")
    for c in ("PRACTICE_CODE", "LSOA_CODE", "SEX", "EXTRACT_DATE"):
        df[c] = df[c].astype("string").str.strip()
    n = pd.to_numeric(df["NUMBER_OF_PATIENTS"], errors="coerce")
    bad = n.isna() | (n < 0) | (n != np.floor(n))
    if bad.any():
        ex = df.loc[bad, "NUMBER_OF_PATIENTS"].head(3).tolist()
        raise LoadError(
            f"{path.name}: NUMBER_OF_PATIENTS must be a whole number >= 0; "
            f"{int(bad.sum()):,} rows are not, e.g. {ex}"
        )
    df["NUMBER_OF_PATIENTS"] = n.astype(np.int64)
    if df["PRACTICE_CODE"].isna().any():
        raise LoadError(
            f"{path.name}: {int(df['PRACTICE_CODE'].isna().sum())} rows have no PRACTICE_CODE"
        )
    df["LSOA_CODE"] = df["LSOA_CODE"].fillna("")
    df["SEX"] = df["SEX"].fillna("").str.upper()
    return df


def read_practice_map(path: Path) -> pd.DataFrame:
    """The practice-to-PCN map, one row per practice."""
    m = read_csv(path, required=list(MAP_COLUMNS))
    for c in MAP_COLUMNS:
        m[c] = m[c].astype("string").str.strip()
    dup = m.loc[m["PRACTICE_CODE"].duplicated(), "PRACTICE_CODE"]
    if len(dup):
        raise LoadError(
            f"{path.name}: practices listed twice: {', '.join(dup.unique()[:5].tolist())}"
        )
    return m.set_index("PRACTICE_CODE")


def _lsoa_reason(codes: pd.Series, known: set[str]) -> pd.Series:
    """The removal reason of each LSOA code, or '' for a loaded English 2021 LSOA."""
    c = codes.fillna("").str.upper()
    out = pd.Series("", index=codes.index, dtype=object)
    is_lsoa = c.str.match(_LSOA21.pattern) & c.isin(known)
    out[~is_lsoa & c.str.match(r"^E01\d{6}$")] = "not_lsoa21"
    out[c.str.match(r"^W\d{8}$")] = "welsh"
    out[c.str.match(r"^S\d{8}$")] = "scottish"
    out[c.str.match(r"^N\d{8}$") | c.str.match(r"^95[A-Z]{2}\d{2}[A-Z]\d$")] = "northern_irish"
    out[c.isin(["L99999999", "M99999999"])] = "crown_dependency"
    out[(out == "") & ~is_lsoa] = "placeholder"
    return out


def clean(
    reg: pd.DataFrame, practice_map: pd.DataFrame, lsoa_codes: set[str], *, source: str = ""
) -> Cleaned:
    """Place each registration row in a PCN and an English 2021 LSOA, or count why not.

    Parameters
    ----------
    reg
        :func:`read_registrations`.
    practice_map
        :func:`read_practice_map`.
    lsoa_codes
        The LSOA21 codes loaded.
    source
        File name for messages.
    """
    removed: dict[str, dict[str, int]] = {}
    notes: list[str] = []
    df = reg
    sexes = set(df["SEX"].unique())
    if "ALL" in sexes and len(sexes) > 1:
        other = df[df["SEX"] != "ALL"]
        notes.append(
            f"{len(other):,} rows by sex ({', '.join(sorted(sexes - {'ALL'}))}) left aside: "
            "the ALL rows are used"
        )
        df = df[df["SEX"] == "ALL"]
    elif "ALL" not in sexes:
        notes.append(f"no ALL rows: patients summed over {', '.join(sorted(sexes))}")
    key = ["PRACTICE_CODE", "LSOA_CODE", "SEX"]
    dup = df.duplicated(key)
    if dup.any():
        ex = df.loc[dup, key].head(3).astype(str).agg("/".join, axis=1).tolist()
        raise LoadError(
            f"{source}: {int(dup.sum()):,} rows repeat a practice, LSOA and sex, e.g. {ex}; "
            "is the file concatenated twice?"
        )
    total_rows, total_patients = len(df), int(df["NUMBER_OF_PATIENTS"].sum())

    def drop(mask: pd.Series, reason: str) -> None:
        nonlocal df
        if mask.any():
            part = df[mask]
            removed[reason] = {
                "rows": len(part),
                "patients": int(part["NUMBER_OF_PATIENTS"].sum()),
                "practices": int(part["PRACTICE_CODE"].nunique()),
            }
        df = df[~mask]

    drop(~df["PRACTICE_CODE"].isin(practice_map.index), "practice_not_in_map")
    pcn = df["PRACTICE_CODE"].map(practice_map["PCN_CODE"]).fillna("")
    pcn_name = df["PRACTICE_CODE"].map(practice_map["PCN_NAME"]).fillna("")
    drop(
        pcn.str.upper().isin(_UNALLOCATED) | (pcn_name.str.upper() == "UNALLOCATED"),
        "practice_not_in_pcn",
    )
    per_practice = df.groupby("PRACTICE_CODE")["NUMBER_OF_PATIENTS"].transform("sum")
    drop(per_practice <= 0, "closed_practice")
    reason = _lsoa_reason(df["LSOA_CODE"], lsoa_codes)
    for r in (
        "welsh",
        "scottish",
        "northern_irish",
        "crown_dependency",
        "placeholder",
        "not_lsoa21",
    ):
        drop(reason.loc[df.index] == r, r)
    if df.empty:
        raise LoadError(f"{source}: no registrations are left in an English 2021 LSOA of a PCN")
    rows = pd.DataFrame(
        {
            "practice_code": df["PRACTICE_CODE"].to_numpy(),
            "pcn_code": df["PRACTICE_CODE"].map(practice_map["PCN_CODE"]).to_numpy(),
            "lsoa21_code": df["LSOA_CODE"].str.upper().to_numpy(),
            "patients": df["NUMBER_OF_PATIENTS"].to_numpy(dtype=np.int64),
        }
    )
    practices = rows.groupby("practice_code", as_index=False).agg(
        pcn_code=("pcn_code", "first"), patients=("patients", "sum")
    )
    practices["practice_name"] = practices["practice_code"].map(practice_map["PRACTICE_NAME"])
    pm = practice_map.loc[practices["practice_code"]].assign(
        patients=practices["patients"].to_numpy()
    )
    # a PCN's sub-ICB and ICB: those of the practices holding most of its patients
    lead = pm.sort_values("patients", ascending=False).reset_index()
    pcns = lead.groupby("PCN_CODE").agg(
        name=("PCN_NAME", "first"),
        sicbl_code=("ONS_SUB_ICB_LOCATION_CODE", "first"),
        sicbl_name=("SUB_ICB_LOCATION_NAME", "first"),
        icb_code=("ONS_ICB_CODE", "first"),
        icb_name=("ICB_NAME", "first"),
    )
    pcns.index.name = "pcn_code"
    extract = str(reg["EXTRACT_DATE"].mode().iloc[0]) if len(reg) else ""
    map_extract = str(practice_map["EXTRACT_DATE"].mode().iloc[0]) if len(practice_map) else ""
    if extract.upper() != map_extract.upper():
        notes.append(f"registrations extracted {extract}, practice map {map_extract}")
    return Cleaned(
        rows=rows,
        pcns=pcns,
        practices=practices,
        removed=removed,
        extract_date=extract,
        map_extract_date=map_extract,
        total_rows=total_rows,
        total_patients=total_patients,
        notes=notes,
    )
