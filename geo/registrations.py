"""GP registrations from several extracts, on 2021 LSOAs, each practice counted once.

NHS England's 'Patients registered at a GP practice' by LSOA of residence comes
as extracts of different dates and geographies: a national file of July 2022 on
**2011** LSOAs, an ICB's file of October 2025 on 2021 LSOAs. This module turns
them into one set of rows per practice and LSOA21, in PCNs, for the PCN weights of
:mod:`geo.pcn`.

* :func:`carry_to_lsoa21` carries rows on LSOA11 to LSOA21 with the ONS lookup
  (``from11`` of :func:`geo.crosswalk.crosswalk_weights`): a split LSOA11's
  patients are divided by population, merged ones added up, so each practice
  keeps its total; rows that cannot be placed (``NO2011``, Welsh codes, codes
  not in the lookup) are returned with the reason, never dropped silently.
  :func:`place_lsoa21` does the same for rows already on LSOA21.
* :func:`latest_wins` keeps, for each practice, the rows of the latest extract
  that holds it (the October 2025 ICB file over the July 2022 national one).
* :func:`assign_pcns` puts each practice in its PCN from the practice map;
  practices missing from the map, or in no PCN, are returned, not guessed.
* :func:`detect_geography` tells an extract's LSOA geography from its codes, and
  :func:`combine` puts it all together: every extract on LSOA21, latest wins, PCNs
  assigned, everything not used counted by reason.
* The PCN weights made from the result follow the one attribution rule of
  :func:`geo.pcn.capped_shares` (never more residents than patients).
* :func:`icb_summary`: per ICB, which extract was used, how many practices and
  patients were read and placed.

Pure functions over pandas frames; reading the files is the loader's part. Codes
are compared stripped and upper-cased; that work is done once per distinct code
(categoricals), so the national file (866,000 rows) takes well under a second.

Examples
--------
>>> import pandas as pd
>>> lookup = pd.DataFrame({"lsoa11_code": ["E01000001", "E01000002", "E01000002"],
...                        "lsoa21_code": ["E01000001", "E01000003", "E01000004"],
...                        "from11": [1.0, 0.25, 0.75]})
>>> old = pd.DataFrame({"practice_code": ["P1", "P1", "P2", "P2"],
...                     "lsoa11_code": ["E01000001", "E01000002", "E01000002", "NO2011"],
...                     "patients": [10, 8, 40, 2]})
>>> new = pd.DataFrame({"practice_code": ["P2"], "lsoa21_code": ["E01000004"],
...                     "patients": [50]})
>>> lw = latest_wins([Extract("jul2022", "01JUL2022", old), Extract("oct2025", "2025-10-01", new)])
>>> lw.sources[["practice_code", "extract"]].values.tolist()
[['P1', 'jul2022'], ['P2', 'oct2025']]
>>> carried = carry_to_lsoa21(lw.rows[lw.rows["extract"] == "jul2022"], lookup)
>>> carried.rows.values.tolist()
[['P1', 'E01000001', 10.0], ['P1', 'E01000003', 2.0], ['P1', 'E01000004', 6.0]]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Why a practice's rows were not given to a PCN.
PCN_REASONS: dict[str, str] = {
    "practice_not_in_map": "practice not in the practice-to-PCN map (closed, merged or new)",
    "practice_not_in_pcn": "practice in no PCN (PCN code U, 'Unallocated')",
    "closed_practice": "closed practice (no registered patients)",
}

#: Why a row could not be placed in an LSOA21.
UNPLACED_REASONS: dict[str, str] = {
    "no_lsoa": "no LSOA of residence (NO2011, NO2021)",
    "welsh": "Welsh LSOA (W01)",
    "scottish": "Scottish data zone (S01)",
    "northern_irish": "Northern Irish area (N..)",
    "crown_dependency": "Channel Islands or Isle of Man pseudo code (L99999999, M99999999)",
    "placeholder": "placeholder, not a code (CLOSED, EMPTY, blank ...)",
    "not_lsoa11": "English code that is not an LSOA11 of the ONS lookup (E01...)",
    "not_lsoa21": "English code that is not a loaded 2021 LSOA (E01...)",
}

#: Every reason a registration row is not used, in the order they are checked (the
#: load's closing table counts rows, patients and practices under each).
REASONS: dict[str, str] = {**PCN_REASONS, **UNPLACED_REASONS}

#: ``icb_code`` and ``icb_name`` of the practices missing from the practice map in
#: :func:`icb_summary`.
NOT_IN_MAP = ("", "(practice not in the practice map)")

#: The LSOA geographies an extract can be on.
GEOGRAPHIES = ("lsoa11", "lsoa21")
#: Extracts dated before this are taken to be on 2011 LSOAs when their codes cannot tell
#: (NHS England published 2011 LSOAs until 2024, both in 2024-25, then 2021 LSOAs only).
LSOA21_FROM = pd.Timestamp("2024-01-01")

_UNALLOCATED = {"", "U", "UNALLOCATED"}


@dataclass(frozen=True)
class Placed:
    """Registration rows placed in LSOA21s, and those that could not be.

    Attributes
    ----------
    rows
        ``practice_code, lsoa21_code, patients`` (float), one row per practice and
        LSOA21, sorted.
    unplaced
        The input rows not placed: ``practice_code, lsoa_code, patients, reason``
        (a key of :data:`UNPLACED_REASONS`).
    """

    rows: pd.DataFrame
    unplaced: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Rows, patients and practices not placed, per reason (index).

        >>> p = place_lsoa21(pd.DataFrame({"practice_code": ["A", "A", "B"],
        ...                                "lsoa21_code": ["E01000001", "CLOSED", "W01000009"],
        ...                                "patients": [5, 3, 2]}), ["E01000001"])
        >>> p.summary().to_dict("index")
        {'placeholder': {'rows': 1, 'patients': 3.0, 'practices': 1}, \
'welsh': {'rows': 1, 'patients': 2.0, 'practices': 1}}
        """
        return (
            self.unplaced.groupby("reason", sort=True)
            .agg(
                rows=("patients", "size"),
                patients=("patients", "sum"),
                practices=("practice_code", "nunique"),
            )
            .rename_axis(None)
        )


