"""Series: one indicator at several years on the LSOA21 atom, and its change for any area.

Editions and censuses come on their own geographies (IoD 2015/2019 and Census 2011
on 2011 LSOAs, IoD 2025 and Census 2021 on 2021 LSOAs). Each is carried once to
LSOA21 with :mod:`geo.crosswalk` (counts split by population and summed on merges,
ranks as the population-weighted mean rank), so a series is just one value per
LSOA21 and year, and the change for an area is the same weighted aggregate at two
years.

Two kinds of series
-------------------
``count``
    A numerator and a denominator per LSOA and year (households deprived in at
    least one dimension / all households). An area's value is
    ``scale * sum(w * num) / sum(w * den)`` over its LSOAs, ``w`` the share of
    the LSOA's people inside the area (``pop_share``): a partly covered LSOA
    brings that share of its numerator and denominator.
``rank``
    A value per LSOA derived from its national rank *within its own edition*
    (an indicator of being in the most deprived 10%, or a national percentile).
    IoD scores are not comparable across editions (indicators, weights and
    reference years change), positions are: a fall in the share of residents in
    the most deprived 10% means the area moved relative to the rest of England,
    not that deprivation fell in absolute terms. An area's value is the
    population-weighted mean with weight ``pop_share * population``, where
    ``population`` is Census 2021 usual residents of the LSOA21, the same weight
    for every edition. Census 2021 residents are the only population published
    on LSOA21s, the closest open denominator to the one MHCLG uses, and a fixed
    weight means a change of the area's value comes from changes of the LSOAs'
    positions only, not from people moving between its LSOAs.

Both kinds reduce to the same ratio of weighted sums: a rank series is a count
series with ``num = value * population`` and ``den = population``
(:func:`series_parts`), which is how :func:`area_values` and
:mod:`geo.evaluation` treat them.

The LSOA frame
--------------
One row per LSOA21, indexed by the LSOA id (code or database id), with flat
columns named by :func:`column`::

    households_deprived_any_2011_num   households_deprived_any_2011_den   ...
    imd_decile1_share_2015_value       imd_average_percentile_2025_value  ...
    population                         (Census 2021 usual residents: rank weights)

Missing values are NaN; an LSOA missing a numerator, denominator, value or
weight for a year is left out of both sums for that year.

Examples
--------
>>> lsoa = pd.DataFrame({
...     "general_health_bad_2011_num": [10.0, 30.0], "general_health_bad_2011_den": [100.0, 200.0],
...     "general_health_bad_2021_num": [8.0, 30.0], "general_health_bad_2021_den": [100.0, 200.0],
... }, index=pd.Index(["a", "b"], name="lsoa_id"))
>>> w = pd.DataFrame({"area_id": [1, 1], "lsoa_id": ["a", "b"], "pop_share": [1.0, 0.5]})
>>> v = area_values(lsoa, w)
>>> v["value"].round(2).tolist()  # (10 + 15) / (100 + 100), then (8 + 15) / 200, in %
[12.5, 11.5]
>>> changes(v)["change"].round(2).tolist()
[-1.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from depmap.core.vocab import (
    CENSUS_TABLES,
    LSOA_SERIES_COLUMNS,
    N_RANKED,
    SERIES,
    Series,
)

#: The series the service holds, by code (:data:`depmap.core.vocab.SERIES`).
CATALOGUE: dict[str, Series] = SERIES

#: The LSOA frame's column of rank weights: Census 2021 usual residents per LSOA21.
POPULATION = "population"

#: ``area_id`` of the England rows of :func:`england_values`.
ENGLAND = "England"

#: Columns of the per-LSOA baseline/followup frame used by :mod:`geo.evaluation`.
BASELINE_FOLLOWUP = ("baseline_num", "baseline_den", "followup_num", "followup_den")


def column(code: str, year: int, part: str) -> str:
    """Name of a column of the LSOA frame.

    >>> column("general_health_bad", 2021, "num")
    'general_health_bad_2021_num'
    """
    return f"{code}_{year}_{part}"


def national_percentile(rank: np.ndarray | pd.Series, n_ranked: int) -> np.ndarray:
    """National rank percentile, 0 = most deprived, 100 = least: ``100 * (rank - 1) / N``.

    ``(rank - 1) / N`` is the share of England's LSOAs more deprived than this one
    (in %), so the most deprived LSOA is exactly 0 in every edition, as the scale
    promises. Dividing by each edition's own ``N`` puts editions of different sizes
    on one scale: the mean over all LSOAs is ``50 * (N - 1) / N``, 49.99848 for
    N = 32,844 and 49.99852 for 33,755, so England's change from the choice of
    formula is 0.00004 points (``rank / N`` would shift both by the same tiny
    amount the other way; raw ranks would drift by 911 between editions).

    >>> national_percentile(np.array([1, 16423, 32844]), 32_844).round(3).tolist()
    [0.0, 50.0, 99.997]
    """
    return 100.0 * (np.asarray(rank, dtype=float) - 1.0) / float(n_ranked)


def decile1(
    rank: np.ndarray | pd.Series, n_ranked: int, decile: np.ndarray | pd.Series | None = None
) -> np.ndarray:
    """1.0 if in England's most deprived 10% (national decile 1), 0.0 if not, NaN if unknown.

    The decile is ``ceil(rank * 10 / N)`` unless the published ``decile`` is given.
    A carried (mean) rank need not be a whole number; the rule is the same.

    >>> decile1(np.array([1.0, 3284.0, 3284.5, np.nan]), 32_844).tolist()
    [1.0, 1.0, 0.0, nan]
    """
    r = np.asarray(rank, dtype=float)
    d = np.ceil(r * 10.0 / n_ranked) if decile is None else np.asarray(decile, dtype=float)
    return np.where(np.isnan(d), np.nan, (d == 1).astype(float))


def value_from_rank(
    series: Series,
    rank: np.ndarray | pd.Series,
    year: int,
    decile: np.ndarray | pd.Series | None = None,
) -> np.ndarray:
    """The LSOA value of a rank series in ``year`` from the LSOA's rank in that edition.

    >>> value_from_rank(CATALOGUE["imd_average_percentile"], np.array([1.0, 33755.0]), 2025)
    array([ 0.        , 99.99703748])
    """
    if series.kind != "rank":
        raise ValueError(f"{series.code} is not a rank series")
    n = N_RANKED[year]
    if series.rank_measure == "decile1":
        return decile1(rank, n, decile)
    return national_percentile(rank, n)


def counts_from_table(series: Series, table: pd.DataFrame) -> pd.DataFrame:
    """Numerator and denominator (columns ``num``, ``den``) of a count series from a census
    table (one row per LSOA, the columns named in the series). A missing cell gives NaN.

    >>> t = pd.DataFrame({"very_good": [5], "good": [3], "fair": [1], "bad": [1],
    ...                   "very_bad": [0], "total": [10]})
    >>> counts_from_table(CATALOGUE["general_health_bad"], t).to_dict("list")
    {'num': [1.0], 'den': [10.0]}
    """
    if series.kind != "count":
        raise ValueError(f"{series.code} is not a count series")
    cols = list(series.numerator)
    num = table[cols].astype(float).sum(axis=1, min_count=len(cols))
    return pd.DataFrame({"num": num, "den": table[series.denominator].astype(float)})


def series_parts(lsoa: pd.DataFrame, series: Series, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-LSOA numerator and denominator of ``series`` in ``year``, as float arrays.

    Count series: the ``num`` and ``den`` columns. Rank series: ``value * population``
    and ``population``, so that ``sum(w * num) / sum(w * den)`` is the
    population-weighted mean. Absent columns give NaN.
    """

    def col(name: str) -> np.ndarray:
        if name in lsoa:
            return lsoa[name].to_numpy(dtype=float)
        return np.full(len(lsoa), np.nan)

    if series.kind == "count":
        return col(column(series.code, year, "num")), col(column(series.code, year, "den"))
    pop = col(POPULATION)
    return col(column(series.code, year, "value")) * pop, pop


