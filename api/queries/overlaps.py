"""Which areas of a kind an area overlaps, with area and population shares."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from api.db import sql
from api.queries.areas import Area
from geo.overlap import WHOLE, overlap_rows, shares

#: Kinds an area's overlaps can be asked for.
OVERLAP_KINDS = ("lsoa21", "msoa21", "lsoa11", "ward", "ltla", "sicbl", "icb", "pcn", "programme")

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
    rows = (await conn.execute(sql("overlap_pairs"), {"area_id": area.id, "kind": kind})).all()
    items: list[dict[str, Any]] = []
    if rows:
        # plain tuples: numpy probes every Row for array interfaces, 20x slower
        pairs = np.array([tuple(r) for r in rows], dtype=float)
        b_col = pairs[:, 0].astype(np.int64)
        b_ids = np.unique(b_col)
        info = {
            int(r[0]): r
            for r in (await conn.execute(sql("areas_by_id"), {"ids": b_ids.tolist()})).all()
        }
        # columns of areas_by_id: id, kind, code, name, programme, area_m2, population,
        # weight_basis
        b_basis = {i: r[7] for i, r in info.items()}
        tri: dict[tuple[int, int], float] = {}
        both_cut = (pairs[:, 3] < WHOLE) & (pairs[:, 6] < WHOLE)
        if both_cut.any() and area.weight_basis == "area":
            geo_rows = [k for k in np.flatnonzero(both_cut) if b_basis[int(b_col[k])] == "area"]
            if geo_rows:
                res = await conn.execute(
                    sql("triple_intersection"),
                    {
                        "area_id": area.id,
                        "b_ids": [int(b_col[k]) for k in geo_rows],
                        "lsoa_ids": [int(pairs[k, 1]) for k in geo_rows],
                    },
                )
                tri = {(int(b), int(lsoa)): float(a) for b, lsoa, a in res}
        o = overlap_rows(
            pairs,
            b_registrations=np.array([b_basis[int(b)] == "registrations" for b in b_col]),
            a_registrations=area.weight_basis == "registrations",
            both_cut_area=tri,
        )
        sh = shares(
            o,
            area.area_m2,
            area.population,
            np.array([info[int(b)][5] for b in o.b_id], dtype=float),
        )
        keep = (o.overlap_area_m2 > 0) | (o.population > 0)
        if min_share > 0:
            keep &= (sh["share_of_area"] >= min_share) | (sh["share_of_population"] >= min_share)
        idx = np.flatnonzero(keep)
        codes = [info[int(o.b_id[k])][2] for k in idx]
        order = sorted(
            range(len(idx)),
            key=lambda j: (
                -sh["share_of_population"][idx[j]],
                -sh["share_of_area"][idx[j]],
                codes[j],
            ),
        )
        for j in order:
            k = idx[j]
            r = info[int(o.b_id[k])]
            items.append(
                {
                    "code": r[2],
                    "name": r[3],
                    "kind": r[1],
                    "programme": r[4],
                    "overlap_area_m2": round(float(o.overlap_area_m2[k]), 2),
                    "share_of_area": float(sh["share_of_area"][k]),
                    "share_of_other_area": float(sh["share_of_other_area"][k]),
                    "population": float(o.population[k]),
                    "share_of_population": float(sh["share_of_population"][k]),
                }
            )
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