@dataclass(frozen=True)
class Extract:
    """One extract of the publication.

    Attributes
    ----------
    name
        How the extract is named in the results (e.g. its file name).
    published
        Its publication (extract) date: a date, ISO text (``2025-10-01``) or the
        publication's ``EXTRACT_DATE`` (``01OCT2025``).
    rows
        Its rows, with at least ``practice_code`` (and ``patients`` to be counted
        in :attr:`LatestWins.sources`). Give the rows as read, before rows with
        unplaceable LSOA codes are taken out, so that a practice the latest
        extract holds only in such rows still counts as held by it.
    """

    name: str
    published: str | dt.date
    rows: pd.DataFrame


@dataclass(frozen=True)
class LatestWins:
    """Rows of the latest extract holding each practice.

    Attributes
    ----------
    rows
        The kept rows of every extract (their columns, union of them if they
        differ) with ``extract``, the name of the extract they come from.
        ``practice_code`` is stripped and upper-cased.
    sources
        One row per practice: ``practice_code, extract, published`` (Timestamp),
        ``rows``, ``patients`` (in the extract used; 0 if it has no ``patients``),
        ``superseded`` (the older extracts that also hold the practice, ``"; "``
        between names, ``""`` if none).
    """

    rows: pd.DataFrame
    sources: pd.DataFrame


def publication_date(value: str | dt.date) -> pd.Timestamp:
    """The date of an extract: a date, ISO text or the publication's ``01OCT2025``.

    >>> publication_date("01OCT2025"), publication_date("2022-07-01")
    (Timestamp('2025-10-01 00:00:00'), Timestamp('2022-07-01 00:00:00'))
    """
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    text = str(value).strip()
    for fmt in ("%d%b%Y", "%Y-%m-%d"):
        try:
            return pd.Timestamp(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise ValueError(f"publication date {value!r}: use a date, 2025-10-01 or 01OCT2025")


def _require(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        has = ", ".join(map(str, df.columns))
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)} (it has {has})")