def _present(lsoa: pd.DataFrame, series: Series) -> list[int]:
    """Years of ``series`` with at least one of its columns in the frame."""
    return [
        y for y in series.years if any(column(series.code, y, p) in lsoa for p in series.parts())
    ]


def _resolve(
    lsoa: pd.DataFrame, series: Sequence[Series | str] | None, catalogue: dict[str, Series]
) -> list[Series]:
    if series is None:
        return [s for s in catalogue.values() if _present(lsoa, s)]
    return [catalogue[s] if isinstance(s, str) else s for s in series]


def area_values(
    lsoa: pd.DataFrame,
    weights: pd.DataFrame,
    series: Sequence[Series | str] | None = None,
    *,
    catalogue: dict[str, Series] = CATALOGUE,
) -> pd.DataFrame:
    """Value of each series in each year for many areas at once.

    One sparse (areas x LSOAs) matrix of ``pop_share`` multiplies the stacked
    numerators and denominators of every series and year: no group-by, no loop
    over areas.

    Parameters
    ----------
    lsoa
        The LSOA frame (module docstring), indexed by a unique LSOA id.
    weights
        ``area_id, lsoa_id, pop_share``: one row per (area, LSOA), ``pop_share``
        the share of the LSOA's people inside the area. LSOAs absent from ``lsoa``
        and rows with a non-positive or missing share are ignored.
    series
        Series (or codes) to compute; default every catalogue series with columns
        in ``lsoa``. Years without columns are left out.

    Returns
    -------
    DataFrame indexed by ``(area_id, series, year)`` with ``value``
    (``scale * numerator / denominator``, NaN when the denominator is 0),
    ``numerator`` and ``denominator`` (the weighted sums; for a rank series
    ``denominator`` is the weighted Census 2021 residents) and ``n_lsoa`` (LSOAs
    with a positive share and data).

    Examples
    --------
    >>> lsoa = pd.DataFrame({"imd_decile1_share_2025_value": [1.0, 0.0],
    ...                      "population": [1000.0, 3000.0]}, index=[7, 8])
    >>> w = pd.DataFrame({"area_id": ["x", "x"], "lsoa_id": [7, 8], "pop_share": [1.0, 1.0]})
    >>> float(area_values(lsoa, w).loc[("x", "imd_decile1_share", 2025), "value"])
    25.0
    """
    if not lsoa.index.is_unique:
        raise ValueError("the LSOA frame's index must be unique")
    chosen = _resolve(lsoa, series, catalogue)
    ids, inv = np.unique(weights["area_id"].to_numpy(), return_inverse=True)
    inv = inv.ravel()
    pos = lsoa.index.get_indexer(weights["lsoa_id"].to_numpy())
    share = weights["pop_share"].to_numpy(dtype=float)
    keep = (pos >= 0) & np.isfinite(share) & (share > 0)
    shape = (len(ids), len(lsoa))
    a = sparse.csr_matrix((share[keep], (inv[keep], pos[keep])), shape=shape)
    member = sparse.csr_matrix((np.ones(int(keep.sum())), (inv[keep], pos[keep])), shape=shape)
    member.data[:] = 1.0  # an LSOA listed twice for one area still counts once

    keys: list[tuple[str, int]] = []
    nums, dens, oks, scales = [], [], [], []
    for s in chosen:
        for y in _present(lsoa, s):
            num, den = series_parts(lsoa, s, y)
            ok = np.isfinite(num) & np.isfinite(den)
            keys.append((s.code, y))
            nums.append(np.where(ok, num, 0.0))
            dens.append(np.where(ok, den, 0.0))
            oks.append(ok.astype(float))
            scales.append(s.scale)
    index = pd.MultiIndex.from_tuples(
        [(i, c, y) for c, y in keys for i in ids], names=["area_id", "series", "year"]
    )
    if not keys:
        return pd.DataFrame(
            {"value": [], "numerator": [], "denominator": [], "n_lsoa": []}, index=index
        )
    num_sum = np.asarray(a @ np.column_stack(nums))  # areas x (series, year)
    den_sum = np.asarray(a @ np.column_stack(dens))
    n_ok = np.asarray(member @ np.column_stack(oks))
    value = np.divide(
        num_sum * np.asarray(scales), den_sum, out=np.full(num_sum.shape, np.nan), where=den_sum > 0
    )
    # column-major ravel: all areas of the first (series, year), then the next
    return pd.DataFrame(
        {
            "value": value.ravel(order="F"),
            "numerator": num_sum.ravel(order="F"),
            "denominator": den_sum.ravel(order="F"),
            "n_lsoa": n_ok.ravel(order="F").round().astype(int),
        },
        index=index,
    )


