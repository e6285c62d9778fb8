"""A fair evaluation of a place-based programme: its change against matched neighbourhoods.

Why match on the baseline
-------------------------
Place-based programmes (Big Local, the left-behind neighbourhoods) chose their
areas *because* they were deprived when chosen. Every indicator is measured with
noise (census counts, a rank in one edition), so areas picked for a high value
are, on average, high partly by chance; at the next measurement the chance part
does not repeat and they look better even if nothing happened: **regression to
the mean**. Comparing their change with England's, or with "similar" local
authorities whose averages are made of ordinary neighbourhoods, credits that
drift to the programme. Comparing with neighbourhoods that looked the same
*before* the programme (same IoD 2015 position, same baseline value of the
series, same density) but were not chosen lets both groups regress alike; the
difference of their changes (difference in differences) removes the drift and
the national trend together. Everything matched on must predate the programme:
matching on something measured after the start would absorb part of its effect.

The same logic warns the other way: areas chosen on data from the *followup*
period (a designation made after the baseline, say on IoD 2025 deciles) are
high at followup partly by chance, so against baseline-matched comparators they
look as if they got worse. No comparison can repair selection on the outcome's
later values; the evaluation is only fair for areas chosen before the followup
data were measured.

Method
------
1. *Programme group*: LSOAs with a positive share in any programme area and data
   for the series (baseline and followup numerator and denominator, denominators
   > 0) and the covariates. Its value at each year is
   ``scale * sum(w * num) / sum(w * den)`` (``w = pop_share``), as in
   :mod:`geo.series`; an LSOA in two areas counts in both.
2. *Eligible pool*: LSOAs with data, not in the programme and not adjacent
   (queen contiguity) to any programme LSOA, so that spill-overs of the programme
   into its neighbours do not shrink the estimate.
3. *Matching*: each programme LSOA gets its ``k`` nearest pool LSOAs, with
   replacement, on the baseline covariates (by default the IoD 2015 national
   percentile, the series' baseline value and log population density), each
   divided by its standard deviation over pool and programme together (a
   diagonal, standardised Euclidean distance). Not Mahalanobis: the IoD position
   and the baseline value are strongly correlated (both measure deprivation),
   and the inverse covariance would shrink exactly the direction of deprivation
   we most need to match, letting density decide; with the diagonal scale a
   difference of one standard deviation costs the same on every covariate, and
   the distance is easy to explain. Ties are broken by the smaller LSOA id.
4. *Counterfactual*: a programme LSOA's counterfactual value at each year is the
   mean of its matches' values; it is aggregated with the programme LSOA's own
   ``w * den``, so the matched group is the programme group with each LSOA's
   value replaced by its matches' and is directly comparable.
5. *Balance*: standardised mean differences, ``(mean_treated - mean_control) /
   sd_treated`` (the ATT convention of MatchIt and cobalt), treated means and SD
   weighted by ``w * baseline den``; before matching against the eligible pool
   (weighted by its baseline denominators), after against the matches (each use
   weighted by ``w * den / k`` of the programme LSOA it serves). Any
   ``|SMD| >= 0.1`` after matching raises a flag.
6. *Seed method*: the crude published comparison, the 25 local authorities whose
   population-weighted average IMD 2015 score is nearest the programme's, pooled.
7. *Difference in differences*: programme change minus matched change, with a
   95% percentile interval from a cluster bootstrap over programme areas (areas
   drawn with replacement, each keeping its own LSOAs and their matches; the
   matches are not redrawn unless ``resample_matches``). Per-area sums are
   computed once; a replicate is a row of draw counts, so all replicates are one
   matrix product. The England and seed-method differences get the programme's
   bootstrap spread around a comparator held fixed. Keeping the matches fixed
   ignores the comparators' own noise and their sharing between areas: in
   simulations with no effect the interval covered the truth 86% of the time;
   ``resample_matches=True`` also resamples the distinct matched LSOAs in each
   replicate (a two-sample bootstrap) and covered it 95% of the time.

Examples
--------
>>> import numpy as np, pandas as pd
>>> ids = [f"L{i}" for i in range(8)]
>>> counts = pd.DataFrame({"baseline_num": [60, 50, 40, 60, 50, 40, 20, 20.0],
...     "baseline_den": 100.0, "followup_num": [40, 35, 30, 55, 45, 35, 20, 20.0],
...     "followup_den": 100.0}, index=ids)
>>> cov = pd.DataFrame({"imd2015_percentile": [5, 9, 13, 5, 9, 13, 50, 60.0]}, index=ids)
>>> w = pd.DataFrame({"area_id": [1, 1, 2], "lsoa_id": ["L0", "L1", "L2"], "pop_share": 1.0})
>>> ev = evaluate(w, counts, cov, [("L0", "L1")], k=1, replicates=99, seed=1)
>>> [ev.programme_group.change, ev.matched_comparators.group.change]
[-15.0, -5.0]
>>> ev.difference_in_differences["vs_matched"].estimate
-10.0
>>> ev.difference_in_differences["vs_england"].estimate  # England fell by 7.5 points
-7.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geo.series import BASELINE_FOLLOWUP, national_percentile

#: Default matching covariates (besides the series' own baseline value).
COVARIATES = ("imd2015_percentile", "log_density")
#: Name of the series' baseline value among the matching covariates.
BASELINE_VALUE = "baseline_value"
#: ``|SMD|`` at or above which a covariate counts as unbalanced.
SMD_THRESHOLD = 0.1
#: Number of local authorities of the seed method.
SEED_LAS = 25
#: Bootstrap replicates computed at once when the matches are resampled too.
CHUNK = 100


class EvaluationError(ValueError):
    """The evaluation cannot be computed from these inputs (the message says why)."""


@dataclass(frozen=True)
class Group:
    """Value of a group of LSOAs at baseline and followup (in the series' unit)."""

    baseline: float
    followup: float
    change: float
    n_areas: int
    n_lsoa: int


@dataclass(frozen=True)
class Matching:
    """The matched comparison group.

    ``lsoas``: indexed by the matched LSOA ids, ``uses`` (how many programme LSOAs
    it serves) and ``weight`` (its weight in the matched group's baseline:
    the sum of ``w * den / k`` of the programme LSOAs it serves).
    ``balance``: indexed by covariate, ``mean_treated, mean_pool, mean_matched,
    sd_treated, smd_before, smd_after``.
    ``counterfactual``: indexed by programme LSOA, the mean of its matches'
    ``baseline`` and ``followup`` values and ``distance`` to its farthest match.
    ``pairs``: one row per (programme LSOA, match): ``lsoa_id``, ``match_id``,
    ``order`` (1 = nearest) and ``distance`` (standardised).
    """

    group: Group
    k: int
    covariates: tuple[str, ...]
    lsoas: pd.DataFrame
    balance: pd.DataFrame
    balanced: bool
    message: str
    n_treated: int
    n_pool: int
    counterfactual: pd.DataFrame
    pairs: pd.DataFrame


@dataclass(frozen=True)
class SeedMethod:
    """The crude comparison: the ``n`` local authorities nearest in average IMD 2015 score.

    ``las``: indexed by local authority (nearest first), ``score`` and ``distance``.
    """

    group: Group
    programme_score: float
    las: pd.DataFrame


@dataclass(frozen=True)
class Difference:
    """A difference in differences with its bootstrap interval (NaN without one)."""

    estimate: float
    low: float
    high: float
    se: float
    replicates: int
    method: str
    level: float = 0.95


@dataclass(frozen=True)
class Evaluation:
    """Everything :func:`evaluate` computes; :meth:`to_dict` for a JSON answer."""

    scale: float
    programme_group: Group
    england: Group
    matched_comparators: Matching
    seed_method: SeedMethod | None
    difference_in_differences: dict[str, Difference]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        m = self.matched_comparators
        out: dict[str, Any] = {
            "programme_group": asdict(self.programme_group),
            "england": asdict(self.england),
            "matched_comparators": {
                **asdict(m.group),
                "k": m.k,
                "covariates": list(m.covariates),
                "n_treated": m.n_treated,
                "n_pool": m.n_pool,
                "balanced": m.balanced,
                "message": m.message,
                "balance": m.balance.reset_index(names="covariate").to_dict("records"),
                "lsoas": m.lsoas.reset_index(names="lsoa_id").to_dict("records"),
            },
            "seed_method": None,
            "difference_in_differences": {
                k: asdict(v) for k, v in self.difference_in_differences.items()
            },
            "notes": list(self.notes),
        }
        if self.seed_method is not None:
            s = self.seed_method
            out["seed_method"] = {
                **asdict(s.group),
                "programme_score": s.programme_score,
                "las": s.las.reset_index(names="la").to_dict("records"),
            }
        return out


def baseline_covariates(
    imd2015_rank: pd.Series,
    residents: pd.Series,
    area_km2: pd.Series,
    *,
    n_ranked: int = 32_844,
) -> pd.DataFrame:
    """The default matching covariates per LSOA (index: LSOA id).

    ``imd2015_percentile`` from the (carried) IoD 2015 rank, 0 = most deprived
    (:func:`geo.series.national_percentile`); ``log_density``: natural log of
    baseline residents per km² (NaN where either is missing or not positive).

    >>> c = baseline_covariates(pd.Series({"a": 1.0}), pd.Series({"a": 1000.0}),
    ...                         pd.Series({"a": 0.5}))
    >>> c.round(3).to_dict("records")
    [{'imd2015_percentile': 0.0, 'log_density': 7.601}]
    """
    res = residents.astype(float)
    km2 = area_km2.reindex(res.index).astype(float)
    dens = (res / km2.where(km2 > 0)).where(res > 0)
    return pd.DataFrame(
        {
            "imd2015_percentile": national_percentile(
                imd2015_rank.reindex(res.index).to_numpy(float), n_ranked
            ),
            "log_density": np.log(dens.to_numpy(float)),
        },
        index=res.index,
    )


def nearest(treated: np.ndarray, pool: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest pool rows of each treated row (Euclidean), with replacement.

    Returns ``(rows, distances)``, both ``(len(treated), k)``, nearest first; equal
    distances are ordered by pool row, so a caller who sorts the pool by id breaks
    ties by id.

    >>> pool = np.array([[0.0], [2.0], [-2.0], [5.0]])
    >>> nearest(np.array([[0.0], [3.5]]), pool, 2)[0].tolist()  # 1 and 2 tie: row 1 first
    [[0, 1], [1, 3]]
    """
    n = len(pool)
    if k < 1:
        raise EvaluationError(f"k must be at least 1 (got {k})")
    if n < k:
        raise EvaluationError(f"only {n} eligible comparator LSOAs, fewer than k = {k}")
    tree = cKDTree(pool)
    m = min(n, 2 * k)
    while True:
        d, i = tree.query(treated, k=m)
        d = np.asarray(d, dtype=float).reshape(len(treated), m)
        i = np.asarray(i).reshape(len(treated), m)
        # a tie at the k-th distance may continue beyond the rows fetched: fetch more
        if m == n or not np.any(d[:, k - 1] == d[:, m - 1]):
            break
        m = min(n, 2 * m)
    order = np.lexsort((i, d), axis=-1)[:, :k]
    return np.take_along_axis(i, order, axis=1), np.take_along_axis(d, order, axis=1)


def cluster_bootstrap(
    area_sums: np.ndarray, replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """Column sums of ``area_sums`` (areas x columns) over areas resampled with replacement.

    Each replicate draws as many areas as there are, uniformly with replacement;
    the draw counts (one ``bincount`` of all draws) form a ``(replicates, areas)``
    multinomial matrix, and one matrix product gives every replicate's sums,
    ``(replicates, columns)``.

    >>> s = np.array([[1.0, 10.0], [2.0, 20.0]])
    >>> b = cluster_bootstrap(s, 4, np.random.default_rng(0))
    >>> b.shape, bool(np.all(b[:, 1] == 10 * b[:, 0]))
    ((4, 2), True)
    """
    return resample_counts(len(area_sums), replicates, rng) @ np.asarray(area_sums, dtype=float)


def resample_counts(n: int, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of ``n`` units is drawn in each of ``replicates`` resamples of size
    ``n`` with replacement: a ``(replicates, n)`` float matrix whose rows sum to ``n``.

    >>> resample_counts(3, 2, np.random.default_rng(0)).sum(axis=1).tolist()
    [3.0, 3.0]
    """
    draws = rng.integers(0, n, size=(replicates, n))
    draws += np.arange(replicates)[:, None] * n  # replicate r counts in cells r*n .. r*n+n-1
    return np.bincount(draws.ravel(), minlength=replicates * n).reshape(replicates, n).astype(float)


def _ratio(num: np.ndarray | float, den: np.ndarray | float, scale: float) -> Any:
    return scale * np.divide(num, den)


def _group(sums: np.ndarray, scale: float, n_areas: int, n_lsoa: int) -> Group:
    """Group from the totals ``[num0, den0, num1, den1]``."""
    b = float(_ratio(sums[0], sums[1], scale))
    f = float(_ratio(sums[2], sums[3], scale))
    return Group(baseline=b, followup=f, change=f - b, n_areas=n_areas, n_lsoa=n_lsoa)


def _counts(counts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(n x 4)`` float array of :data:`BASELINE_FOLLOWUP` and the rows usable."""
    missing = [c for c in BASELINE_FOLLOWUP if c not in counts]
    if missing:
        raise EvaluationError(f"the series frame lacks columns {missing}")
    if not counts.index.is_unique:
        raise EvaluationError("the series frame's LSOA index must be unique")
    x = counts[list(BASELINE_FOLLOWUP)].to_numpy(dtype=float)
    ok = np.isfinite(x).all(axis=1) & (x[:, 1] > 0) & (x[:, 3] > 0)
    return x, ok


def _rows(weights: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("area_id", "lsoa_id", "pop_share") if c not in weights]
    if missing:
        raise EvaluationError(f"the programme weights lack columns {missing}")
    share = weights["pop_share"].to_numpy(dtype=float)
    rows = weights.loc[np.isfinite(share) & (share > 0), ["area_id", "lsoa_id", "pop_share"]]
    if rows.empty:
        raise EvaluationError("the programme has no LSOA with a positive share")
    return rows


def group_change(weights: pd.DataFrame, counts: pd.DataFrame, *, scale: float = 100.0) -> Group:
    """Baseline, followup and change of the LSOAs of ``weights`` (all areas together).

    >>> c = pd.DataFrame({"baseline_num": [1.0, 3.0], "baseline_den": [10.0, 10.0],
    ...                   "followup_num": [2.0, 2.0], "followup_den": [10.0, 10.0]},
    ...                  index=["a", "b"])
    >>> w = pd.DataFrame({"area_id": [1, 2], "lsoa_id": ["a", "b"], "pop_share": [1.0, 0.5]})
    >>> g = group_change(w, c)
    >>> round(g.baseline, 3), round(g.followup, 3), g.n_areas, g.n_lsoa
    (16.667, 20.0, 2, 2)
    """
    x, ok = _counts(counts)
    rows = _rows(weights)
    pos = counts.index.get_indexer(rows["lsoa_id"].to_numpy())
    keep = pos >= 0
    keep[keep] = ok[pos[keep]]
    if not keep.any():
        raise EvaluationError("no LSOA of the programme has data for the series")
    w = rows["pop_share"].to_numpy(dtype=float)[keep]
    sums = (x[pos[keep]] * w[:, None]).sum(axis=0)
    n_areas = len(pd.unique(rows["area_id"].to_numpy()[keep]))
    return _group(sums, scale, n_areas, len(np.unique(pos[keep])))


def seed_method(
    weights: pd.DataFrame,
    counts: pd.DataFrame,
    lsoa_la: pd.Series,
    imd2015_score: pd.Series,
    population: pd.Series,
    *,
    n_las: int = SEED_LAS,
    scale: float = 100.0,
) -> SeedMethod:
    """The crude comparison: the ``n_las`` local authorities nearest in IMD 2015 score.

    The programme's average IMD 2015 score is the mean of its LSOAs' scores
    weighted by ``pop_share * population``; each local authority's is weighted by
    ``population``. The ``n_las`` authorities with the nearest average (ties by
    code) are pooled: ``scale * sum(num) / sum(den)`` over all their LSOAs with
    data. Authorities holding programme areas are not left out, as in the
    published comparison. Scores (not ranks) are fine here: one edition only.

    Parameters
    ----------
    lsoa_la
        Local authority of each LSOA (index: LSOA id).
    imd2015_score, population
        IMD 2015 score (carried to the LSOA) and residents, by LSOA id.
    """
    x, ok = _counts(counts)
    rows = _rows(weights)
    score = imd2015_score.astype(float)
    pop = population.astype(float)
    ids = rows["lsoa_id"].to_numpy()
    s_p = score.reindex(ids).to_numpy(float)
    w_p = rows["pop_share"].to_numpy(float) * pop.reindex(ids).to_numpy(float)
    good = np.isfinite(s_p) & np.isfinite(w_p) & (w_p > 0)
    if not good.any():
        raise EvaluationError("no LSOA of the programme has an IMD 2015 score and a population")
    prog = float(np.sum(s_p[good] * w_p[good]) / np.sum(w_p[good]))

    la = lsoa_la.dropna()
    s_l = score.reindex(la.index).to_numpy(float)
    w_l = pop.reindex(la.index).to_numpy(float)
    use = np.isfinite(s_l) & np.isfinite(w_l) & (w_l > 0)
    codes, inv = np.unique(la.to_numpy()[use].astype(str), return_inverse=True)
    num = np.bincount(inv, weights=s_l[use] * w_l[use], minlength=len(codes))
    den = np.bincount(inv, weights=w_l[use], minlength=len(codes))
    avg = num / den
    if len(codes) < n_las:
        raise EvaluationError(
            f"only {len(codes)} local authorities have IMD 2015 scores, fewer than {n_las}"
        )
    dist = np.abs(avg - prog)
    pick = np.lexsort((codes, dist))[:n_las]
    las = pd.DataFrame(
        {"score": avg[pick], "distance": dist[pick]}, index=pd.Index(codes[pick], name="la")
    )

    member = lsoa_la.reindex(counts.index).astype(str).isin(set(las.index)).to_numpy() & ok
    if not member.any():
        raise EvaluationError("the seed-method local authorities have no LSOA with data")
    group = _group(x[member].sum(axis=0), scale, n_las, int(member.sum()))
    return SeedMethod(group=group, programme_score=prog, las=las)


def balance_table(
    names: Sequence[str],
    treated: np.ndarray,
    treated_w: np.ndarray,
    pool: np.ndarray,
    pool_w: np.ndarray,
    matched_w: np.ndarray,
    *,
    fallback_sd: np.ndarray | None = None,
) -> pd.DataFrame:
    """Standardised mean differences of covariates before and after matching.

    ``SMD = (mean_treated - mean_control) / sd_treated`` (ATT convention of MatchIt
    and cobalt), with the treated mean and SD (population form) weighted by
    ``treated_w``; the control mean is weighted by ``pool_w`` before matching and
    by ``matched_w`` (the weight each pool row carries in the matched group, 0 if
    unused) after. Where the treated SD is 0, ``fallback_sd`` (default 1) is used.

    >>> t = np.array([[0.0], [2.0]])
    >>> p = np.array([[0.0], [1.0], [5.0]])
    >>> b = balance_table(["x"], t, np.array([1.0, 3.0]), p, np.ones(3),
    ...                   np.array([1.0, 0.0, 3.0]))
    >>> b.round(3).to_dict("records")[0]["smd_before"], float(b["smd_after"].round(3).iloc[0])
    (-0.577, -2.598)
    """
    tw = np.asarray(treated_w, dtype=float)
    mean_t = tw @ treated / tw.sum()
    sd_t = np.sqrt(tw @ (treated - mean_t) ** 2 / tw.sum())
    fb = np.ones(treated.shape[1]) if fallback_sd is None else np.asarray(fallback_sd)
    sd_t = np.where(sd_t > 0, sd_t, fb)
    mean_pool = np.asarray(pool_w, dtype=float) @ pool / np.sum(pool_w)
    mean_m = np.asarray(matched_w, dtype=float) @ pool / np.sum(matched_w)
    return pd.DataFrame(
        {
            "mean_treated": mean_t,
            "mean_pool": mean_pool,
            "mean_matched": mean_m,
            "sd_treated": sd_t,
            "smd_before": (mean_t - mean_pool) / sd_t,
            "smd_after": (mean_t - mean_m) / sd_t,
        },
        index=pd.Index(list(names), name="covariate"),
    )


def _difference(est: float, reps: np.ndarray, replicates: int, method: str) -> Difference:
    if replicates == 0 or len(reps) == 0:
        nan = float("nan")
        return Difference(float(est), nan, nan, nan, replicates, "no interval")
    lo, hi = np.quantile(reps, [0.025, 0.975])
    se = float(np.std(reps, ddof=1)) if len(reps) > 1 else float("nan")
    return Difference(float(est), float(lo), float(hi), se, replicates, method)


def evaluate(
    weights: pd.DataFrame,
    counts: pd.DataFrame,
    covariates: pd.DataFrame,
    adjacency: pd.DataFrame | np.ndarray | Sequence[tuple[Any, Any]],
    *,
    lsoa_la: pd.Series | None = None,
    imd2015_score: pd.Series | None = None,
    population: pd.Series | None = None,
    k: int = 5,
    replicates: int = 999,
    seed: int = 0,
    scale: float = 100.0,
    n_las: int = SEED_LAS,
    resample_matches: bool = False,
) -> Evaluation:
    """Evaluate a programme on one series (module docstring: the method and why).

    Parameters
    ----------
    weights
        ``area_id, lsoa_id, pop_share`` of the programme's areas.
    counts
        Indexed by LSOA id (all England): :data:`geo.series.BASELINE_FOLLOWUP`
        (:func:`geo.series.baseline_followup` builds it from the series frame).
    covariates
        Indexed by LSOA id: the baseline covariates to match on, every column used
        (default set: :data:`COVARIATES`, :func:`baseline_covariates`); the
        series' baseline value is added as :data:`BASELINE_VALUE`.
    adjacency
        LSOA id pairs (two columns) of queen contiguity; one direction suffices.
    lsoa_la, imd2015_score, population
        For the seed method (all three, or none to skip it).
    k
        Matches per programme LSOA.
    replicates, seed
        Cluster bootstrap replicates (0: no interval) and the seed of its
        ``numpy.random.Generator``: the same inputs give the same interval.
    resample_matches
        Also resample the distinct matched LSOAs in each replicate (a two-sample
        bootstrap: programme areas and comparators). The default keeps each area's
        matches fixed, which ignores the comparators' own sampling noise and the
        sharing of a comparator between areas; in simulations with no effect its
        95% interval covered the truth about 86% of the time, against 95% with
        this option.
    scale
        Multiplier of the ratios (100: shares in %; 1 for a percentile series).
    n_las
        Local authorities of the seed method.

    Returns
    -------
    :class:`Evaluation`; ``difference_in_differences`` has ``vs_matched``,
    ``vs_england`` and, with the seed inputs, ``vs_seed_method``.

    Raises
    ------
    EvaluationError
        Missing columns, no programme LSOA with data, fewer eligible comparators
        than ``k``, incomplete seed-method inputs.
    """
    seed_inputs = (lsoa_la, imd2015_score, population)
    if any(v is None for v in seed_inputs) and any(v is not None for v in seed_inputs):
        raise EvaluationError("the seed method needs lsoa_la, imd2015_score and population")
    if replicates < 0:
        raise EvaluationError("replicates must not be negative")
    if k < 1:
        raise EvaluationError(f"k must be at least 1 (got {k})")
    x, ok = _counts(counts)
    index = counts.index
    rows = _rows(weights)
    notes: list[str] = []

    # covariates, with the series' own baseline value
    cov_names = [str(c) for c in covariates.columns if c != BASELINE_VALUE]
    try:
        cov = covariates[cov_names].reindex(index).to_numpy(dtype=float)
    except (TypeError, ValueError) as e:
        raise EvaluationError(f"covariates must be numeric: {e}") from e
    base_value = np.full(len(index), np.nan)
    np.divide(scale * x[:, 0], x[:, 1], out=base_value, where=ok)
    cov = np.column_stack([cov, base_value])
    names = (*cov_names, BASELINE_VALUE)
    usable = ok & np.isfinite(cov).all(axis=1)

    # the programme: rows whose LSOA has data and covariates
    pos = index.get_indexer(rows["lsoa_id"].to_numpy())
    has_data = pos >= 0
    has_data[has_data] = ok[pos[has_data]]
    if not has_data.any():
        raise EvaluationError("no LSOA of the programme has data for the series")
    treated_row = has_data.copy()
    treated_row[treated_row] = usable[pos[treated_row]]
    if not treated_row.any():
        raise EvaluationError(f"no LSOA of the programme has all the covariates {list(names)}")
    programme_ids = pd.unique(rows["lsoa_id"].to_numpy())
    left_out = len(programme_ids) - len(np.unique(pos[treated_row]))
    if left_out:
        notes.append(
            f"{left_out} of the programme's {len(programme_ids)} LSOAs have no data for the "
            "series or its covariates and are left out of every comparison"
        )
    p = pos[treated_row]
    w = rows["pop_share"].to_numpy(dtype=float)[treated_row]
    area_ids, ainv = np.unique(rows["area_id"].to_numpy()[treated_row], return_inverse=True)
    ainv = ainv.ravel()
    tpos, tinv = np.unique(p, return_inverse=True)
    tinv = tinv.ravel()

    # the eligible pool: not in the programme, not touching it; sorted by id for ties
    pairs = np.asarray(adjacency, dtype=object).reshape(-1, 2)
    in_prog_a = pd.Index(pairs[:, 0]).isin(programme_ids)
    in_prog_b = pd.Index(pairs[:, 1]).isin(programme_ids)
    touching = np.concatenate([pairs[in_prog_a, 1], pairs[in_prog_b, 0]])
    excluded = index.isin(programme_ids) | index.isin(touching)
    pool = np.flatnonzero(usable & ~excluded)
    pool = pool[np.argsort(index.to_numpy()[pool], kind="stable")]
    if len(pool) < k:
        raise EvaluationError(
            f"only {len(pool)} eligible comparator LSOAs (outside the programme, not adjacent "
            f"to it, with data), fewer than k = {k}"
        )

    # match on standardised baseline covariates
    both = np.concatenate([cov[tpos], cov[pool]])
    sd = both.std(axis=0, ddof=1) if len(both) > 1 else np.ones(cov.shape[1])
    sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
    rows_k, dist_k = nearest(cov[tpos] / sd, cov[pool] / sd, k)
    matched = pool[rows_k]  # (treated, k) positions in counts
    rate0 = np.full(len(index), np.nan)
    rate1 = np.full(len(index), np.nan)
    np.divide(x[:, 0], x[:, 1], out=rate0, where=ok)
    np.divide(x[:, 2], x[:, 3], out=rate1, where=ok)
    cf0 = rate0[matched].mean(axis=1)
    cf1 = rate1[matched].mean(axis=1)

    # per-area sums: programme [num0, den0, num1, den1] and counterfactual numerators
    xt = x[p] * w[:, None]
    cols = np.column_stack([xt, xt[:, 1] * cf0[tinv], xt[:, 3] * cf1[tinv]])
    n_area = len(area_ids)
    area_sums = np.column_stack(
        [np.bincount(ainv, weights=cols[:, j], minlength=n_area) for j in range(cols.shape[1])]
    )
    tot = area_sums.sum(axis=0)
    programme = _group(tot[:4], scale, n_area, len(tpos))
    matched_group = _group(
        np.array([tot[4], tot[1], tot[5], tot[3]]), scale, n_area, len(np.unique(matched))
    )
    england = _group(x[ok].sum(axis=0), scale, 1, int(ok.sum()))

    # balance: treated weighted by w * baseline den, matches by the share of it they carry
    tw = np.bincount(tinv, weights=xt[:, 1], minlength=len(tpos))
    uses = np.bincount(rows_k.ravel(), minlength=len(pool))
    mw = np.bincount(rows_k.ravel(), weights=np.repeat(tw / k, k), minlength=len(pool))
    balance = balance_table(names, cov[tpos], tw, cov[pool], x[pool, 1], mw, fallback_sd=sd)
    bad = balance.index[balance["smd_after"].abs() >= SMD_THRESHOLD].tolist()
    message = (
        f"not balanced after matching (|SMD| >= {SMD_THRESHOLD}): {', '.join(bad)}; the "
        "matched comparison may still carry part of the selection"
        if bad
        else f"balanced: every |SMD| after matching is below {SMD_THRESHOLD}"
    )
    used = uses > 0
    matching = Matching(
        group=matched_group,
        k=k,
        covariates=names,
        lsoas=pd.DataFrame(
            {"uses": uses[used], "weight": mw[used]},
            index=pd.Index(index.to_numpy()[pool[used]], name="lsoa_id"),
        ),
        balance=balance,
        balanced=not bad,
        message=message,
        n_treated=len(tpos),
        n_pool=len(pool),
        counterfactual=pd.DataFrame(
            {"baseline": scale * cf0, "followup": scale * cf1, "distance": dist_k[:, -1]},
            index=pd.Index(index.to_numpy()[tpos], name="lsoa_id"),
        ),
        pairs=pd.DataFrame(
            {
                "lsoa_id": np.repeat(index.to_numpy()[tpos], k),
                "match_id": index.to_numpy()[matched.ravel()],
                "order": np.tile(np.arange(1, k + 1), len(tpos)),
                "distance": dist_k.ravel(),
            }
        ),
    )

    seed_res = None
    if lsoa_la is not None and imd2015_score is not None and population is not None:
        seed_res = seed_method(
            rows, counts, lsoa_la, imd2015_score, population, n_las=n_las, scale=scale
        )

    # difference in differences, cluster bootstrap over programme areas
    rng = np.random.default_rng(seed)
    if replicates > 0 and n_area < 2:
        notes.append("one programme area: no interval (nothing to resample between areas)")
    reps: np.ndarray
    if replicates > 0 and n_area >= 2:
        draws = resample_counts(n_area, replicates, rng)
        reps = draws @ area_sums
        if resample_matches:
            uniq, member = _membership(matched)
            for start in range(0, replicates, CHUNK):  # in chunks: memory stays small
                stop = min(start + CHUNK, replicates)
                c = resample_counts(len(uniq), stop - start, rng)
                cf_b = _resampled_counterfactual(member, rate0[uniq], rate1[uniq], cf0, cf1, c)
                d = draws[start:stop, ainv]
                reps[start:stop, 4] = (d * cf_b[0][:, tinv]) @ xt[:, 1]
                reps[start:stop, 5] = (d * cf_b[1][:, tinv]) @ xt[:, 3]
    else:
        reps = np.empty((0, area_sums.shape[1]))
    method = (
        f"percentile interval of {replicates} cluster-bootstrap replicates over the "
        f"{n_area} programme areas (seed {seed}), "
        + (
            f"the {len(matching.lsoas)} matched LSOAs resampled too"
            if resample_matches
            else "each area keeping its matches"
        )
    )
    prog_reps = _change(reps, scale)
    dids = {"vs_matched": _difference(_did(tot, scale), _did(reps, scale), replicates, method)}
    fixed = f"{method}; the comparator's change held fixed"
    dids["vs_england"] = _difference(
        programme.change - england.change, prog_reps - england.change, replicates, fixed
    )
    if seed_res is not None:
        sc = seed_res.group.change
        dids["vs_seed_method"] = _difference(
            programme.change - sc, prog_reps - sc, replicates, fixed
        )
    return Evaluation(
        scale=scale,
        programme_group=programme,
        england=england,
        matched_comparators=matching,
        seed_method=seed_res,
        difference_in_differences=dids,
        notes=tuple(notes),
    )


def _change(s: np.ndarray, scale: float) -> Any:
    """Change of the group(s) of sums ``[num0, den0, num1, den1, ...]`` (last axis)."""
    return _ratio(s[..., 2], s[..., 3], scale) - _ratio(s[..., 0], s[..., 1], scale)


def _did(s: np.ndarray, scale: float) -> Any:
    """Programme change minus matched change from ``[num0, den0, num1, den1, cf0, cf1]``."""
    cf = np.stack([s[..., 4], s[..., 1], s[..., 5], s[..., 3]], axis=-1)
    return _change(s, scale) - _change(cf, scale)


def _membership(matched: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Distinct matched positions and the (distinct match x programme LSOA) 0/1 matrix."""
    n_t, k = matched.shape
    uniq, minv = np.unique(matched, return_inverse=True)
    member = sparse.csr_matrix(
        (np.ones(n_t * k), (minv.ravel(), np.repeat(np.arange(n_t), k))),
        shape=(len(uniq), n_t),
    )
    return uniq, member


def _resampled_counterfactual(
    member: sparse.csr_matrix,
    rate0: np.ndarray,
    rate1: np.ndarray,
    cf0: np.ndarray,
    cf1: np.ndarray,
    draws: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Counterfactual rates of every programme LSOA in replicates where the distinct
    matched LSOAs are resampled too: ``(replicates, treated)`` each.

    ``draws`` is ``(replicates, J)``: how often each distinct matched LSOA (rates
    ``rate0``, ``rate1``) is drawn. A programme LSOA's counterfactual is the
    draw-weighted mean of its matches' rates; one whose matches are all missed
    keeps its full-sample counterfactual (``cf0``, ``cf1``).
    """
    c_t = draws.T  # (J, B)
    den = np.asarray((member.T @ c_t).T)  # (B, treated): draws of each LSOA's matches
    safe = np.where(den > 0, den, 1.0)
    out = []
    for rate, cf in ((rate0, cf0), (rate1, cf1)):
        num = np.asarray((member.multiply(rate[:, None]).tocsr().T @ c_t).T)
        out.append(np.where(den > 0, num / safe, cf[None, :]))
    return out[0], out[1]
