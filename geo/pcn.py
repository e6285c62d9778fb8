"""PCNs from GP registrations: the one attribution rule, LSOA weights and polygons.

PCNs have no official boundaries. ICB analysts derive them from NHS England's
'Patients registered at a GP practice' by LSOA of residence: a PCN's patients in
an LSOA are the sum over its practices, and its footprint is the union of the
LSOAs where it has the largest share of the registered patients.

**The rule** (one, for every answer that names PCNs: overlaps, profiles, programme
summaries, rankings, the map): the residents of an LSOA are attributed to a PCN in
proportion to its registered patients there, and never more residents than the
patients registered::

    pop_share = patients / max(lsoa_patients, residents)

where ``lsoa_patients`` sums every PCN loaded in the LSOA and ``residents`` are its
Census 2021 usual residents. Where the loaded registrations reach the residents
(the usual case inside the extracts' ICBs, where lists are larger than the census)
this is the PCN's share of the registered patients; where they fall short (an LSOA
outside the extracts' reach, holding a few patients of a distant practice) each
patient stands for one resident. The shares of an LSOA sum to its *coverage*,
``min(1, lsoa_patients / residents)``, and an area's ``pcn_coverage`` is the
population-weighted coverage of its LSOAs: the share of its residents the loaded
registrations account for. The shares are stored as the PCNs' ``area_lsoa.pop_share``,
so overlaps, profiles and summaries follow the rule with no special case; below
:data:`PCN_COVERAGE_FLOOR` an answer lists no derived PCN and says why.

Pure functions over pandas frames; :mod:`loaders.pcn` reads the files and writes
the results.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"pcn_code": ["A", "B", "A", "B"],
...                      "lsoa21_code": ["L1", "L1", "L2", "L2"],
...                      "patients": [30, 10, 5, 15]})
>>> w = pcn_lsoa_weights(rows)
>>> w.loc[w["pcn_code"] == "A", "share"].tolist()
[0.75, 0.25]
>>> footprint_lsoas(w).sort_values("lsoa21_code")["pcn_code"].tolist()
['A', 'B']
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

PolygonRule = Literal["plurality", "min_share"]

#: Below this share of an area's residents accounted for by the loaded registrations,
#: answers list no PCN derived from registrations (and say so in a note): the few
#: patients there are cross-border registrations, not the PCNs that serve the area.
PCN_COVERAGE_FLOOR = 0.05


def pcn_lsoa_weights(rows: pd.DataFrame) -> pd.DataFrame:
    """Patients and share of the LSOA's registered patients, per PCN and LSOA.

    Parameters
    ----------
    rows
        Registrations placed in LSOA21s: ``pcn_code``, ``lsoa21_code``, ``patients``
        (one row per practice and LSOA, or already summed).

    Returns
    -------
    DataFrame with ``pcn_code, lsoa21_code, patients, lsoa_patients, share``, one row
    per PCN and LSOA with patients, sorted; ``share`` sums to 1 over the PCNs present
    in each LSOA.
    """
    g = (
        rows.groupby(["pcn_code", "lsoa21_code"], as_index=False, sort=True)["patients"]
        .sum()
        .astype({"patients": "float64"})
    )
    g = g[g["patients"] > 0].reset_index(drop=True)
    g["lsoa_patients"] = g.groupby("lsoa21_code")["patients"].transform("sum")
    g["share"] = g["patients"] / g["lsoa_patients"]
    return g


def capped_shares(pcn_lsoa_patients: pd.DataFrame, lsoa_residents: pd.Series) -> pd.DataFrame:
    """Per PCN and LSOA, the share of the LSOA's residents the PCN serves (the rule).

    ``pop_share = patients / max(lsoa_patients, residents)``, where
    ``lsoa_patients`` sums every PCN given in the LSOA. Where the LSOA's
    registered patients reach its residents this is the PCN's share of them (as
    :func:`pcn_lsoa_weights`); where they fall short, each patient stands for one
    resident. So ``pop_share * residents <= patients``: a PCN never serves more
    residents than it has patients there, and the shares of an LSOA sum to
    ``coverage = min(1, lsoa_patients / residents)``. An LSOA with no residents
    given (missing or 0) is taken to have as many as its patients: shares of the
    patients, coverage 1.

    Parameters
    ----------
    pcn_lsoa_patients
        ``pcn_code, lsoa21_code, patients`` (one row per practice and LSOA, or
        summed already).
    lsoa_residents
        Residents per LSOA21 (index: code), e.g. Census 2021 usual residents.

    Returns
    -------
    DataFrame
        ``pcn_code, lsoa21_code, patients, lsoa_patients, share`` (of the
        patients, as :func:`pcn_lsoa_weights`), ``residents`` (NaN if not given),
        ``pop_share``, ``coverage``; one row per PCN and LSOA with patients.

    Examples
    --------
    Four patients of a distant PCN in an LSOA of 1,500 residents, and an LSOA
    whose 2,000 patients are more than its 1,600 residents:

    >>> rows = pd.DataFrame({"pcn_code": ["A", "A", "B"],
    ...                      "lsoa21_code": ["L1", "L2", "L2"],
    ...                      "patients": [4, 1500, 500]})
    >>> s = capped_shares(rows, pd.Series({"L1": 1500.0, "L2": 1600.0}))
    >>> s[["pcn_code", "lsoa21_code", "pop_share", "coverage"]].round(4).values.tolist()
    [['A', 'L1', 0.0027, 0.0027], ['A', 'L2', 0.75, 1.0], ['B', 'L2', 0.25, 1.0]]
    >>> (s["pop_share"] * s["residents"]).round(6).tolist()
    [4.0, 1200.0, 400.0]
    """
    missing = [c for c in ("pcn_code", "lsoa21_code", "patients") if c not in pcn_lsoa_patients]
    if missing:
        raise ValueError(f"pcn_lsoa_patients: missing column(s) {', '.join(missing)}")
    rows = pcn_lsoa_patients[["pcn_code", "lsoa21_code", "patients"]]
    if (pd.to_numeric(rows["patients"], errors="coerce") < 0).any():
        raise ValueError("pcn_lsoa_patients: patients must be >= 0")
    w = pcn_lsoa_weights(rows)
    res = w["lsoa21_code"].map(lsoa_residents).astype(float)
    w["residents"] = res.to_numpy()
    r = res.where(res > 0).to_numpy()  # NaN: none given
    lp = w["lsoa_patients"].to_numpy(dtype=float)
    den = np.where(np.isnan(r), lp, np.fmax(lp, r))
    w["pop_share"] = w["patients"].to_numpy(dtype=float) / den
    w["coverage"] = np.where(np.isnan(r), 1.0, np.minimum(1.0, lp / np.where(np.isnan(r), 1.0, r)))
    return w


def footprint_lsoas(
    weights: pd.DataFrame,
    *,
    rule: PolygonRule = "plurality",
    min_share: float = 0.5,
    coverage: pd.Series | None = None,
    min_coverage: float = 0.0,
) -> pd.DataFrame:
    """The LSOAs each PCN's polygon is drawn over.

    Each LSOA goes to the PCN with the largest share of its registered patients
    (ties: more patients, then the lower code). With ``rule="min_share"`` that
    share must also reach ``min_share`` (0.5: only LSOAs where one PCN holds a
    majority), so some LSOAs belong to no polygon. LSOAs whose registered
    patients fall below ``min_coverage`` times their residents (``coverage``:
    LSOA code -> patients / residents) lie outside the registrations' reach (a
    border LSOA of an ICB whose practices are not loaded, where a few patients
    registered across the border) and are not drawn. A PCN that leads in no LSOA
    is drawn over the LSOA where its share is highest, among those within reach
    if it has any, so every PCN has a polygon.

    Returns
    -------
    DataFrame with ``pcn_code, lsoa21_code, fallback`` (True where the LSOA was
    taken only so that the PCN has a polygon).
    """
    if rule not in ("plurality", "min_share"):
        raise ValueError(f"unknown polygon rule {rule!r}; use plurality or min_share")
    w = weights.sort_values(
        ["lsoa21_code", "share", "patients", "pcn_code"], ascending=[True, False, False, True]
    )
    reach = np.ones(len(w), dtype=bool)
    if coverage is not None and min_coverage > 0:
        cov = w["lsoa21_code"].map(coverage).fillna(np.inf).to_numpy(dtype=float)
        reach = cov >= min_coverage
    first = ~w["lsoa21_code"].duplicated().to_numpy()
    keep = first & reach
    if rule == "min_share":
        keep &= w["share"].to_numpy() >= min_share - 1e-12
    chosen = w.loc[keep, ["pcn_code", "lsoa21_code"]].assign(fallback=False)
    missing = sorted(set(weights["pcn_code"]) - set(chosen["pcn_code"]))
    if missing:
        cand = w.assign(_out=~reach)[w["pcn_code"].isin(missing).to_numpy()]
        best = cand.sort_values(
            ["pcn_code", "_out", "share", "patients", "lsoa21_code"],
            ascending=[True, True, False, False, True],
        ).drop_duplicates("pcn_code", keep="first")
        chosen = pd.concat(
            [chosen, best[["pcn_code", "lsoa21_code"]].assign(fallback=True)], ignore_index=True
        )
    return chosen.sort_values(["pcn_code", "lsoa21_code"]).reset_index(drop=True)


def lsoa_reach(weights: pd.DataFrame) -> pd.Series:
    """Per LSOA21 code, its loaded patients over its residents (NaN where it has none):
    what :func:`footprint_lsoas` compares with ``min_coverage``.

    >>> w = pd.DataFrame({"lsoa21_code": ["L1", "L1", "L2"], "lsoa_patients": [900.0] * 2 + [3.0],
    ...                   "residents": [1000.0, 1000.0, 1500.0]})
    >>> lsoa_reach(w).to_dict()
    {'L1': 0.9, 'L2': 0.002}
    """
    ratio = weights["lsoa_patients"] / weights["residents"].where(weights["residents"] > 0)
    return pd.Series(ratio.to_numpy(), index=weights["lsoa21_code"]).groupby(level=0).first()


def practice_table(rows: pd.DataFrame, practice_map: pd.DataFrame) -> pd.DataFrame:
    """One row per practice placed: ``practice_code, pcn_code, patients, extract,
    practice_name`` (from the practice map, indexed by ``PRACTICE_CODE``).

    >>> rows = pd.DataFrame({"practice_code": ["P1", "P1"], "pcn_code": ["UA", "UA"],
    ...                      "patients": [2.0, 3.0], "extract": ["f", "f"]})
    >>> m = pd.DataFrame({"PRACTICE_NAME": ["One"]}, index=pd.Index(["P1"], name="PRACTICE_CODE"))
    >>> practice_table(rows, m).values.tolist()
    [['P1', 'UA', 5.0, 'f', 'One']]
    """
    p = rows.groupby("practice_code", as_index=False, sort=True).agg(
        pcn_code=("pcn_code", "first"), patients=("patients", "sum"), extract=("extract", "first")
    )
    p["practice_name"] = p["practice_code"].map(practice_map["PRACTICE_NAME"]).fillna("")
    return p


def lsoa_coverage(weights: pd.DataFrame) -> pd.Series:
    """Coverage per LSOA21 code (the sum of the PCNs' ``pop_share``, at most 1).

    >>> w = pd.DataFrame({"lsoa21_code": ["L1", "L1", "L2"], "pop_share": [0.5, 0.25, 0.01]})
    >>> lsoa_coverage(w).to_dict()
    {'L1': 0.75, 'L2': 0.01}
    """
    return weights.groupby("lsoa21_code", sort=True)["pop_share"].sum().clip(upper=1.0)


def coverage_by(
    coverage: pd.Series, residents: pd.Series, groups: pd.Series, names: pd.Series | None = None
) -> pd.DataFrame:
    """Residents of each group of LSOAs (an ICB ...) and the share the registrations cover.

    Parameters
    ----------
    coverage
        LSOA21 code -> coverage (:func:`lsoa_coverage`; missing: 0).
    residents
        LSOA21 code -> residents.
    groups
        LSOA21 code -> group (every LSOA of the groups, with or without registrations).
    names
        Group -> name, optional.

    Returns
    -------
    DataFrame indexed by group (sorted): ``residents``, ``attributed`` (residents
    attributed to PCNs), ``coverage``, and ``name`` if given.

    Examples
    --------
    >>> cov = pd.Series({"L1": 1.0, "L2": 0.5})
    >>> res = pd.Series({"L1": 100.0, "L2": 100.0, "L3": 200.0})
    >>> g = pd.Series({"L1": "A", "L2": "A", "L3": "B"})
    >>> coverage_by(cov, res, g).round(3).to_dict("index")
    {'A': {'residents': 200.0, 'attributed': 150.0, 'coverage': 0.75}, \
'B': {'residents': 200.0, 'attributed': 0.0, 'coverage': 0.0}}
    """
    r = residents.reindex(groups.index).fillna(0.0).astype(float)
    c = coverage.reindex(groups.index).fillna(0.0).astype(float)
    out = pd.DataFrame({"residents": r, "attributed": r * c, "group": groups.to_numpy()})
    out = out.groupby("group", sort=True)[["residents", "attributed"]].sum()
    out["coverage"] = np.where(out["residents"] > 0, out["attributed"] / out["residents"], 0.0)
    out.index.name = None
    if names is not None:
        out["name"] = out.index.map(names)
    return out


def pcn_attributes(rows: pd.DataFrame, practice_map: pd.DataFrame) -> pd.DataFrame:
    """Name, sub-ICB location and ICB of each PCN, from the practice map.

    A PCN's sub-ICB and ICB are those of its practices holding most of its patients.

    Parameters
    ----------
    rows
        ``practice_code, pcn_code, patients`` (placed rows).
    practice_map
        Indexed by ``PRACTICE_CODE``: ``PCN_NAME, ONS_SUB_ICB_LOCATION_CODE,
        SUB_ICB_LOCATION_NAME, ONS_ICB_CODE, ICB_NAME``.

    Returns
    -------
    DataFrame indexed by ``pcn_code`` (sorted): ``name, sicbl_code, sicbl_name,
    icb_code, icb_name``.
    """
    per = rows.groupby(["pcn_code", "practice_code"], as_index=False, sort=True)["patients"].sum()
    m = practice_map.reindex(per["practice_code"].to_numpy())
    lead = (
        pd.DataFrame(
            {
                "pcn_code": per["pcn_code"].to_numpy(),
                "patients": per["patients"].to_numpy(dtype=float),
                "name": m["PCN_NAME"].to_numpy(),
                "sicbl_code": m["ONS_SUB_ICB_LOCATION_CODE"].to_numpy(),
                "sicbl_name": m["SUB_ICB_LOCATION_NAME"].to_numpy(),
                "icb_code": m["ONS_ICB_CODE"].to_numpy(),
                "icb_name": m["ICB_NAME"].to_numpy(),
            }
        )
        .sort_values(["pcn_code", "patients"], ascending=[True, False], kind="stable")
        .drop_duplicates("pcn_code")
        .set_index("pcn_code")
        .drop(columns="patients")
    )
    return lead


def pcn_records(
    weights: pd.DataFrame,
    drawn: pd.DataFrame,
    pcns: pd.DataFrame,
    practices: pd.DataFrame,
    *,
    extracts: dict[str, dict[str, str]],
    polygon_rule: str,
    source: str,
) -> pd.DataFrame:
    """The ``area`` rows of the PCNs: code, name, vintage, population and properties.

    Parameters
    ----------
    weights
        :func:`capped_shares` (``pcn_code, patients`` used).
    drawn
        :func:`footprint_lsoas`.
    pcns
        :func:`pcn_attributes`.
    practices
        One row per practice: ``practice_code, practice_name, pcn_code, patients,
        extract``.
    extracts
        Extract name -> ``{"file", "extract_date" (ISO), "publication" (YYYY-MM)}``.
    polygon_rule
        How polygons were drawn, as text.
    source
        ``properties.source`` of derived PCNs.

    Returns
    -------
    DataFrame sorted by code: ``code, name, vintage`` (publication month of the
    extract holding most of the PCN's patients), ``population`` (patients placed),
    ``properties`` (JSON text: ICB, sub-ICB, the extracts and practices, how the
    polygon was drawn).
    """
    codes = sorted(drawn["pcn_code"].unique())
    patients = weights.groupby("pcn_code")["patients"].sum().to_dict()
    lsoas = drawn.groupby("pcn_code").size().to_dict()
    fallback = set(drawn.loc[drawn["fallback"], "pcn_code"])
    attrs = pcns.to_dict("index")
    # plain lists per PCN (one pass over the practices: no pandas per PCN)
    pr = practices.sort_values(["pcn_code", "practice_code"])
    listing: dict[str, list[dict[str, object]]] = {}
    per_extract: dict[str, dict[str, float]] = {}
    for pcn, code, name, n, e in zip(
        pr["pcn_code"].tolist(),
        pr["practice_code"].tolist(),
        pr["practice_name"].tolist(),
        pr["patients"].astype(float).tolist(),
        pr["extract"].astype(str).tolist(),
        strict=True,
    ):
        listing.setdefault(pcn, []).append(
            {"code": code, "name": name, "patients": round(n, 3), "extract": extracts[e]["file"]}
        )
        totals = per_extract.setdefault(pcn, {})
        totals[e] = totals.get(e, 0.0) + n
    names, vintages, props = [], [], []
    for c in codes:
        p = attrs[c]
        ranked = sorted(per_extract[c].items(), key=lambda kv: (-kv[1], kv[0]))
        used = [{**extracts[e], "patients": n} for e, n in ranked if n > 0] or [
            {**extracts[ranked[0][0]], "patients": 0.0}
        ]
        names.append(str(p["name"]))
        vintages.append(used[0]["publication"])
        props.append(
            json.dumps(
                {
                    "source": source,
                    "ods_code": c,
                    "sicbl_code": p["sicbl_code"],
                    "sicbl_name": p["sicbl_name"],
                    "icb_code": p["icb_code"],
                    "icb_name": p["icb_name"],
                    "extract": used[0]["file"],
                    "extract_date": used[0]["extract_date"],
                    "extracts": used,
                    "polygon_rule": polygon_rule,
                    "polygon_fallback": c in fallback,
                    "polygon_lsoas": int(lsoas[c]),
                    "practices": listing[c],
                }
            )
        )
    return pd.DataFrame(
        {
            "code": codes,
            "name": names,
            "vintage": vintages,
            "population": [float(patients[c]) for c in codes],
            "properties": props,
        }
    )


def weight_rows(weights: pd.DataFrame, drawn: pd.DataFrame) -> pd.DataFrame:
    """The PCNs' LSOA weights: ``pcn_code, lsoa21_code, area_share`` (1 where the polygon
    takes the LSOA, else 0), ``pop_share`` (the rule), ``population`` (patients).

    >>> w = pd.DataFrame({"pcn_code": ["A", "A"], "lsoa21_code": ["L1", "L2"],
    ...                   "pop_share": [0.9, 0.01], "patients": [900.0, 3.0]})
    >>> d = pd.DataFrame({"pcn_code": ["A"], "lsoa21_code": ["L1"], "fallback": [False]})
    >>> weight_rows(w, d)[["lsoa21_code", "area_share", "pop_share"]].values.tolist()
    [['L1', 1.0, 0.9], ['L2', 0.0, 0.01]]
    """
    key = pd.MultiIndex.from_frame(weights[["pcn_code", "lsoa21_code"]])
    inside = key.isin(pd.MultiIndex.from_frame(drawn[["pcn_code", "lsoa21_code"]]))
    return pd.DataFrame(
        {
            "pcn_code": weights["pcn_code"].to_numpy(),
            "lsoa21_code": weights["lsoa21_code"].to_numpy(),
            "area_share": inside.astype(float),
            "pop_share": weights["pop_share"].to_numpy(dtype=float),
            "population": weights["patients"].to_numpy(dtype=float),
        }
    )


def listed(coverage: float, floor: float = PCN_COVERAGE_FLOOR) -> bool:
    """Whether an area whose registrations cover ``coverage`` of its residents lists PCNs.

    >>> listed(0.97), listed(0.0000856)
    (True, False)
    """
    return bool(coverage >= floor)


def icb_list(codes: Iterable[str], names: dict[str, str], limit: int = 6) -> str:
    """ICBs named for a note: all of them up to ``limit``, else how many.

    >>> icb_list(["E1"], {"E1": "NHS Staffordshire and Stoke-on-Trent ICB"})
    'NHS Staffordshire and Stoke-on-Trent ICB'
    >>> icb_list([f"E{i}" for i in range(42)], {})
    '42 ICBs'
    """
    c = sorted(set(codes))
    if len(c) > limit:
        return f"{len(c)} ICBs"
    return ", ".join(names.get(x, x) for x in c)