def england_weights(lsoa: pd.DataFrame) -> pd.DataFrame:
    """Weights of England: every LSOA of the frame with share 1, ``area_id`` :data:`ENGLAND`."""
    return pd.DataFrame({"area_id": ENGLAND, "lsoa_id": lsoa.index.to_numpy(), "pop_share": 1.0})


def england_values(
    lsoa: pd.DataFrame,
    series: Sequence[Series | str] | None = None,
    *,
    catalogue: dict[str, Series] = CATALOGUE,
) -> pd.DataFrame:
    """:func:`area_values` for England (all LSOAs of the frame, weight 1)."""
    return area_values(lsoa, england_weights(lsoa), series, catalogue=catalogue)


def changes(
    values: pd.DataFrame,
    *,
    baseline: int | None = None,
    followup: int | None = None,
    catalogue: dict[str, Series] = CATALOGUE,
) -> pd.DataFrame:
    """Change ``followup - baseline`` of each area and series.

    Parameters
    ----------
    values
        A result of :func:`area_values` (or :func:`england_values`).
    baseline, followup
        Years; default each series' own (:attr:`Series.baseline`,
        :attr:`Series.followup`). A series lacking either year is left out.

    Returns
    -------
    DataFrame indexed by ``(area_id, series)`` with ``baseline_year``, ``baseline``,
    ``followup_year``, ``followup``, ``change`` (in the series' unit: percentage
    points for shares).
    """
    v = values["value"]
    out = []
    for code in pd.unique(values.index.get_level_values("series")):
        s = catalogue[code]
        b = s.baseline if baseline is None else baseline
        f = s.followup if followup is None else followup
        sub = v.xs(code, level="series").unstack("year")
        if b not in sub or f not in sub:
            continue
        t = pd.DataFrame(
            {
                "series": code,
                "baseline_year": b,
                "baseline": sub[b],
                "followup_year": f,
                "followup": sub[f],
            }
        )
        t["change"] = t["followup"] - t["baseline"]
        out.append(t)
    if not out:
        cols = ["baseline_year", "baseline", "followup_year", "followup", "change"]
        empty = pd.MultiIndex.from_arrays([[], []], names=["area_id", "series"])
        return pd.DataFrame(columns=cols, index=empty)
    res = pd.concat(out)
    res.index.name = "area_id"
    return res.set_index("series", append=True)