def _codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes stripped and upper-cased, as (position of each row's code or -1, sorted codes).

    The text work is done once per distinct code, not per row.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        old, raw = s.cat.codes.to_numpy(), np.asarray(s.cat.categories, dtype=object)
    else:
        old, raw_index = pd.factorize(s)
        raw = np.asarray(raw_index, dtype=object)
    norm = pd.Index(raw.astype(str), dtype=object).str.strip().str.upper()
    new_of_old, uniq = pd.factorize(np.asarray(norm, dtype=object), sort=True)
    codes = np.where(old >= 0, np.append(new_of_old, -1)[old], -1)
    return codes.astype(np.int64), np.asarray(uniq, dtype=object)


def _strings(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype=object).astype(str)


def _patients(rows: pd.DataFrame, what: str) -> np.ndarray:
    p = pd.to_numeric(rows["patients"], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(p) | (p < 0)
    if bad.any():
        ex = rows.loc[bad, "patients"].head(3).tolist()
        raise ValueError(f"{what}: patients must be numbers >= 0; {int(bad.sum())} are not: {ex}")
    return p


def _reason(cats: np.ndarray, english: str) -> np.ndarray:
    """Why each (unplaced, normalised) code could not be placed; ``english`` for E01 codes."""
    c = pd.Series(cats, dtype=object).fillna("").astype(str)
    out = np.full(len(c), "placeholder", dtype=object)
    out[c.str.fullmatch(r"E01\d{6}").to_numpy(dtype=bool)] = english
    out[c.str.fullmatch(r"W\d{8}").to_numpy(dtype=bool)] = "welsh"
    out[c.str.fullmatch(r"S\d{8}").to_numpy(dtype=bool)] = "scottish"
    ni = c.str.fullmatch(r"N\d{8}") | c.str.fullmatch(r"95[A-Z]{2}\d{2}[A-Z]\d")
    out[ni.to_numpy(dtype=bool)] = "northern_irish"
    out[c.isin(["L99999999", "M99999999"]).to_numpy(dtype=bool)] = "crown_dependency"
    out[c.str.fullmatch(r"NO\d{4}").to_numpy(dtype=bool)] = "no_lsoa"
    return out


@dataclass(frozen=True)
class _Split:
    """Rows whose code is known (as codes into ``practices`` and ``lsoas``) and the rest."""

    practice: np.ndarray  # position in practices, per placed row
    lsoa: np.ndarray  # position in lsoas, per placed row
    patients: np.ndarray
    practices: np.ndarray  # sorted practice codes
    lsoas: np.ndarray  # sorted LSOA codes of the rows
    unplaced: pd.DataFrame


def _split(rows: pd.DataFrame, code_col: str, known: pd.Index, english: str, what: str) -> _Split:
    """Split rows into those whose LSOA code is in ``known`` and the rest (with reasons)."""
    _require(rows, ("practice_code", code_col, "patients"), what)
    practice, practices = _codes(rows["practice_code"])
    if (practice < 0).any():
        raise ValueError(f"{what}: {int((practice < 0).sum())} rows have no practice_code")
    code, lsoas = _codes(rows[code_col])
    patients = _patients(rows, what)
    is_known = np.append(pd.Index(lsoas).isin(known), False)  # code -1 (missing): not known
    ok = is_known[code]
    bad = ~ok
    reasons = np.full(len(lsoas) + 1, "placeholder", dtype=object)
    unknown = np.flatnonzero(~is_known[:-1])
    reasons[unknown] = _reason(lsoas[unknown], english)
    lsoa_text = np.append(lsoas, "")
    unplaced = pd.DataFrame(
        {
            "practice_code": _strings(practices[practice[bad]]),
            "lsoa_code": _strings(lsoa_text[code[bad]]),
            "patients": patients[bad],
            "reason": _strings(reasons[code[bad]]),
        }
    )
    return _Split(practice[ok], code[ok], patients[ok], practices, lsoas, unplaced)


def _by_practice_lsoa(
    practice: np.ndarray,
    lsoa: np.ndarray,
    patients: np.ndarray,
    practices: np.ndarray,
    lsoas: np.ndarray,
) -> pd.DataFrame:
    """Patients summed per practice and LSOA (codes into sorted ``practices``, ``lsoas``)."""
    n = max(len(lsoas), 1)
    key = practice.astype(np.int64) * n + lsoa
    uniq, inv = np.unique(key, return_inverse=True)
    total = np.bincount(inv.ravel(), weights=patients, minlength=len(uniq))
    return pd.DataFrame(
        {
            "practice_code": _strings(practices[uniq // n]),
            "lsoa21_code": _strings(lsoas[uniq % n]),
            "patients": total.astype(float),
        }
    )


def carry_to_lsoa21(rows: pd.DataFrame, crosswalk: pd.DataFrame) -> Placed:
    """Registration rows on 2011 LSOAs carried to 2021 LSOAs.

    Each row's patients go to the LSOA21s of its LSOA11 in the proportions
    ``from11`` (an unchanged LSOA keeps them all; a split one is divided by
    population; rows of LSOA11s merged into one LSOA21 are added up), so every
    practice keeps the total of its placed rows.

    Parameters
    ----------
    rows
        ``practice_code, lsoa11_code, patients`` (whole numbers or not, >= 0);
        other columns are ignored. Codes are compared stripped and upper-cased.
    crosswalk
        ``lsoa11_code, lsoa21_code, from11``: :func:`geo.crosswalk.crosswalk_weights`
        of the ONS LSOA11 -> LSOA21 lookup, with 2011 populations (mid-2020
        estimates) and 2021 ones (Census 2021 residents) so that splits follow
        where people live. ``from11`` must sum to 1 over each LSOA11.

    Returns
    -------
    Placed
        ``rows``: ``practice_code, lsoa21_code, patients`` (float), one row per
        practice and LSOA21. ``unplaced``: the rows whose code is not an LSOA11 of
        the lookup (``NO2011``, Welsh ``W01`` codes, placeholders, unknown
        ``E01`` codes), with their reason.

    Raises
    ------
    ValueError
        A column is missing, patients are not numbers >= 0, or ``from11`` does
        not sum to 1 over an LSOA11.

    Examples
    --------
    An unchanged LSOA, one split 1:3 and two merged into one:

    >>> xw = pd.DataFrame({"lsoa11_code": ["E01000001", "E01000002", "E01000002",
    ...                                    "E01000003", "E01000004"],
    ...                    "lsoa21_code": ["E01000001", "E01000011", "E01000012",
    ...                                    "E01000013", "E01000013"],
    ...                    "from11": [1.0, 0.25, 0.75, 1.0, 1.0]})
    >>> r = pd.DataFrame({"practice_code": ["P1"] * 5,
    ...                   "lsoa11_code": ["E01000001", "E01000002", "E01000003",
    ...                                   "E01000004", "NO2011"],
    ...                   "patients": [5, 40, 3, 4, 9]})
    >>> c = carry_to_lsoa21(r, xw)
    >>> c.rows["patients"].tolist(), c.rows["lsoa21_code"].tolist()
    ([5.0, 10.0, 30.0, 7.0], ['E01000001', 'E01000011', 'E01000012', 'E01000013'])
    >>> c.unplaced[["lsoa_code", "patients", "reason"]].values.tolist()
    [['NO2011', 9.0, 'no_lsoa']]
    """
    _require(crosswalk, ("lsoa11_code", "lsoa21_code", "from11"), "crosswalk")
    xw = pd.DataFrame(
        {
            "lsoa11_code": crosswalk["lsoa11_code"].astype(str).str.strip().str.upper(),
            "lsoa21_code": crosswalk["lsoa21_code"].astype(str).str.strip().str.upper(),
            "from11": pd.to_numeric(crosswalk["from11"], errors="coerce").astype(float),
        }
    )
    total = xw.groupby("lsoa11_code")["from11"].sum()
    off = total[~np.isclose(total.to_numpy(), 1.0, rtol=0.0, atol=1e-9)]
    if len(off) or xw["from11"].isna().any():
        ex = ", ".join(f"{k}: {v:.6g}" for k, v in off.head(3).items())
        raise ValueError(f"crosswalk: from11 must sum to 1 over each LSOA11 ({ex or 'missing'})")
    sp = _split(rows, "lsoa11_code", pd.Index(total.index), "not_lsoa11", "rows")
    # each placed row repeated once per LSOA21 of its LSOA11 (the join, done on positions)
    xw = xw[xw["lsoa11_code"].isin(sp.lsoas)]
    pos = pd.Index(sp.lsoas).get_indexer(xw["lsoa11_code"])
    order = np.argsort(pos, kind="stable")
    pos = pos[order]
    l21, lsoas21 = _codes(xw["lsoa21_code"].iloc[order])
    from11 = xw["from11"].to_numpy(dtype=float)[order]
    start = np.searchsorted(pos, np.arange(len(sp.lsoas)))
    count = np.bincount(pos, minlength=len(sp.lsoas))
    n = count[sp.lsoa]
    rep = np.repeat(np.arange(len(sp.lsoa)), n)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n)  # k-th LSOA21 of the row
    xi = start[sp.lsoa[rep]] + k
    carried = _by_practice_lsoa(
        sp.practice[rep], l21[xi], sp.patients[rep] * from11[xi], sp.practices, lsoas21
    )
    return Placed(carried, sp.unplaced)


def place_lsoa21(rows: pd.DataFrame, lsoa21_codes: Iterable[str]) -> Placed:
    """Registration rows already on 2021 LSOAs, in the same form as :func:`carry_to_lsoa21`.

    Parameters
    ----------
    rows
        ``practice_code, lsoa21_code, patients``.
    lsoa21_codes
        The 2021 LSOAs known (England's 33,755).

    Returns
    -------
    Placed
        Rows summed per practice and LSOA21, patients as float; the rest with
        their reason (``not_lsoa21`` for an English code that is not known).

    Examples
    --------
    >>> p = place_lsoa21(pd.DataFrame({"practice_code": ["A", "A", "A"],
    ...                                "lsoa21_code": ["E01000001", " e01000001", "S01012345"],
    ...                                "patients": [5, 1, 2]}), ["E01000001"])
    >>> p.rows.values.tolist(), p.unplaced["reason"].tolist()
    ([['A', 'E01000001', 6.0]], ['scottish'])
    """
    known = (
        pd.Index(pd.Series(list(lsoa21_codes), dtype=object).astype(str)).str.strip().str.upper()
    )
    sp = _split(rows, "lsoa21_code", known, "not_lsoa21", "rows")
    rows21 = _by_practice_lsoa(sp.practice, sp.lsoa, sp.patients, sp.practices, sp.lsoas)
    return Placed(rows21, sp.unplaced)


def latest_wins(extracts: Sequence[Extract]) -> LatestWins:
    """For each practice, the rows of the latest extract that holds it.

    An extract holds a practice if it has any row for it. Practices are compared
    stripped and upper-cased. So that each practice is counted once, two
    extracts of the same date may not both hold a practice.

    Parameters
    ----------
    extracts
        The extracts, in any order; names must differ.

    Returns
    -------
    LatestWins
        The kept rows (with ``extract``) and, per practice, the extract used.

    Raises
    ------
    ValueError
        No extracts, names repeated, a bad date, a missing ``practice_code``, or
        two extracts of the same date holding one practice.

    Examples
    --------
    >>> a = pd.DataFrame({"practice_code": ["P1", "P2", "P2"], "patients": [1, 2, 3]})
    >>> b = pd.DataFrame({"practice_code": ["P2", "P3"], "patients": [10, 20]})
    >>> lw = latest_wins([Extract("new", "01OCT2025", b), Extract("old", "01JUL2022", a)])
    >>> lw.rows[["practice_code", "patients", "extract"]].values.tolist()
    [['P2', 10, 'new'], ['P3', 20, 'new'], ['P1', 1, 'old']]
    >>> lw.sources[["practice_code", "extract", "patients", "superseded"]].values.tolist()
    [['P1', 'old', 1, ''], ['P2', 'new', 10, 'old'], ['P3', 'new', 20, '']]
    """
    if not extracts:
        raise ValueError("latest_wins: no extracts")
    names = [e.name for e in extracts]
    if len(set(names)) != len(names):
        raise ValueError(f"latest_wins: extract names repeat: {names}")
    held = []
    practices = []
    for i, e in enumerate(extracts):
        _require(e.rows, ("practice_code",), f"extract {e.name}")
        code, cats = _codes(e.rows["practice_code"])
        if (code < 0).any():
            raise ValueError(
                f"extract {e.name}: {int((code < 0).sum())} rows have no practice_code"
            )
        practices.append((code, cats))
        pts = (
            pd.to_numeric(e.rows["patients"], errors="coerce").fillna(0).to_numpy()
            if "patients" in e.rows.columns
            else np.zeros(len(e.rows), dtype=np.int64)
        )
        per = pd.Series(pts).groupby(code).agg(["size", "sum"])
        held.append(
            pd.DataFrame(
                {
                    "practice_code": _strings(cats[per.index.to_numpy()]),
                    "order": i,
                    "extract": e.name,
                    "published": publication_date(e.published),
                    "rows": per["size"].to_numpy(dtype=np.int64),
                    "patients": per["sum"].to_numpy(),
                }
            )
        )
    allp = pd.concat(held, ignore_index=True).sort_values(
        ["practice_code", "published", "order"], ascending=[True, False, True], kind="stable"
    )
    pcode = allp["practice_code"].to_numpy()
    first = ~allp["practice_code"].duplicated().to_numpy()
    # a tie: the runner-up of a practice has the date of the latest extract holding it
    prev_first = np.r_[False, first[:-1]]
    same = (
        np.r_[False, (pcode[1:] == pcode[:-1])]
        & np.r_[False, allp["published"].to_numpy()[1:] == allp["published"].to_numpy()[:-1]]
    )
    tie = prev_first & same
    if tie.any():
        ex = pcode[tie][:5].tolist()
        raise ValueError(
            f"latest_wins: {int(tie.sum())} practices are in two extracts of the same date, "
            f"e.g. {', '.join(ex)}; which one counts?"
        )
    winners = allp[first]
    older = (
        allp[~first]
        .groupby("practice_code", sort=False)["extract"]
        .agg(lambda s: "; ".join(s))
        .rename("superseded")
    )
    sources = winners.drop(columns="order").set_index("practice_code")
    sources["superseded"] = older.reindex(sources.index).fillna("")
    sources = sources.reset_index()
    kept = []
    for i, e in enumerate(extracts):
        code, cats = practices[i]
        mine = pd.Index(cats).isin(winners.loc[winners["order"] == i, "practice_code"])
        mask = mine[code]
        part = e.rows[mask].copy()
        part["practice_code"] = _strings(cats[code[mask]]).set_axis(part.index)
        part["extract"] = e.name
        kept.append(part)
    rows = pd.concat(kept, ignore_index=True)
    return LatestWins(rows, sources.reset_index(drop=True))


def _practice_map(practice_map: pd.DataFrame) -> pd.DataFrame:
    m = practice_map
    if "PRACTICE_CODE" in m.columns:
        m = m.set_index("PRACTICE_CODE")
    _require(m, ("PCN_CODE",), "practice_map")
    m = m.copy()
    m.index = pd.Index(m.index.astype(str).str.strip().str.upper(), name="PRACTICE_CODE")
    if m.index.duplicated().any():
        dup = m.index[m.index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"practice_map: practices listed twice: {', '.join(dup)}")
    return m


def _in_pcn(m: pd.DataFrame) -> pd.Series:
    pcn = m["PCN_CODE"].astype(object).fillna("").astype(str).str.strip().str.upper()
    name = (
        m["PCN_NAME"].astype(object).fillna("").astype(str).str.strip().str.upper()
        if "PCN_NAME" in m.columns
        else pd.Series("", index=m.index)
    )
    return ~(pcn.isin(_UNALLOCATED) | (name == "UNALLOCATED"))


def assign_pcns(
    rows: pd.DataFrame, practice_map: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each row's PCN, from the practice map; rows of unmapped or unallocated practices apart.

    Parameters
    ----------
    rows
        Rows with ``practice_code`` (e.g. :attr:`Placed.rows`).
    practice_map
        NHS England's practice map, indexed by ``PRACTICE_CODE`` (as
        :func:`loaders.pcn.registrations.read_practice_map` gives it) or with that
        column; ``PCN_CODE`` (``PCN_NAME`` if present, for 'Unallocated').

    Returns
    -------
    (rows, removed)
        ``rows`` with ``pcn_code`` for practices in a PCN; ``removed``: the other
        rows with ``reason`` (a key of :data:`PCN_REASONS`).

    Examples
    --------
    >>> m = pd.DataFrame({"PRACTICE_CODE": ["A", "B"], "PCN_CODE": ["U1", "U"],
    ...                   "PCN_NAME": ["One", "Unallocated"]})
    >>> r = pd.DataFrame({"practice_code": ["A", "B", "C"], "patients": [1.0, 2.0, 3.0]})
    >>> kept, removed = assign_pcns(r, m)
    >>> kept.values.tolist(), removed[["practice_code", "reason"]].values.tolist()
    ([['A', 1.0, 'U1']], [['B', 'practice_not_in_pcn'], ['C', 'practice_not_in_map']])
    """
    _require(rows, ("practice_code",), "rows")
    m = _practice_map(practice_map)
    code, cats = _codes(rows["practice_code"])
    idx = pd.Index(cats)
    in_map = np.append(idx.isin(m.index), False)[code]
    in_pcn = _in_pcn(m)
    ok_pcn = np.append(idx.isin(in_pcn.index[in_pcn.to_numpy()]), False)[code]
    pcn_of = np.append(idx.map(m["PCN_CODE"].astype(str).str.strip()).to_numpy(dtype=object), "")
    reason = np.where(~in_map, "practice_not_in_map", "practice_not_in_pcn")
    keep = in_map & ok_pcn
    kept = rows[keep].copy()
    kept["pcn_code"] = _strings(pcn_of[code[keep]]).set_axis(kept.index)
    removed = rows[~keep].assign(reason=reason[~keep])
    removed = removed.sort_values(["reason", "practice_code"], ascending=[False, True])
    return kept.reset_index(drop=True), removed.reset_index(drop=True)


def icb_summary(
    sources: pd.DataFrame, placed: pd.DataFrame, practice_map: pd.DataFrame
) -> pd.DataFrame:
    """Per ICB and extract used: practices and patients read, placed, and in a PCN.

    Parameters
    ----------
    sources
        :attr:`LatestWins.sources` (``practice_code, extract, published,
        patients``).
    placed
        The rows placed in LSOA21s after :func:`latest_wins`
        (``practice_code, patients``), e.g. the :attr:`Placed.rows` of each
        extract put together.
    practice_map
        As for :func:`assign_pcns`, with ``ONS_ICB_CODE`` and ``ICB_NAME``.

    Returns
    -------
    DataFrame
        ``icb_code, icb_name, extract, published, practices, patients_read,
        patients_placed`` (in an English LSOA21), ``practices_in_pcn``,
        ``patients_in_pcn`` (placed, of practices in a PCN); practices missing
        from the map under :data:`NOT_IN_MAP`. Sorted by ICB code, then latest
        extract first.

    Examples
    --------
    >>> m = pd.DataFrame({"PRACTICE_CODE": ["A", "B"], "PCN_CODE": ["U1", "U2"],
    ...                   "ONS_ICB_CODE": ["E54000010", "E54000008"],
    ...                   "ICB_NAME": ["Staffs", "Cheshire"]})
    >>> src = pd.DataFrame({"practice_code": ["A", "B", "C"],
    ...                     "extract": ["oct2025", "jul2022", "jul2022"],
    ...                     "published": pd.to_datetime(["2025-10-01", "2022-07-01",
    ...                                                  "2022-07-01"]),
    ...                     "patients": [100, 50, 7]})
    >>> placed = pd.DataFrame({"practice_code": ["A", "B", "C"], "patients": [98.0, 50.0, 7.0]})
    >>> s = icb_summary(src, placed, m)
    >>> s[["icb_code", "extract", "practices", "patients_read", "patients_in_pcn"]].values.tolist()
    [['', 'jul2022', 1, 7, 0.0], ['E54000008', 'jul2022', 1, 50, 50.0], \
['E54000010', 'oct2025', 1, 100, 98.0]]
    """
    _require(sources, ("practice_code", "extract", "published", "patients"), "sources")
    _require(placed, ("practice_code", "patients"), "placed")
    m = _practice_map(practice_map)
    _require(m, ("ONS_ICB_CODE", "ICB_NAME"), "practice_map")
    s = sources.copy()
    pc = s["practice_code"].astype(str).str.strip().str.upper()
    in_map = pc.isin(m.index)
    s["icb_code"] = pc.map(m["ONS_ICB_CODE"].astype(object)).where(in_map, NOT_IN_MAP[0])
    s["icb_name"] = pc.map(m["ICB_NAME"].astype(object)).where(in_map, NOT_IN_MAP[1])
    in_pcn = _in_pcn(m)
    s["in_pcn"] = pc.isin(in_pcn.index[in_pcn.to_numpy()]).to_numpy()
    per = placed.groupby(placed["practice_code"].astype(str).str.strip().str.upper())[
        "patients"
    ].sum()
    s["placed"] = pc.map(per).fillna(0.0).astype(float)
    s["placed_in_pcn"] = s["placed"].where(s["in_pcn"], 0.0)
    out = (
        s.groupby(["icb_code", "icb_name", "extract", "published"], sort=False)
        .agg(
            practices=("practice_code", "size"),
            patients_read=("patients", "sum"),
            patients_placed=("placed", "sum"),
            practices_in_pcn=("in_pcn", "sum"),
            patients_in_pcn=("placed_in_pcn", "sum"),
        )
        .reset_index()
        .sort_values(["icb_code", "published", "extract"], ascending=[True, False, True])
    )
    out["practices_in_pcn"] = out["practices_in_pcn"].astype(np.int64)
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Geography:
    """The LSOA geography of an extract, and how it was told.

    Attributes
    ----------
    name
        ``lsoa11`` or ``lsoa21``.
    by
        ``codes`` (its English codes include LSOAs of one geography only) or
        ``extract date`` (all its codes are in both; see :data:`LSOA21_FROM`).
    english, only11, only21, unknown
        Distinct English LSOA codes (``E01``) in the extract; those that are
        2011 LSOAs only, 2021 LSOAs only, and neither.
    """

    name: str
    by: str
    english: int
    only11: int
    only21: int
    unknown: int


def detect_geography(
    codes: Iterable[str],
    lsoa11: Iterable[str],
    lsoa21: Iterable[str],
    published: str | dt.date,
    *,
    what: str = "extract",
) -> Geography:
    """Whether an extract's LSOA codes are 2011 or 2021 LSOAs.

    Most codes are the same in both (31,810 LSOAs did not change); 1,034 are
    2011 LSOAs only and 1,945 are 2021 LSOAs only. An extract holding codes of
    one side only is on that geography; one whose codes are all common to both
    is told by its date (before :data:`LSOA21_FROM`: 2011).

    Raises
    ------
    ValueError
        No English LSOA code; more than half of them unknown to both
        geographies; or codes of both sides in comparable numbers (more than 1%
        of the other side's), so the geography is unknown.

    Examples
    --------
    >>> l11, l21 = ["E01000001", "E01000002"], ["E01000001", "E01000003"]
    >>> detect_geography(["E01000001", "E01000002", "NO2011"], l11, l21, "01JUL2022").name
    'lsoa11'
    >>> g = detect_geography(["E01000001", "W01000001"], l11, l21, "01OCT2025")
    >>> g.name, g.by
    ('lsoa21', 'extract date')
    """
    c = pd.Index(pd.Series(list(codes), dtype=object).dropna().astype(str)).str.strip().str.upper()
    english = pd.Index(c[c.str.fullmatch(r"E01\d{6}")].unique())
    if len(english) == 0:
        raise ValueError(f"{what}: no English LSOA codes (E01...): is LSOA_CODE the right column?")
    s11 = pd.Index(pd.Series(list(lsoa11), dtype=object).astype(str)).unique()
    s21 = pd.Index(pd.Series(list(lsoa21), dtype=object).astype(str)).unique()
    in11, in21 = english.isin(s11), english.isin(s21)
    only11, only21 = int((in11 & ~in21).sum()), int((in21 & ~in11).sum())
    unknown = int((~in11 & ~in21).sum())
    counts = {"english": len(english), "only11": only11, "only21": only21, "unknown": unknown}
    if unknown > len(english) / 2:
        raise ValueError(
            f"{what}: unknown LSOA geography: {unknown:,} of its {len(english):,} English "
            f"codes are neither 2011 nor 2021 LSOAs (e.g. "
            f"{', '.join(english[~in11 & ~in21][:3])})"
        )
    if only11 and only21 and min(only11, only21) > 0.01 * max(only11, only21):
        raise ValueError(
            f"{what}: unknown LSOA geography: it has {only11:,} codes of 2011 LSOAs only and "
            f"{only21:,} of 2021 LSOAs only; an extract is on one geography"
        )
    if only11 > only21:
        return Geography("lsoa11", "codes", **counts)
    if only21 > only11:
        return Geography("lsoa21", "codes", **counts)
    date = publication_date(published)
    return Geography("lsoa11" if date < LSOA21_FROM else "lsoa21", "extract date", **counts)


@dataclass(frozen=True)
class Combined:
    """Registrations of several extracts, each practice from its latest, on LSOA21s.

    Attributes
    ----------
    rows
        ``practice_code, lsoa21_code, patients`` (float), ``extract``,
        ``pcn_code``: one row per practice and LSOA21, practices in a PCN only.
    removed
        What was not used, per extract and reason (a key of :data:`REASONS`):
        ``extract, reason, rows, patients, practices``.
    superseded
        Rows left aside because a later extract holds their practice, per
        extract: ``extract, rows, patients, practices``.
    sources
        :attr:`LatestWins.sources`: the extract each practice comes from.
    icbs
        :func:`icb_summary` of the practices used.
    """

    rows: pd.DataFrame
    removed: pd.DataFrame
    superseded: pd.DataFrame
    sources: pd.DataFrame
    icbs: pd.DataFrame


def _tally(extract: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows, patients and practices per reason of ``frame`` (``reason`` column)."""
    if frame.empty:
        return pd.DataFrame(columns=["extract", "reason", "rows", "patients", "practices"])
    t = frame.groupby("reason", sort=False).agg(
        rows=("patients", "size"),
        patients=("patients", "sum"),
        practices=("practice_code", "nunique"),
    )
    return t.reset_index().assign(extract=extract)[
        ["extract", "reason", "rows", "patients", "practices"]
    ]


def combine(
    extracts: Sequence[Extract],
    geographies: dict[str, str],
    practice_map: pd.DataFrame,
    lsoa21_codes: Iterable[str],
    crosswalk: pd.DataFrame | None = None,
) -> Combined:
    """Registrations of every extract on LSOA21s, in PCNs, each practice counted once.

    For each practice, the rows of the latest extract holding it
    (:func:`latest_wins`); practices missing from the map, in no PCN or with no
    patients are set aside with their reason (:func:`assign_pcns`, not guessed);
    the rest are carried to LSOA21 (:func:`carry_to_lsoa21`, extracts on 2011
    LSOAs) or placed (:func:`place_lsoa21`), and what cannot be placed is
    counted by reason. Nothing is dropped uncounted: per extract, rows read =
    superseded + removed + used (before carrying splits rows).

    Parameters
    ----------
    extracts
        Each with rows ``practice_code, lsoa_code, patients`` as read.
    geographies
        Extract name -> ``lsoa11`` or ``lsoa21`` (:func:`detect_geography`).
    practice_map
        As for :func:`assign_pcns`.
    lsoa21_codes
        The 2021 LSOAs known.
    crosswalk
        ``lsoa11_code, lsoa21_code, from11``, needed if an extract is on LSOA11.

    Raises
    ------
    ValueError
        As :func:`latest_wins` and :func:`carry_to_lsoa21`; an extract on LSOA11
        with no crosswalk; nothing left in a PCN.

    Examples
    --------
    >>> m = pd.DataFrame({"PRACTICE_CODE": ["P1", "P2"], "PCN_CODE": ["U1", "U2"],
    ...                   "ONS_ICB_CODE": "E54000010", "ICB_NAME": "Staffs"})
    >>> old = pd.DataFrame({"practice_code": ["P1", "P2"], "lsoa_code": ["E01000001"] * 2,
    ...                     "patients": [10, 20]})
    >>> new = pd.DataFrame({"practice_code": ["P2", "P2"],
    ...                     "lsoa_code": ["E01000001", "CLOSED"], "patients": [25, 1]})
    >>> c = combine([Extract("old", "2022-07-01", old), Extract("new", "2025-10-01", new)],
    ...             {"old": "lsoa21", "new": "lsoa21"}, m, ["E01000001"])
    >>> c.rows[["practice_code", "patients", "extract", "pcn_code"]].values.tolist()
    [['P2', 25.0, 'new', 'U2'], ['P1', 10.0, 'old', 'U1']]
    >>> c.removed[["extract", "reason", "patients"]].values.tolist()
    [['new', 'placeholder', 1.0]]
    >>> c.superseded[["extract", "rows", "patients"]].values.tolist()
    [['old', 1, 20.0]]
    """
    lw = latest_wins(extracts)
    m = _practice_map(practice_map)
    pcn_of = m["PCN_CODE"].astype(str).str.strip()
    known21 = list(lsoa21_codes)
    used, removed, superseded = [], [], []
    for e in sorted(extracts, key=lambda x: (publication_date(x.published), x.name), reverse=True):
        geo = geographies.get(e.name)
        if geo not in GEOGRAPHIES:
            raise ValueError(
                f"extract {e.name}: LSOA geography {geo!r} is not one of {GEOGRAPHIES}"
            )
        part = lw.rows[lw.rows["extract"].to_numpy() == e.name]
        left = _patients(e.rows, f"extract {e.name}").sum() - _patients(part, e.name).sum()
        gone = len(e.rows) - len(part)
        if gone:
            n_prac = sum(e.name in s.split("; ") for s in lw.sources["superseded"])
            superseded.append(
                {"extract": e.name, "rows": gone, "patients": float(left), "practices": n_prac}
            )
        kept, out = assign_pcns(part, m)
        removed.append(_tally(e.name, out.assign(patients=_patients(out, e.name))))
        tot = pd.Series(_patients(kept, e.name)).groupby(kept["practice_code"].to_numpy()).sum()
        closed = kept["practice_code"].isin(tot.index[tot <= 0]).to_numpy()
        if closed.any():
            removed.append(
                _tally(e.name, kept[closed].assign(reason="closed_practice", patients=0.0))
            )
            kept = kept[~closed]
        if geo == "lsoa11":
            if crosswalk is None:
                raise ValueError(
                    f"extract {e.name} is on 2011 LSOAs: it needs the LSOA11 -> LSOA21 crosswalk"
                )
            placed = carry_to_lsoa21(kept.rename(columns={"lsoa_code": "lsoa11_code"}), crosswalk)
        else:
            placed = place_lsoa21(kept.rename(columns={"lsoa_code": "lsoa21_code"}), known21)
        removed.append(_tally(e.name, placed.unplaced))
        rows = placed.rows.assign(extract=e.name)
        rows["pcn_code"] = rows["practice_code"].map(pcn_of).to_numpy()
        used.append(rows)
    rows = pd.concat(used, ignore_index=True)
    if rows.empty:
        raise ValueError("no registrations are left in an English 2021 LSOA of a PCN")
    rem = pd.concat([r for r in removed if not r.empty] or [_tally("", pd.DataFrame())])
    order = {r: i for i, r in enumerate(REASONS)}
    rem = rem.assign(_o=rem["reason"].map(order)).sort_values(["extract", "_o"]).drop(columns="_o")
    sup = pd.DataFrame(superseded, columns=["extract", "rows", "patients", "practices"])
    icbs = icb_summary(lw.sources, rows[["practice_code", "patients"]], practice_map)
    return Combined(
        rows=rows,
        removed=rem.astype(
            {"rows": np.int64, "practices": np.int64, "patients": float}
        ).reset_index(drop=True),
        superseded=sup,
        sources=lw.sources,
        icbs=icbs,
    )
