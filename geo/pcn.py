"""PCN footprints from GP registrations: LSOA weights and the LSOAs each PCN is drawn over.

PCNs have no official boundaries. ICB analysts derive them from NHS England's
'Patients registered at a GP practice' by LSOA of residence: a PCN's patients in
an LSOA are the sum over its practices, its share of the LSOA is that over the
patients of every PCN present, and its footprint is the union of the LSOAs where
it has the largest share.

Pure functions over pandas frames; the loader (:mod:`loaders.pcn`) reads the
files and writes the results.

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

from typing import Literal

import numpy as np
import pandas as pd

PolygonRule = Literal["plurality", "min_share"]


def pcn_lsoa_weights(rows: pd.DataFrame) -> pd.DataFrame:
    """Patients and share of the LSOA's registered patients, per PCN and LSOA.

    Parameters
    ----------
    rows
        Cleaned registrations: ``pcn_code``, ``lsoa21_code``, ``patients`` (one row
        per practice and LSOA, or already summed).

    Returns
    -------
    DataFrame with ``pcn_code, lsoa21_code, patients, lsoa_patients, share``, one row
    per PCN and LSOA with patients; ``share`` sums to 1 over the PCNs present in each
    LSOA.
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
    patients in the file fall below ``min_coverage`` times their residents
    (``coverage``: LSOA code -> patients / residents) lie outside the file's
    reach (a border LSOA of a neighbouring ICB where a few patients registered
    with this ICB's practices) and are not drawn. A PCN that leads in no LSOA
    is drawn over the LSOA where its share is highest, so every PCN has a
    polygon.

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
    lead = w.drop_duplicates("lsoa21_code", keep="first")
    keep = np.ones(len(lead), dtype=bool)
    if rule == "min_share":
        keep &= lead["share"].to_numpy() >= min_share - 1e-12
    if coverage is not None and min_coverage > 0:
        cov = lead["lsoa21_code"].map(coverage).fillna(np.inf).to_numpy(dtype=float)
        keep &= cov >= min_coverage
    chosen = lead.loc[keep, ["pcn_code", "lsoa21_code"]].assign(fallback=False)
    missing = sorted(set(weights["pcn_code"]) - set(chosen["pcn_code"]))
    if missing:
        best = (
            w[w["pcn_code"].isin(missing)]
            .sort_values(
                ["pcn_code", "share", "patients", "lsoa21_code"],
                ascending=[True, False, False, True],
            )
            .drop_duplicates("pcn_code", keep="first")
        )
        chosen = pd.concat(
            [chosen, best[["pcn_code", "lsoa21_code"]].assign(fallback=True)], ignore_index=True
        )
    return chosen.sort_values(["pcn_code", "lsoa21_code"]).reset_index(drop=True)
