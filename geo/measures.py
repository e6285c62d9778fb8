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


def _wmean(inv: np.ndarray, n: int, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean per group, leaving out missing values (NaN where nothing is left)."""
    ok = ~np.isnan(values) & ~np.isnan(weights)
    num = np.bincount(inv, weights=np.where(ok, values * weights, 0.0), minlength=n)
    den = np.bincount(inv, weights=np.where(ok, weights, 0.0), minlength=n)
    return np.divide(num, den, out=np.full(n, np.nan), where=den > 0)


def _local_concentration(
    inv: np.ndarray, n: int, rank: np.ndarray, weight: np.ndarray, n_lsoa: int
) -> np.ndarray:
    """Population-weighted mean reversed rank of each group's most deprived 10% of people."""
    idx = np.flatnonzero(~np.isnan(rank) & (weight > 0))
    out = np.full(n, np.nan)
    if len(idx) == 0:
        return out
    order = idx[np.lexsort((rank[idx], inv[idx]))]  # by group, then most deprived first
    g, w, r = inv[order], weight[order], rank[order]
    total = np.bincount(g, weights=w, minlength=n)
    before = np.cumsum(total) - total  # people in earlier groups (groups are contiguous)
    within = np.cumsum(w) - before[g]  # running total inside the group, this LSOA included
    take = np.clip(0.1 * total[g] - (within - w), 0.0, w)
    num = np.bincount(g, weights=take * (n_lsoa + 1.0 - r), minlength=n)
    den = np.bincount(g, weights=take, minlength=n)
    return np.divide(num, den, out=out, where=den > 0)


def local_concentration(frame: pd.DataFrame, rank_col: str, weight: str, n_lsoa: int) -> pd.Series:
    """Population-weighted mean reversed rank of each area's most deprived 10% of population.

    ``frame`` has ``area_id``, the rank column and the weight column.
    """
    ids, inv = np.unique(frame["area_id"].to_numpy(), return_inverse=True)
    lc = _local_concentration(
        inv.ravel(),
        len(ids),
        frame[rank_col].to_numpy(float),
        frame[weight].to_numpy(float),
        n_lsoa,
    )
    return pd.Series(lc, index=pd.Index(ids, name="area_id")).dropna()


def summarise(
    weights: pd.DataFrame,
    lsoa: pd.DataFrame,
    *,
    domains: Sequence[str],
    n_lsoa: int,
) -> pd.DataFrame:
    """IoD summary measures of many areas (vectorised: one pass per domain, no group-by).

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
    ids, inv = np.unique(weights["area_id"].to_numpy(), return_inverse=True)
    inv = inv.ravel()
    n = len(ids)
    stats = lsoa.reindex(weights["lsoa_id"].to_numpy())
    pop = weights["population"].to_numpy(dtype=float)
    share = weights["pop_share"].to_numpy(dtype=float)
    population = np.bincount(inv, weights=pop, minlength=n)

    def col(name: str) -> np.ndarray:
        if name in stats:
            return stats[name].to_numpy(dtype=float)
        return np.full(len(stats), np.nan)

    cols: dict[str, list[np.ndarray]] = {c: [] for c in MEASURE_COLUMNS}
    decile_rows: list[list[float]] = []
    for d in domains:
        rank = col(f"{d}_rank")
        dec = col(f"{d}_decile") if f"{d}_decile" in stats else decile(rank, n_lsoa)
        in10 = np.where(np.isnan(dec), np.nan, (dec == 1).astype(float))
        scale = np.full(n, np.nan)
        num_col = SCALE_NUMERATORS.get(d)
        if num_col and num_col in stats:
            v = col(num_col) * share
            ok = ~np.isnan(v)
            has = np.bincount(inv, weights=ok.astype(float), minlength=n) > 0
            scale = np.where(
                has, np.bincount(inv, weights=np.where(ok, v, 0.0), minlength=n), np.nan
            )
        have_dec = ~np.isnan(dec)
        cell = inv[have_dec] * 10 + (dec[have_dec].astype(int) - 1)
        dec_pop = np.bincount(cell, weights=pop[have_dec], minlength=n * 10).astype(float)
        decile_rows.extend(dec_pop.reshape(n, 10).tolist())
        cols["population"].append(population)
        cols["average_score"].append(_wmean(inv, n, col(f"{d}_score"), pop))
        cols["average_rank"].append(_wmean(inv, n, n_lsoa + 1.0 - rank, pop))
        cols["proportion_most_deprived_10"].append(_wmean(inv, n, in10, share))
        cols["extent"].append(_wmean(inv, n, extent_weight(rank, n_lsoa), pop))
        cols["local_concentration"].append(_local_concentration(inv, n, rank, pop, n_lsoa))
        cols["scale"].append(scale)
    index = pd.MultiIndex.from_arrays(
        [np.tile(ids, len(domains)), np.repeat(np.asarray(domains, dtype=object), n)],
        names=["area_id", "domain"],
    )
    result = pd.DataFrame({c: np.concatenate(v) for c, v in cols.items()}, index=index)
    result["decile_population"] = decile_rows
    return result


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
    ids, inv = np.unique(weights["area_id"].to_numpy(), return_inverse=True)
    inv = inv.ravel()
    stats = lsoa.reindex(weights["lsoa_id"].to_numpy())
    pop = weights["population"].to_numpy(dtype=float)
    return pd.DataFrame(
        {c: _wmean(inv, len(ids), stats[c].to_numpy(dtype=float), pop) for c in columns},
        index=pd.Index(ids, name="area_id"),
    )
