"""The summary measures MHCLG publishes for larger areas, for any area.

The English Indices of Deprivation publish, for local authorities and ICBs,
population-weighted summaries of their LSOAs. This module computes them for any
set of areas given each area's LSOA weights, vectorised over all areas at once.

Definitions (IoD 2019/2025 technical reports, section "summary measures"):

average score
    population-weighted mean of the LSOA scores.
average rank
    LSOA ranks reversed (the most deprived LSOA gets the highest rank, ``N``),
    then population-weighted.
proportion of LSOAs in the most deprived 10% nationally
    LSOAs counted (not weighted by population); an LSOA an area only partly
    covers counts by the share of its population inside.
extent
    population-weighted share with weight 1 for LSOAs in the most deprived 10%
    nationally, falling linearly from 0.95 at the 11th percentile to 0.05 at the
    30th, and 0 beyond.
local concentration
    population-weighted mean of the reversed ranks of the area's most deprived
    LSOAs that hold exactly 10% of its population (only the needed part of the
    last LSOA is taken).
scale
    the number of income- (employment-) deprived people: the sum of the domain
    numerators (income and employment domains only).

Examples
--------
>>> import pandas as pd
>>> w = pd.DataFrame({"area_id": [1, 1], "lsoa_id": [10, 11],
...                   "pop_share": [1.0, 1.0], "population": [100.0, 300.0]})
>>> lsoa = pd.DataFrame({"imd_score": [40.0, 10.0], "imd_rank": [1.0, 4.0],
...                      "imd_decile": [1.0, 10.0]}, index=[10, 11])
>>> m = summarise(w, lsoa, domains=("imd",), n_lsoa=4)
>>> float(m.loc[(1, "imd"), "average_score"])
17.5
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Columns of the result of :func:`summarise`, in order.
MEASURE_COLUMNS = (
    "population",
    "average_score",
    "average_rank",
    "proportion_most_deprived_10",
    "extent",
    "local_concentration",
    "scale",
)

#: Domains that publish a scale measure, and the LSOA column that holds the numerator.
SCALE_NUMERATORS = {"income": "income_numerator", "employment": "employment_numerator"}


def percentile(rank: np.ndarray, n_lsoa: int) -> np.ndarray:
    """National percentile (1 = most deprived 1%) of an LSOA rank (1 = most deprived)."""
    return np.ceil(np.asarray(rank, dtype=float) * 100.0 / n_lsoa)


def decile(rank: np.ndarray, n_lsoa: int) -> np.ndarray:
    """National decile (1 = most deprived 10%) of an LSOA rank."""
    return np.ceil(np.asarray(rank, dtype=float) * 10.0 / n_lsoa)


def extent_weight(rank: np.ndarray, n_lsoa: int) -> np.ndarray:
    """The extent weight of an LSOA: 1 in the most deprived 10%, then 0.95 at the 11th
    percentile falling linearly to 0.05 at the 30th, 0 beyond.

    >>> extent_weight(np.array([1, 1000, 1001, 2901, 3000, 3001]), 10_000).round(4).tolist()
    [1.0, 1.0, 0.95, 0.05, 0.05, 0.0]
    """
    p = percentile(rank, n_lsoa)
    w = np.where(p <= 10, 1.0, 0.95 - (p - 11.0) * (0.90 / 19.0))
    w = np.where(p > 30, 0.0, w)
    return np.where(np.isnan(p), np.nan, w)


def _wmean(frame: pd.DataFrame, value: str, weight: str) -> pd.Series:
    ok = frame[value].notna() & frame[weight].notna()
    num = (frame[value] * frame[weight]).where(ok, 0.0).groupby(frame["area_id"]).sum()
    den = frame[weight].where(ok, 0.0).groupby(frame["area_id"]).sum()
    return (num / den.replace(0.0, np.nan)).astype(float)


def local_concentration(frame: pd.DataFrame, rank_col: str, weight: str, n_lsoa: int) -> pd.Series:
    """Population-weighted mean reversed rank of each area's most deprived 10% of population."""
    f = frame.loc[frame[rank_col].notna() & (frame[weight] > 0), ["area_id", rank_col, weight]]
    if f.empty:
        return pd.Series(dtype=float)
    f = f.sort_values(["area_id", rank_col], kind="mergesort")
    w = f[weight].to_numpy(dtype=float)
    cum = f.groupby("area_id")[weight].cumsum().to_numpy(dtype=float)
    total = f.groupby("area_id")[weight].transform("sum").to_numpy(dtype=float)
    take = np.clip(0.1 * total - (cum - w), 0.0, w)
    rev = n_lsoa + 1.0 - f[rank_col].to_numpy(dtype=float)
    g = pd.DataFrame({"area_id": f["area_id"].to_numpy(), "num": take * rev, "den": take})
    s = g.groupby("area_id")[["num", "den"]].sum()
    return (s["num"] / s["den"].replace(0.0, np.nan)).astype(float)


