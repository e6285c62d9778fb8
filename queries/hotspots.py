"""Hotspots of deprivation inside an area, and its MSOAs ranked by concentration."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import InvalidParameter
from geo.hotspots import GiStar, classify, gi_star, neighbours_within
from queries.areas import Area
from queries.db import sql

METHOD = (
    "Getis-Ord Gi* (esda.G_Local, star=True) of the domain score over queen contiguity between "
    "the units of the area (binary weights), {perm} conditional permutations, seed {seed}; "
    "a hotspot has a positive z and a pseudo p-value at most the threshold "
    "(alpha, or the Benjamini-Hochberg bound when fdr=true)."
)


class RunCache(Protocol):
    """Where permutation runs are kept between requests (the service's bounded LRU)."""

    def get(self, key: tuple[object, ...]) -> Any: ...

    def put(self, key: tuple[object, ...], value: Any) -> None: ...


@dataclass(frozen=True)
class _Units:
    """The units of an area, their Gi*, and the area's MSOA rows: all that does not depend
    on the significance level, cached per data version."""

    info: dict[int, dict[str, Any]]
    gi: GiStar
    msoa_rows: list[dict[str, Any]]


async def _units(
    conn: AsyncConnection, area: Area, unit: str, domain: str, permutations: int, seed: int
) -> _Units:
    msoa_rows = [
        dict(r)
        for r in (await conn.execute(sql("hotspot_msoas"), {"id": area.id, "domain": domain}))
        .mappings()
        .all()
    ]
    if unit == "lsoa21":
        rows = [
            dict(r)
            for r in (await conn.execute(sql("hotspot_lsoas"), {"id": area.id, "domain": domain}))
            .mappings()
            .all()
        ]
        adjacency = "hotspot_lsoa_adjacency"
    else:
        rows = msoa_rows
        adjacency = "hotspot_msoa_adjacency"
    ids = [int(r["unit_id"]) for r in rows]
    pairs = (await conn.execute(sql(adjacency), {"ids": ids})).all()
    info = {int(r["unit_id"]): r for r in rows}
    values = {i: float(r["value"]) for i, r in info.items() if r["value"] is not None}
    if len(values) < 3:
        raise InvalidParameter(
            f"{area.code} has {len(values)} {unit} units; hotspots need at least 3 "
            "(try unit=lsoa21 or a larger area)",
            parameter="unit",
        )
    nb = neighbours_within(ids, ((int(a), int(b)) for a, b in pairs))
    # the permutation test is CPU work: keep the event loop free for other requests
    gi = await asyncio.to_thread(gi_star, values, nb, permutations=permutations, seed=seed)
    return _Units(info=info, gi=gi, msoa_rows=msoa_rows)


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
    cache: RunCache | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """Gi* hotspots of an area's units at a significance level. The permutation test runs
    once per (data version, area, unit, domain); other levels only re-classify."""
    key = (version, area.id, unit, domain, permutations, seed)
    got = cache.get(key) if cache is not None and version is not None else None
    if got is None:
        got = await _units(conn, area, unit, domain, permutations, seed)
        if cache is not None and version is not None:
            cache.put(key, got)
    res = classify(got.gi, alpha=alpha, fdr=fdr)
    units = []
    for k, uid in enumerate(res.ids):
        r = got.info[uid]
        share = min(1.0, float(r.get("share_in_area") or 0.0))
        units.append(
            {
                "code": r["code"],
                "name": r["name"],
                "value": res.value[k],
                "population": r["population"],
                "population_in_area": float(r["population"] or 0.0) * share,
                "gi_z": float(res.z[k]),
                "p_value": float(res.p[k]),
                "neighbours": int(res.neighbours[k]),
                "cluster": "hot" if res.hot[k] else ("cold" if res.cold[k] else "none"),
            }
        )
    units.sort(key=lambda u: (-u["gi_z"], u["code"]))
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
        "hotspot_population": float(
            sum(u["population_in_area"] for u in units if u["cluster"] == "hot")
        ),
        "units": units,
        "msoa_concentration": rank_msoas(got.msoa_rows),
        "method": METHOD.format(perm=permutations, seed=seed),
    }
    if with_geometry:
        geo_rows = (await conn.execute(sql("unit_geojson"), {"ids": res.ids})).all()
        geoms = {int(i): g for i, g in geo_rows}
        code_to_id = {got.info[i]["code"]: i for i in res.ids}
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


def rank_msoas(rows: list[dict[str, Any]], limit: int = 50) -> list[dict[str, Any]]:
    """The MSOAs of an area ranked by average score: hyperlocal concentrations."""
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
