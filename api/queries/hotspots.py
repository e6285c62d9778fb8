"""Hotspots of deprivation inside an area, and its MSOAs ranked by concentration."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from api.db import sql
from api.errors import InvalidParameter
from api.queries.areas import Area
from geo.hotspots import getis_ord, neighbours_within

HOTSPOT_UNITS = ("lsoa21", "msoa21")

METHOD = (
    "Getis-Ord Gi* (esda.G_Local, star=True) of the domain score over queen contiguity between "
    "the units of the area (binary weights), {perm} conditional permutations, seed {seed}; "
    "a hotspot has a positive z and a pseudo p-value at most the threshold "
    "(alpha, or the Benjamini-Hochberg bound when fdr=true)."
)


async def hotspots(
    conn: AsyncConnection,
    area: Area,
    *,
    unit: str,
    domain: str,
    alpha: float,
    fdr: bool,
    permutations: int,
    seed: int,
    with_geometry: bool = False,
) -> dict[str, Any]:
    if unit == "lsoa21":
        rows = (
            (await conn.execute(sql("hotspot_lsoas"), {"id": area.id, "domain": domain}))
            .mappings()
            .all()
        )
        ids = [int(r["unit_id"]) for r in rows]
        pairs = (await conn.execute(sql("hotspot_lsoa_adjacency"), {"ids": ids})).all()
    else:
        rows = (
            (await conn.execute(sql("hotspot_msoas"), {"id": area.id, "domain": domain}))
            .mappings()
            .all()
        )
        ids = [int(r["unit_id"]) for r in rows]
        pairs = (await conn.execute(sql("hotspot_msoa_adjacency"), {"ids": ids})).all()
    info = {int(r["unit_id"]): dict(r) for r in rows}
    values = {i: float(r["value"]) for i, r in info.items() if r["value"] is not None}
    if len(values) < 3:
        raise InvalidParameter(
            f"{area.code} has {len(values)} {unit} units; hotspots need at least 3 "
            "(try unit=lsoa21 or a larger area)",
            parameter="unit",
        )
    nb = neighbours_within(ids, ((int(a), int(b)) for a, b in pairs))
    # the permutation test is CPU work: keep the event loop free for other requests
    res = await asyncio.to_thread(
        getis_ord, values, nb, alpha=alpha, fdr=fdr, permutations=permutations, seed=seed
    )
    units = []
    for k, uid in enumerate(res.ids):
        r = info[uid]
        units.append(
            {
                "code": r["code"],
                "name": r["name"],
                "value": res.value[k],
                "population": r["population"],
                "gi_z": float(res.z[k]),
                "p_value": float(res.p[k]),
                "neighbours": int(res.neighbours[k]),
                "cluster": "hot" if res.hot[k] else ("cold" if res.cold[k] else "none"),
            }
        )
    units.sort(key=lambda u: (-u["gi_z"], u["code"]))
    msoas = await msoa_concentration(conn, area, domain)
    out: dict[str, Any] = {
        "area": {"code": area.code, "name": area.name, "kind": area.kind},
        "unit": unit,
        "domain": domain,
        "alpha": alpha,
        "fdr": fdr,
        "p_threshold": res.threshold,
        "permutations": permutations,
        "hotspot_count": int(res.hot.sum()),
        "coldspot_count": int(res.cold.sum()),
        "hotspot_population": float(sum(u["population"] for u in units if u["cluster"] == "hot")),
        "units": units,
        "msoa_concentration": msoas,
        "method": METHOD.format(perm=permutations, seed=seed),
    }
    if with_geometry:
        geo_rows = (await conn.execute(sql("unit_geojson"), {"ids": res.ids})).all()
        geoms = {int(i): g for i, g in geo_rows}
        code_to_id = {info[i]["code"]: i for i in res.ids}
        out["features"] = [
            {
                "type": "Feature",
                "id": u["code"],
                "geometry": orjson.loads(geoms[code_to_id[u["code"]]]),
                "properties": u,
            }
            for u in units
        ]
    return out


async def msoa_concentration(
    conn: AsyncConnection, area: Area, domain: str, limit: int = 50
) -> list[dict[str, Any]]:
    """The MSOAs of an area ranked by average score: hyperlocal concentrations."""
    rows = (
        (await conn.execute(sql("hotspot_msoas"), {"id": area.id, "domain": domain}))
        .mappings()
        .all()
    )
    ranked = sorted(rows, key=lambda r: (-(r["value"] or 0.0), r["code"]))
    return [
        {
            "rank": k + 1,
            "code": r["code"],
            "name": r["name"],
            "average_score": r["value"],
            "proportion_most_deprived_10": r["proportion_most_deprived_10"],
            "extent": r["extent"],
            "local_concentration": r["local_concentration"],
            "population": r["population"],
            "share_in_area": min(1.0, float(r["share_in_area"] or 0.0)),
        }
        for k, r in enumerate(ranked[:limit])
    ]
