"""Statistically significant clusters of high deprivation inside an area.

Getis-Ord Gi* (PySAL ``esda.G_Local`` with ``star=True``) on queen contiguity
between the units (LSOA21s or MSOA21s) of the area, binary weights, with
conditional-permutation pseudo p-values. A unit is a hotspot when its Gi* is
above what is expected (positive standardised z) and its p-value is at most
``alpha``; with ``fdr=True`` the p-value threshold is the Benjamini-Hochberg
false-discovery-rate bound of ``esda.fdr`` instead.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

_ESDA_RNG = threading.Lock()


@dataclass(frozen=True)
class HotspotResult:
    ids: list[int]
    value: np.ndarray
    gi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    threshold: float
    hot: np.ndarray
    cold: np.ndarray
    neighbours: np.ndarray


def neighbours_within(ids: Sequence[int], pairs: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """Contiguity restricted to ``ids`` (pairs may list both directions or one)."""
    keep = set(ids)
    nb: dict[int, set[int]] = {i: set() for i in ids}
    for a, b in pairs:
        if a in keep and b in keep and a != b:
            nb[a].add(b)
            nb[b].add(a)
    return {i: sorted(v) for i, v in nb.items()}


@dataclass(frozen=True)
class GiStar:
    """Gi* of every unit: what does not depend on the significance level."""

    ids: list[int]
    value: np.ndarray
    gi: np.ndarray
    z: np.ndarray
    p: np.ndarray
    neighbours: np.ndarray


def gi_star(
    values: Mapping[int, float],
    neighbours: Mapping[int, Sequence[int]],
    *,
    permutations: int = 999,
    seed: int | None = 12345,
) -> GiStar:
    """Gi* statistics and permutation p-values of ``values`` over the ``neighbours`` graph.

    Units with a missing value are left out. Needs at least 3 units. The same input gives
    the same p-values every time (units in a fixed order, esda run one at a time).
    """
    import esda
    from libpysal.weights import W

    # sorted: the permutations are drawn by position, so the same units in another order
    # would get other p-values under the same seed
    ids = sorted(i for i in neighbours if i in values and np.isfinite(values[i]))
    if len(ids) < 3:
        raise ValueError("hotspots need at least 3 units with a value")
    keep = set(ids)
    nb = {i: [j for j in neighbours[i] if j in keep] for i in ids}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W(nb, id_order=ids, silence_warnings=True)
        y = np.array([values[i] for i in ids], dtype=float)
        if np.allclose(y, y[0]):
            z = np.zeros(len(ids))
            p = np.ones(len(ids))
            gi = np.zeros(len(ids))
        else:
            with _ESDA_RNG:  # esda seeds numpy's global generator: one run at a time
                g = esda.G_Local(
                    y, w, transform="B", permutations=permutations, star=True, seed=seed
                )
            z = np.asarray(g.Zs, dtype=float)
            p = np.asarray(g.p_sim, dtype=float)
            gi = np.asarray(g.Gs, dtype=float)
    return GiStar(ids=ids, value=y, gi=gi, z=z, p=p, neighbours=np.array([len(nb[i]) for i in ids]))


def classify(g: GiStar, *, alpha: float = 0.05, fdr: bool = False) -> HotspotResult:
    """Hot and cold spots at a significance level (or its false-discovery-rate bound)."""
    threshold = float(esda_fdr(g.p, alpha)) if fdr else alpha
    sig = g.p <= threshold
    return HotspotResult(
        ids=g.ids,
        value=g.value,
        gi=g.gi,
        z=g.z,
        p=g.p,
        threshold=threshold,
        hot=sig & (g.z > 0),
        cold=sig & (g.z < 0),
        neighbours=g.neighbours,
    )


def getis_ord(
    values: Mapping[int, float],
    neighbours: Mapping[int, Sequence[int]],
    *,
    alpha: float = 0.05,
    fdr: bool = False,
    permutations: int = 999,
    seed: int | None = 12345,
) -> HotspotResult:
    """Gi* hot and cold spots of ``values`` over the ``neighbours`` graph."""
    return classify(
        gi_star(values, neighbours, permutations=permutations, seed=seed), alpha=alpha, fdr=fdr
    )


def esda_fdr(p: np.ndarray, alpha: float) -> float:
    """Benjamini-Hochberg threshold (0 when nothing passes)."""
    import esda

    try:
        return float(esda.fdr(p, alpha))
    except (ValueError, IndexError):
        return 0.0
