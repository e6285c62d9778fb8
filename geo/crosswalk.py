"""Carrying statistics published on 2011 LSOAs to 2021 LSOAs.

The ONS LSOA11 -> LSOA21 lookup has one row per (LSOA11, LSOA21) pair with a
change code: ``U`` unchanged, ``S`` an LSOA11 split into several LSOA21s, ``M``
several LSOA11s merged into one LSOA21, ``X`` a complex redrawing.

How splits and merges are handled:

* Each LSOA11's population (mid-2020 estimates) is divided between its LSOA21
  children in proportion to their Census 2021 populations (equally if those are
  unknown). That gives ``people[11, 21]``, the people of the LSOA11 living in the
  LSOA21.
* ``to21 = people / sum over the LSOA11s of the LSOA21`` is the share of an LSOA21
  that comes from each LSOA11. Rates, scores and ranks (intensive values) are
  carried as the ``to21``-weighted mean: unchanged and split LSOAs inherit their
  parent's value; merged ones get the population-weighted mean of their parents.
* ``from11 = people / sum over the LSOA21s of the LSOA11`` is the share of an
  LSOA11 that goes to each LSOA21. Counts (extensive values) are carried as
  ``sum(from11 * count)``: split counts are divided by population, merged ones
  added up, and national totals are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def crosswalk_weights(
    lookup: pd.DataFrame,
    pop11: pd.Series | None = None,
    pop21: pd.Series | None = None,
) -> pd.DataFrame:
    """Weights of every (LSOA11, LSOA21) pair.

    Parameters
    ----------
    lookup
        Columns ``lsoa11_code``, ``lsoa21_code`` (one row per pair).
    pop11
        Population of each LSOA11 (index: code). Missing means 1 each.
    pop21
        Population of each LSOA21 (index: code), used to divide a split LSOA11.

    Returns
    -------
    DataFrame with ``lsoa11_code, lsoa21_code, people, to21, from11``.

    Examples
    --------
    >>> lk = pd.DataFrame({"lsoa11_code": ["a", "b", "c", "c"],
    ...                    "lsoa21_code": ["x", "x", "y", "z"]})
    >>> w = crosswalk_weights(lk, pd.Series({"a": 100., "b": 300., "c": 50.}),
    ...                       pd.Series({"x": 400., "y": 30., "z": 10.}))
    >>> w.round(3).to_dict("list")["to21"]
    [0.25, 0.75, 1.0, 1.0]
    >>> w.round(3).to_dict("list")["from11"]
    [1.0, 1.0, 0.75, 0.25]
    """
    w = lookup[["lsoa11_code", "lsoa21_code"]].drop_duplicates().copy()
    p21 = (
        w["lsoa21_code"].map(pop21).astype(float).fillna(1.0)
        if pop21 is not None
        else pd.Series(1.0, index=w.index)
    )
    p21 = p21.where(p21 > 0, 1.0)
    split = p21 / p21.groupby(w["lsoa11_code"]).transform("sum")
    p11 = (
        w["lsoa11_code"].map(pop11).astype(float).fillna(0.0)
        if pop11 is not None
        else pd.Series(1.0, index=w.index)
    )
    w["people"] = p11 * split
    # an LSOA21 whose parents all have zero population still gets equal shares
    tot21 = w["people"].groupby(w["lsoa21_code"]).transform("sum")
    n21 = w.groupby("lsoa21_code")["lsoa11_code"].transform("count")
    w["to21"] = np.where(tot21 > 0, w["people"] / tot21.where(tot21 > 0, 1.0), 1.0 / n21)
    tot11 = w["people"].groupby(w["lsoa11_code"]).transform("sum")
    w["from11"] = np.where(tot11 > 0, w["people"] / tot11.where(tot11 > 0, 1.0), split)
    return w.reset_index(drop=True)


def carry_to_lsoa21(
    values: pd.DataFrame, weights: pd.DataFrame, extensive: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Carry LSOA11 values (indexed by ``lsoa11_code``) to LSOA21.

    Columns named in ``extensive`` are counts (split and summed); the others are
    intensive (weighted means). Missing values stay missing where no parent has one.
    """
    j = weights.join(values, on="lsoa11_code", how="inner")
    out = pd.DataFrame(index=pd.Index(np.unique(j["lsoa21_code"]), name="lsoa21_code"))
    g = j["lsoa21_code"]
    for c in values.columns:
        v = j[c].astype(float)
        ok = v.notna()
        if c in extensive:
            out[c] = (v * j["from11"]).where(ok).groupby(g).sum(min_count=1)
        else:
            num = (v * j["to21"]).where(ok, 0.0).groupby(g).sum()
            den = j["to21"].where(ok, 0.0).groupby(g).sum()
            out[c] = num / den.where(den > 0)
    return out
