"""Neighbourhoods made of touching small areas: which ones touch, and what to call them.

Pure functions over GeoPandas/Shapely geometries and pandas frames (the left-behind
neighbourhoods programme is built with them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from depmap.core.names import programme_code

#: MSOA names shown in an area's name before "and N more".
MAX_MSOA_NAMES = 3


def components(geoms: np.ndarray) -> np.ndarray:
    """Label of the contiguous group (polygons that touch or overlap) of each polygon.

    >>> sq = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2),
    ...                shapely.box(5, 5, 6, 6)], dtype=object)
    >>> components(sq).tolist()
    [0, 0, 1]
    """
    n = len(geoms)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels)


def name_area(ltla: pd.Series, msoa: pd.Series) -> str:
    """``<local authority>: <MSOA names>`` for the LSOAs of one area (most LSOAs first)."""
    las = ltla.value_counts(sort=True).index.tolist()
    ms = msoa.value_counts(sort=True).index.tolist()
    shown = sorted(ms[:MAX_MSOA_NAMES])
    more = f" and {len(ms) - MAX_MSOA_NAMES} more" if len(ms) > MAX_MSOA_NAMES else ""
    return f"{' / '.join(las[:2])}: {', '.join(shown)}{more}"


def contiguous_areas(lsoas: pd.DataFrame, programme: str) -> pd.DataFrame:
    """One area per group of touching LSOAs, coded by local authority and named.

    Parameters
    ----------
    lsoas
        One row per LSOA: ``code``, ``group`` (from :func:`components`), ``ltla`` and
        ``ltla_code`` (its local authority), ``msoa`` (its MSOA's name).
    programme
        The programme's name (codes are ``<programme slug>:<LA code>-NN``).

    Returns
    -------
    DataFrame with ``group, ltla_code, first, name, lsoas, code``: areas ordered by
    local authority and first LSOA code, numbered within their local authority; an
    area takes the local authority holding most of its LSOAs; names that repeat get
    their first LSOA code.

    Examples
    --------
    >>> l = pd.DataFrame({"code": ["E1", "E2", "E3"], "group": [0, 0, 1],
    ...                   "ltla": ["A", "A", "A"], "ltla_code": ["E06", "E06", "E06"],
    ...                   "msoa": ["A 001", "A 002", "A 003"]})
    >>> contiguous_areas(l, "Demo")[["code", "name"]].values.tolist()
    [['demo:E06-01', 'A: A 001, A 002'], ['demo:E06-02', 'A: A 003']]
    """
    rows = []
    for _, g in lsoas.groupby("group", sort=False):
        rows.append(
            {
                "group": g["group"].iloc[0],
                "ltla_code": g["ltla_code"].value_counts().index[0],
                "first": g["code"].min(),
                "name": name_area(g["ltla"], g["msoa"]),
                "lsoas": sorted(g["code"]),
            }
        )
    areas = pd.DataFrame(rows).sort_values(["ltla_code", "first"]).reset_index(drop=True)
    n = areas.groupby("ltla_code").cumcount() + 1
    areas["code"] = [
        programme_code(programme, f"{la}-{k:02d}")
        for la, k in zip(areas["ltla_code"], n, strict=True)
    ]
    dup = areas["name"].duplicated(keep=False)
    areas.loc[dup, "name"] = areas.loc[dup, "name"] + " (" + areas.loc[dup, "first"] + ")"
    return areas