def baseline_followup(
    lsoa: pd.DataFrame,
    series: Series,
    *,
    baseline: int | None = None,
    followup: int | None = None,
) -> pd.DataFrame:
    """The per-LSOA frame of one series that :mod:`geo.evaluation` takes.

    Returns
    -------
    DataFrame indexed like ``lsoa`` with :data:`BASELINE_FOLLOWUP` columns
    (rank series: ``value * population`` over ``population``).

    >>> lsoa = pd.DataFrame({"imd_average_percentile_2015_value": [10.0],
    ...                      "imd_average_percentile_2025_value": [20.0],
    ...                      "population": [1500.0]}, index=["E01"])
    >>> baseline_followup(lsoa, CATALOGUE["imd_average_percentile"]).iloc[0].tolist()
    [15000.0, 1500.0, 30000.0, 1500.0]
    """
    b = series.baseline if baseline is None else baseline
    f = series.followup if followup is None else followup
    n0, d0 = series_parts(lsoa, series, b)
    n1, d1 = series_parts(lsoa, series, f)
    return pd.DataFrame(
        dict(zip(BASELINE_FOLLOWUP, (n0, d0, n1, d1), strict=True)), index=lsoa.index
    )


def rank_input(year: int, field: str) -> str:
    """Name of an IoD edition's rank or decile among the inputs of :func:`lsoa_series`."""
    return f"imd{year}_{field}"


def lsoa_series(inputs: pd.DataFrame, catalogue: dict[str, Series] = CATALOGUE) -> pd.DataFrame:
    """The per-LSOA21 columns of ``lsoa_series`` from what the loaders stored.

    Parameters
    ----------
    inputs
        One row per LSOA21: each IoD edition's ``imd<year>_rank`` (and
        ``imd<year>_decile`` where published, 2025), the census counts named by their
        indicator codes (``qs302ew.very_good``, ``ts037.total`` ...), ``imd2015_score``
        and ``population`` (Census 2021 residents). Absent inputs give NaN columns.

    Returns
    -------
    DataFrame indexed like ``inputs`` with :data:`depmap.core.vocab.LSOA_SERIES_COLUMNS`:
    count series' numerator (the sum of its categories) and denominator per census,
    rank series' value per edition (:func:`value_from_rank`), and the covariates
    ``imd2015_score``, ``imd2015_rank`` and ``residents2011`` (usual residents in the
    2011 general health table).

    Examples
    --------
    >>> x = pd.DataFrame({"qs302ew.very_good": [50.0], "qs302ew.total": [100.0],
    ...                   "imd2015_rank": [1.0], "population": [1500.0]}, index=[7])
    >>> out = lsoa_series(x)
    >>> out.loc[7, ["general_health_very_good_2011_num", "imd_decile1_share_2015_value"]].tolist()
    [50.0, 1.0]
    """

    def col(name: str) -> pd.Series:
        if name in inputs:
            return inputs[name].astype(float)
        return pd.Series(np.nan, index=inputs.index)

    out: dict[str, pd.Series | np.ndarray] = {}
    for s in catalogue.values():
        for y in s.years:
            if s.kind == "count":
                table = CENSUS_TABLES[s.census]
                cats = pd.DataFrame({c: col(table.indicator(y, c)) for c in s.numerator})
                out[column(s.code, y, "num")] = cats.sum(axis=1, min_count=len(s.numerator))
                out[column(s.code, y, "den")] = col(table.indicator(y, s.denominator))
            else:
                dec = rank_input(y, "decile")
                out[column(s.code, y, "value")] = value_from_rank(
                    s, col(rank_input(y, "rank")), y, col(dec) if dec in inputs else None
                )
    out["imd2015_score"] = col("imd2015_score")
    out["imd2015_rank"] = col(rank_input(2015, "rank"))
    out["residents2011"] = col(CENSUS_TABLES["general_health"].indicator(2011, "total"))
    frame = pd.DataFrame(out, index=inputs.index)
    return frame[[c for c in LSOA_SERIES_COLUMNS if c in frame]]
