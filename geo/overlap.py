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

This is the tobler way (area-weighted interpolation for counts) on top of the
exact LSOA membership of footprints built from whole LSOAs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

WHOLE = 1.0 - 1e-9


def overlap_rows(
    pairs: pd.DataFrame,
    *,
    b_registrations: pd.Series | None = None,
    a_registrations: bool = False,
    both_cut_area: Mapping[tuple[int, int], float] | None = None,
) -> pd.DataFrame:
    """Overlap area and population of A with each B, per shared LSOA.

    Parameters
    ----------
    pairs
        One row per (B, LSOA) shared with A: ``b_id, lsoa_id, lsoa_area,
        a_as, a_ps, a_pop, b_as, b_ps``.
    b_registrations
        ``b_id`` -> True where B's weights are registration shares (PCNs).
    a_registrations
        True if A's weights are registration shares.
    both_cut_area
        (b_id, lsoa_id) -> area of A ∩ B ∩ L, for the pairs where both cut L
        geometrically. Missing pairs fall back to ``min(a_as, b_as) * area(L)``.

    Returns
    -------
    DataFrame with ``b_id, overlap_area_m2, population`` (summed over LSOAs).
    """
    if pairs.empty:
        return pd.DataFrame(columns=["b_id", "overlap_area_m2", "population"])
    a_as = pairs["a_as"].to_numpy(float)
    b_as = pairs["b_as"].to_numpy(float)
    b_ps = pairs["b_ps"].to_numpy(float)
    area_l = pairs["lsoa_area"].to_numpy(float)
    a_whole = a_as >= WHOLE
    b_whole = b_as >= WHOLE
    both_cut = ~a_whole & ~b_whole
    tri = np.minimum(a_as, b_as) * area_l
    if both_cut_area and both_cut.any():
        keys = list(
            zip(
                pairs["b_id"].to_numpy()[both_cut],
                pairs["lsoa_id"].to_numpy()[both_cut],
                strict=True,
            )
        )
        tri[both_cut] = [
            both_cut_area.get((int(b), int(lsoa)), t)
            for (b, lsoa), t in zip(keys, tri[both_cut], strict=True)
        ]
    area = np.where(a_whole, b_as * area_l, np.where(b_whole, a_as * area_l, tri))

    b_reg = (
        pairs["b_id"].map(b_registrations).fillna(False).to_numpy(bool)
        if b_registrations is not None
        else np.zeros(len(pairs), bool)
    )
    b_all_people = b_ps >= WHOLE
    a_area = a_as * area_l
    geo_share = np.divide(tri, a_area, out=np.zeros_like(tri), where=a_area > 0)
    g = np.where(
        b_all_people,
        1.0,
        np.where(b_reg | a_whole | a_registrations, b_ps, np.clip(geo_share, 0.0, 1.0)),
    )
    pop = pairs["a_pop"].to_numpy(float) * g
    out = pd.DataFrame(
        {"b_id": pairs["b_id"].to_numpy(), "overlap_area_m2": area, "population": pop}
    )
    return out.groupby("b_id", as_index=False).sum()


def shares(
    overlaps: pd.DataFrame, a_area_m2: float, a_population: float, b_area_m2: pd.Series
) -> pd.DataFrame:
    """Add ``share_of_area``, ``share_of_other_area`` and ``share_of_population``."""
    o = overlaps.copy()
    o["share_of_area"] = o["overlap_area_m2"] / a_area_m2 if a_area_m2 > 0 else 0.0
    other = o["b_id"].map(b_area_m2).astype(float)
    o["share_of_other_area"] = np.where(other > 0, o["overlap_area_m2"] / other, 0.0)
    o["share_of_population"] = o["population"] / a_population if a_population > 0 else 0.0
    return o
