"""Footprints as exact unions of their member polygons."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely


def _as_multi(g: shapely.Geometry) -> shapely.MultiPolygon:
    if isinstance(g, shapely.MultiPolygon):
        return g
    if isinstance(g, shapely.Polygon):
        return shapely.MultiPolygon([g])
    polys = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)]
    flat: list[shapely.Polygon] = []
    for p in polys:
        flat.extend(shapely.get_parts(p) if shapely.get_type_id(p) == 6 else [p])
    return shapely.MultiPolygon(flat)


def union_groups(
    geoms: np.ndarray,
    groups: Mapping[str, Sequence[int] | np.ndarray],
    *,
    workers: int | None = None,
    on_done: Callable[[int], None] | None = None,
) -> dict[str, shapely.MultiPolygon]:
    """Union the polygons of each group (a group is a list of indices into ``geoms``).

    GEOS releases the GIL, so the groups are unioned on a few threads.

    >>> sq = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)]
    >>> u = union_groups(np.array(sq, dtype=object), {"a": [0, 1], "b": [2]})
    >>> u["a"].area, u["b"].area
    (2.0, 1.0)
    """
    n = workers or min(4, os.cpu_count() or 1)
    items = sorted(groups.items(), key=lambda kv: -len(kv[1]))  # big first: better balance

    def one(item: tuple[str, Sequence[int]]) -> tuple[str, shapely.MultiPolygon]:
        key, idx = item
        u = shapely.union_all(geoms[np.asarray(idx, dtype=int)])
        if not shapely.is_valid(u):
            u = shapely.make_valid(u)
        return key, _as_multi(u)

    out: dict[str, shapely.MultiPolygon] = {}
    with ThreadPoolExecutor(max_workers=n) as pool:
        for key, u in pool.map(one, items):
            out[key] = u
            if on_done:
                on_done(1)
    return out