def summarise(
    weights: pd.DataFrame,
    lsoa: pd.DataFrame,
    *,
    domains: Sequence[str],
    n_lsoa: int,
) -> pd.DataFrame:
    """IoD summary measures of many areas.

    Parameters
    ----------
    weights
        One row per (area, LSOA): ``area_id``, ``lsoa_id``, ``pop_share`` (share of
        the LSOA's population inside the area, which is also how much of the LSOA
        counts) and ``population`` (the area's population in that LSOA: the weight).
    lsoa
        Indexed by ``lsoa_id``: ``{domain}_score``, ``{domain}_rank`` (1 = most
        deprived), ``{domain}_decile`` for each domain, and for scale the columns in
        :data:`SCALE_NUMERATORS`.
    domains
        Domains to summarise (``imd``, ``income`` ...).
    n_lsoa
        Number of LSOAs ranked nationally (33,755 for LSOA21).

    Returns
    -------
    DataFrame indexed by ``(area_id, domain)`` with :data:`MEASURE_COLUMNS` and
    ``decile_population`` (a list of 10 populations, national deciles 1..10).
    """
    base = weights[["area_id", "lsoa_id", "pop_share", "population"]]
    wanted = [
        c for c in lsoa.columns if c.rsplit("_", 1)[0] in domains or c in SCALE_NUMERATORS.values()
    ]
    base = base.join(lsoa[wanted], on="lsoa_id", how="left")
    area_ids = pd.Index(np.unique(base["area_id"].to_numpy()), name="area_id")
    out: list[pd.DataFrame] = []
    for d in domains:
        score, rank, dec = f"{d}_score", f"{d}_rank", f"{d}_decile"
        f = base[["area_id", "pop_share", "population"]].copy()
        f["score"] = base.get(score, np.nan)
        f["rank"] = base[rank]
        f["dec"] = base[dec] if dec in base else decile(base[rank].to_numpy(), n_lsoa)
        f["rev"] = n_lsoa + 1.0 - f["rank"]
        f["ext"] = extent_weight(f["rank"].to_numpy(), n_lsoa)
        f["in10"] = (f["dec"] == 1).astype(float).where(f["dec"].notna())
        res = pd.DataFrame(index=area_ids)
        res["population"] = f.groupby("area_id")["population"].sum()
        res["average_score"] = _wmean(f, "score", "population")
        res["average_rank"] = _wmean(f, "rev", "population")
        res["proportion_most_deprived_10"] = _wmean(f, "in10", "pop_share")
        res["extent"] = _wmean(f, "ext", "population")
        res["local_concentration"] = local_concentration(f, "rank", "population", n_lsoa)
        num_col = SCALE_NUMERATORS.get(d)
        if num_col and num_col in base:
            res["scale"] = (
                (base[num_col] * base["pop_share"]).groupby(base["area_id"]).sum(min_count=1)
            )
        else:
            res["scale"] = np.nan
        dp = (
            f.loc[f["dec"].notna()]
            .assign(dec=lambda x: x["dec"].astype(int))
            .pivot_table(index="area_id", columns="dec", values="population", aggfunc="sum")
            .reindex(index=area_ids, columns=range(1, 11))
            .fillna(0.0)
        )
        res["decile_population"] = [list(map(float, r)) for r in dp.to_numpy()]
        res["domain"] = d
        out.append(res.reset_index())
    result = pd.concat(out, ignore_index=True).set_index(["area_id", "domain"])
    return result[[*MEASURE_COLUMNS, "decile_population"]]


def rank_within(measures: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Rank each measure among the areas of the same group (kind) and domain.

    1 = most deprived (the highest value); ties share the lowest rank; missing
    values are not ranked.

    Parameters
    ----------
    measures
        The result of :func:`summarise` (indexed by ``area_id, domain``).
    groups
        ``area_id`` -> group label (the area kind, or kind and programme).
    """
    m = measures.reset_index()
    m["_group"] = m["area_id"].map(groups)
    ranks = pd.DataFrame(index=m.index)
    for col in MEASURE_COLUMNS[1:]:
        ranks[f"rank_{col}"] = (
            m.groupby(["_group", "domain"])[col].rank(ascending=False, method="min").astype("Int64")
        )
    ranks["area_id"] = m["area_id"]
    ranks["domain"] = m["domain"]
    return ranks.set_index(["area_id", "domain"])


def weighted_means(
    weights: pd.DataFrame, lsoa: pd.DataFrame, columns: Sequence[str]
) -> pd.DataFrame:
    """Population-weighted means of LSOA indicators per area (missing values left out)."""
    base = weights[["area_id", "lsoa_id", "population"]].join(
        lsoa[list(columns)], on="lsoa_id", how="left"
    )
    res = pd.DataFrame(index=pd.Index(np.unique(base["area_id"].to_numpy()), name="area_id"))
    for c in columns:
        res[c] = _wmean(base, c, "population")
    return res
