"""Which areas of a kind an area overlaps, with area and population shares."""

from __future__ import annotations

from typing import Any

import pandas as pd
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
    res = await conn.execute(sql("overlap_pairs"), {"area_id": area.id, "kind": kind})
    pairs = pd.DataFrame(
        res.all(),
        columns=["b_id", "lsoa_id", "lsoa_area", "a_as", "a_ps", "a_pop", "b_as", "b_ps"],
    )
    items: list[dict[str, Any]] = []
    if not pairs.empty:
        b_ids = [int(i) for i in pairs["b_id"].unique()]
        others = pd.DataFrame(
            [dict(r) for r in (await conn.execute(sql("areas_by_id"), {"ids": b_ids})).mappings()]
        ).set_index("id")
        both_cut = pairs[(pairs["a_as"] < WHOLE) & (pairs["b_as"] < WHOLE)]
        tri: dict[tuple[int, int], float] = {}
        if not both_cut.empty and area.weight_basis == "area":
            geo_b = both_cut[both_cut["b_id"].map(others["weight_basis"]) == "area"]
            if not geo_b.empty:
                rows = await conn.execute(
                    sql("triple_intersection"),
                    {
                        "area_id": area.id,
                        "b_ids": [int(x) for x in geo_b["b_id"]],
                        "lsoa_ids": [int(x) for x in geo_b["lsoa_id"]],
                    },
                )
                tri = {(int(b), int(lsoa)): float(a) for b, lsoa, a in rows}
        o = overlap_rows(
            pairs,
            b_registrations=others["weight_basis"] == "registrations",
            a_registrations=area.weight_basis == "registrations",
            both_cut_area=tri,
        )
        o = shares(o, area.area_m2, area.population, others["area_m2"])
        if min_share > 0:
            o = o[(o["share_of_area"] >= min_share) | (o["share_of_population"] >= min_share)]
        o = o[(o["overlap_area_m2"] > 0) | (o["population"] > 0)]
        o = o.join(others[["code", "name", "kind", "programme"]], on="b_id")
        o = o.sort_values(
            ["share_of_population", "share_of_area", "code"], ascending=[False, False, True]
        )
        items = [
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "programme": r.programme,
                "overlap_area_m2": round(float(r.overlap_area_m2), 2),
                "share_of_area": float(r.share_of_area),
                "share_of_other_area": float(r.share_of_other_area),
                "population": float(r.population),
                "share_of_population": float(r.share_of_population),
            }
            for r in o.itertuples(index=False)
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
