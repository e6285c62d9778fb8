"""Which areas of a kind an area overlaps, with area and population shares."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from geo.overlap import PAIR_COLUMNS, WHOLE, overlap_rows, shares
from queries.areas import Area
from queries.db import sql

COLUMNS = (
    "code",
    "name",
    "kind",
    "programme",
    "overlap_area_m2",
    "share_of_area",
    "share_of_other_area",
    "population",
    "share_of_population",
)


async def overlaps(
    conn: AsyncConnection, area: Area, kind: str, min_share: float = 0.0
) -> dict[str, Any]:
    """The areas of ``kind`` that ``area`` overlaps (see :mod:`geo.overlap`).

    ``min_share`` keeps overlaps holding at least that share of the area's area
    or of its population.
    """
    query = "overlap_pairs_lsoa21" if kind == "lsoa21" else "overlap_pairs"
    rows = (await conn.execute(sql(query), {"area_id": area.id, "kind": kind})).all()
    items: list[dict[str, Any]] = []
    if rows:
        # columns: the 8 of geo.overlap.PAIR_COLUMNS, then B's area_m2, weight_basis,
        # code, name, kind, programme. Transposed once, in C: numpy would probe
        # every Row for array interfaces.
        cols = list(zip(*rows, strict=True))
        pairs = np.array(cols[: len(PAIR_COLUMNS)], dtype=float).T
        b_col = pairs[:, 0].astype(np.int64)
        basis = np.array(cols[9], dtype=object)
        b_reg = basis == "registrations"
        tri: dict[tuple[int, int], float] = {}
        # both cut the LSOA geometrically: the only overlaps that need geometry
        both_cut = (pairs[:, 3] < WHOLE) & (pairs[:, 6] < WHOLE) & (basis == "area")
        if both_cut.any() and area.weight_basis == "area":
            k = np.flatnonzero(both_cut)
            res = await conn.execute(
                sql("triple_intersection"),
                {
                    "area_id": area.id,
                    "b_ids": b_col[k].tolist(),
                    "lsoa_ids": pairs[k, 1].astype(np.int64).tolist(),
                },
            )
            tri = {(int(b), int(lsoa)): float(a) for b, lsoa, a in res}
        o = overlap_rows(
            pairs,
            b_registrations=b_reg,
            a_registrations=area.weight_basis == "registrations",
            both_cut_area=tri,
        )
        # o.b_id is sorted and unique, like np.unique: the first row of each B
        _, first = np.unique(b_col, return_index=True)
        b_area = np.array(cols[8], dtype=float)[first]
        sh = shares(o, area.area_m2, area.population, b_area)
        keep = (o.overlap_area_m2 > 0) | (o.population > 0)
        if min_share > 0:
            keep &= (sh["share_of_area"] >= min_share) | (sh["share_of_population"] >= min_share)
        code = np.array(cols[10], dtype=object)[first]
        # largest population share first, then area share, then code
        order = np.lexsort((code.astype(str), -sh["share_of_area"], -sh["share_of_population"]))
        order = order[keep[order]]
        name, b_kind, programme = (np.array(cols[i], dtype=object)[first] for i in (11, 12, 13))
        items = [
            {
                "code": c,
                "name": n,
                "kind": bk,
                "programme": pg,
                "overlap_area_m2": round(am, 2),
                "share_of_area": sa,
                "share_of_other_area": so,
                "population": pp,
                "share_of_population": sp,
            }
            for c, n, bk, pg, am, sa, so, pp, sp in zip(
                code[order].tolist(),
                name[order].tolist(),
                b_kind[order].tolist(),
                programme[order].tolist(),
                o.overlap_area_m2[order].tolist(),
                sh["share_of_area"][order].tolist(),
                sh["share_of_other_area"][order].tolist(),
                o.population[order].tolist(),
                sh["share_of_population"][order].tolist(),
                strict=True,
            )
        ]
    return {
        "area": {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "area_m2": area.area_m2,
            "population": area.population,
            "population_basis": area.population_basis,
        },
        "kind": kind,
        "min_share": min_share,
        "population_basis": area.population_basis,
        "count": len(items),
        "overlaps": items,
    }
