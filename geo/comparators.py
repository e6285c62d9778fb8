"""Comparator areas: the areas most like a given one, for matched comparisons.

An evaluator comparing a programme area with places outside the programme (as the
Big Local evaluations did) wants areas of about the same size and the same kind of
deprivation. Candidates are kept if their population lies in the target's **size
band**, ``[p / ratio, p * ratio]`` (``ratio`` 1.5 by default: a band centred on the
target, so no area sits at the edge of a fixed band), and ranked by

.. math::

    d = \\sqrt{\\Big(\\frac{\\Delta \\mathrm{IMD}}{s_{\\mathrm{IMD}}}\\Big)^2
        + \\frac{1}{7} \\sum_{k=1}^{7} \\Big(\\frac{\\Delta D_k}{s_k}\\Big)^2}

where ``Δ`` is the difference of population-weighted average scores (IMD 2025 and
its seven domains) and ``s`` the standard deviation of that score over England's
LSOA21s: a standardised Euclidean distance in which the overall IMD score counts as
much as the whole seven-domain profile. ``d = 1`` is one LSOA-level standard
deviation of IMD score.

>>> import pandas as pd
>>> pool = pd.DataFrame({"imd": [20.0, 30.0, 21.0], "income": [0.1, 0.2, 0.3],
...                      "population": [5000.0, 5000.0, 20000.0]})
>>> t = pd.Series({"imd": 20.0, "income": 0.1})
>>> s = pd.Series({"imd": 10.0, "income": 0.1})
>>> nearest(t, 5000.0, pool, s, n=5)["distance"].round(3).tolist()
[0.0, 1.414]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from depmap.core.vocab import DOMAINS

#: The scores compared: the overall index, then the seven domains.
FEATURES: tuple[str, ...] = DOMAINS
DISTANCE = (
    "standardised Euclidean distance: sqrt(dz_imd^2 + mean over the 7 domains of dz^2), "
    "dz = difference of population-weighted average scores divided by the standard deviation "
    "of that score over England's LSOA21s (the IMD score weighs as much as the domain profile)"
)


def size_band(population: float, ratio: float = 1.5) -> tuple[float, float]:
    """The population range of candidates: ``[p / ratio, p * ratio]``.

    >>> size_band(6000, 1.5)
    (4000.0, 9000.0)
    """
    if ratio < 1:
        raise ValueError("ratio must be at least 1")
    return float(population) / ratio, float(population) * ratio


def distances(target: pd.Series, pool: pd.DataFrame, scales: pd.Series) -> np.ndarray:
    """Distance of each pool row to ``target`` (see the module docstring).

    Features missing from ``target`` or ``pool`` are left out (the domain mean is over
    the domains present); a row missing the IMD score gets an infinite distance.
    """
    if "imd" not in target or pd.isna(target["imd"]):
        raise ValueError("the target has no IMD score")
    dz_imd = (pool["imd"].to_numpy(float) - float(target["imd"])) / float(scales["imd"])
    doms = [
        d
        for d in FEATURES[1:]
        if d in pool and d in target and not pd.isna(target[d]) and scales.get(d, 0) > 0
    ]
    if doms:
        z = np.column_stack(
            [(pool[d].to_numpy(float) - float(target[d])) / float(scales[d]) for d in doms]
        )
        dom = np.nanmean(z**2, axis=1)
        dom = np.where(np.isnan(dom), 0.0, dom)
    else:
        dom = np.zeros(len(pool))
    d = np.sqrt(dz_imd**2 + dom)
    return np.where(np.isnan(d), np.inf, d)


def nearest(
    target: pd.Series,
    population: float,
    pool: pd.DataFrame,
    scales: pd.Series,
    *,
    n: int = 25,
    ratio: float = 1.5,
) -> pd.DataFrame:
    """The ``n`` pool rows in the size band nearest to ``target``, with ``distance``.

    ``pool`` has ``population`` and the feature columns; rows already excluded
    (the programme's own areas) must be removed by the caller.
    """
    lo, hi = size_band(population, ratio)
    band = pool[(pool["population"] >= lo) & (pool["population"] <= hi)].copy()
    band["distance"] = distances(target, band, scales)
    band = band[np.isfinite(band["distance"])]
    order = np.lexsort((band.index.to_numpy(), band["distance"].to_numpy()))
    return band.iloc[order[:n]]
