"""Overlaps of one area with others, from their LSOA21 weights.

Area ``A`` overlaps area ``B`` in the LSOAs both have weights in. Per shared LSOA
``L`` (with ``as`` the share of L's area inside an area, ``ps`` the share of L's
population, ``pop`` the area's population in L):

* overlap **area**: if A covers all of L, it is B's part of L (``as_B * area(L)``);
  if B covers all of L, A's part; if both cut L, the geometric area of
  ``A ∩ B ∩ L`` (given by the caller, the only case that needs geometry).
* overlap **population**, in A's population measure: ``pop_A * g`` where ``g``
  is the share of A's people in L who are also in B: 1 when B holds all of L's
  people; B's population share of L when A covers L whole or B's weights come
  from registrations (people spread evenly over L); when both cut L
  geometrically, ``area(A ∩ B ∩ L) / area(A ∩ L)`` (area-weighted inside a cut
  LSOA).
* B's own population in the overlap (``other_population``): ``pop_B * ps_A``, B's
  people in L spread evenly, as many as A's share of L's people (for a PCN, its
  registered patients who live in A).

Registration-based weights (PCNs) follow the rule of :mod:`geo.pcn`: ``ps_B`` is
the share of L's residents the PCN serves (never more than its patients), so the
population of A attributed to PCNs is at most the patients registered there.

This is the tobler way (area-weighted interpolation for counts) on top of the
exact LSOA membership of footprints built from whole LSOAs. Plain numpy: the
service calls it on every uncached overlap question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

WHOLE = 1.0 - 1e-9

#: Columns of the ``pairs`` array, in order.
PAIR_COLUMNS = ("b_id", "lsoa_id", "lsoa_area", "a_as", "a_ps", "a_pop", "b_as", "b_ps", "b_pop")


@dataclass(frozen=True)
class Overlaps:
    """Per other area ``b_id``: overlap area (m²), population (in A's measure) and B's
    own population in the overlap."""

    b_id: np.ndarray
    overlap_area_m2: np.ndarray
    population: np.ndarray
    other_population: np.ndarray


def overlap_rows(
    pairs: np.ndarray,
    *,
    b_registrations: np.ndarray | None = None,
    a_registrations: bool = False,
    both_cut_area: Mapping[tuple[int, int], float] | None = None,
) -> Overlaps:
    """Overlap area and population of A with each B, summed over their shared LSOAs.

    Parameters
    ----------
    pairs
        Array (n, 9), one row per (B, LSOA) shared with A, columns :data:`PAIR_COLUMNS`
        (without ``b_pop``, (n, 8): ``other_population`` is 0).
    b_registrations
        Boolean per row: True where B's weights are registration shares (PCNs).
    a_registrations
        True if A's weights are registration shares.
    both_cut_area
        (b_id, lsoa_id) -> area of A ∩ B ∩ L, for rows where both cut L
        geometrically. Missing pairs fall back to ``min(a_as, b_as) * area(L)``.

    Examples
    --------
    >>> p = np.array([[7, 1, 100.0, 1, 1, 50.0, 1, 1], [7, 2, 200.0, 1, 1, 80.0, 1, 1]])
    >>> o = overlap_rows(p)
    >>> o.b_id.tolist(), o.overlap_area_m2.tolist(), o.population.tolist()
    ([7], [300.0], [130.0])
    """
    p = np.asarray(pairs, dtype=float)
    p = p.reshape(-1, p.shape[-1] if p.ndim == 2 else len(PAIR_COLUMNS))
    if len(p) == 0:
        empty = np.zeros(0)
        return Overlaps(empty.astype(np.int64), empty, empty, empty)
    b_id, lsoa_id, area_l, a_as, a_ps, a_pop, b_as, b_ps = p.T[:8]
    b_pop = p[:, 8] if p.shape[1] > 8 else np.zeros(len(p))
    a_whole = a_as >= WHOLE
    b_whole = b_as >= WHOLE
    both_cut = ~a_whole & ~b_whole
    tri = np.minimum(a_as, b_as) * area_l
    if both_cut_area and both_cut.any():
        idx = np.flatnonzero(both_cut)
        tri[idx] = [both_cut_area.get((int(b_id[i]), int(lsoa_id[i])), tri[i]) for i in idx]
    area = np.where(a_whole, b_as * area_l, np.where(b_whole, a_as * area_l, tri))
    b_reg = (
        np.asarray(b_registrations, dtype=bool)
        if b_registrations is not None
        else np.zeros(len(p), bool)
    )
    a_area = a_as * area_l
    geo_share = np.divide(tri, a_area, out=np.zeros_like(tri), where=a_area > 0)
    g = np.where(
        b_ps >= WHOLE,
        1.0,
        np.where(b_reg | a_whole | a_registrations, b_ps, np.clip(geo_share, 0.0, 1.0)),
    )
    ids, inv = np.unique(b_id.astype(np.int64), return_inverse=True)
    return Overlaps(
        b_id=ids,
        overlap_area_m2=np.bincount(inv, weights=area, minlength=len(ids)),
        population=np.bincount(inv, weights=a_pop * g, minlength=len(ids)),
        other_population=np.bincount(inv, weights=b_pop * a_ps, minlength=len(ids)),
    )


def shares(
    o: Overlaps, a_area_m2: float, a_population: float, b_area_m2: np.ndarray
) -> dict[str, np.ndarray]:
    """``share_of_area``, ``share_of_other_area`` and ``share_of_population`` per B.

    ``b_area_m2`` aligns with ``o.b_id``.
    """
    other = np.asarray(b_area_m2, dtype=float)
    return {
        "share_of_area": o.overlap_area_m2 / a_area_m2 if a_area_m2 > 0 else np.zeros(len(o.b_id)),
        "share_of_other_area": np.divide(
            o.overlap_area_m2, other, out=np.zeros(len(other)), where=other > 0
        ),
        "share_of_population": o.population / a_population
        if a_population > 0
        else np.zeros(len(o.b_id)),
    }
