"""Hotspots of deprivation inside an area, and its MSOAs ranked by concentration, each row
with the places it lies in (:mod:`queries.places`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import InvalidParameter
from depmap.core.vocab import KINDS, MEASURE_TABLE, RANKING_MEASURES
from geo.hotspots import GiStar, classify, gi_star, neighbours_within
from queries.areas import Area
from queries.db import sql
from queries.directory import AreaDirectory
from queries.places import place_columns, places
from queries.registrations import public, registrations

#: The fields of a unit row (and the columns of ``format=csv``), by unit.
UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    unit: (
        "code",
        "name",
        "value",
        "population",
        "share_in_area",
        "population_in_area",
        "gi_z",
        "p_value",
        "neighbours",
        "cluster",
        *place_columns(unit),
    )
    for unit in ("lsoa21", "msoa21")
}
#: The fields of an MSOA concentration row (and the columns of ``table=msoas&format=csv``).
MSOA_COLUMNS: tuple[str, ...] = (
    "rank",
    "code",
    "name",
    *RANKING_MEASURES,
    "population",
    "share_in_area",
    "population_in_area",
    *place_columns("msoa21"),
)
#: What ``msoa_concentration`` is ordered by unless asked: MHCLG's local concentration.
DEFAULT_MSOA_MEASURE = "local_concentration"

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
    #: where each unit and each MSOA lies (queries.places), by area id
    places: dict[int, dict[str, Any]]


async def _units(
    conn: AsyncConnection,
    area: Area,
    unit: str,
    domain: str,
    permutations: int,
    seed: int,
    areas: AreaDirectory,
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
        raise InvalidParameter(too_few_units(area, unit, len(values)), parameter="unit")
    nb = neighbours_within(ids, ((int(a), int(b)) for a, b in pairs))
    # the permutation test is CPU work: keep the event loop free for other requests
    gi = await asyncio.to_thread(gi_star, values, nb, permutations=permutations, seed=seed)
    where = await places(conn, [int(r["unit_id"]) for r in msoa_rows], "msoa21", areas)
    if unit == "lsoa21":
        where |= await places(conn, ids, "lsoa21", areas)
    return _Units(info=info, gi=gi, msoa_rows=msoa_rows, places=where)


def too_few_units(area: Area, unit: str, n: int) -> str:
    """Why an area has no hotspots, and what to ask instead (not the unit just asked for)."""
    kind = KINDS[area.kind]
    units = KINDS[unit].plural
    if area.kind == unit:
        return (
            f"{area.code} is {kind.article} {kind.label}: a single unit. Hotspots are clusters "
            f"among the {units} of a larger area: "
            + ("try unit=lsoa21, or " if unit == "msoa21" else "")
            + f"ask for its ward, local authority or ICB (/areas/{area.code}/profile lists them)"
        )
    what = f"{area.code} ({kind.article} {kind.label}) has {n} {units} with a value"
    if unit == "msoa21":
        return f"{what}; hotspots need at least 3: try unit=lsoa21 or a larger area"
    return f"{what}; hotspots need at least 3: ask for a larger area"


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
    measure: str = DEFAULT_MSOA_MEASURE,
    with_geometry: bool = False,
    table: str = "units",
    cache: RunCache | None = None,
    version: int | None = None,
    areas: AreaDirectory | None = None,
) -> dict[str, Any]:
    """Gi* hotspots of an area's units at a significance level, and all its MSOAs ranked by
    ``measure``. The permutation test runs once per (data version, area, unit, domain);
    other levels only re-classify. ``with_geometry`` adds ``features``: of the units, or of
    the MSOAs when ``table`` is ``msoas``."""
    key = (version, area.id, unit, domain, permutations, seed)
    got = cache.get(key) if cache is not None and version is not None else None
    if got is None:
        if areas is None:
            areas = await AreaDirectory.read(conn)
        got = await _units(conn, area, unit, domain, permutations, seed, areas)
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
                "value": float(res.value[k]),
                "population": r["population"],
                "share_in_area": share,
                "population_in_area": float(r["population"] or 0.0) * share,
                "gi_z": float(res.z[k]),
                "p_value": float(res.p[k]),
                "neighbours": int(res.neighbours[k]),
                "cluster": "hot" if res.hot[k] else ("cold" if res.cold[k] else "none"),
                **got.places[uid],
                "_id": uid,
            }
        )
    units.sort(key=lambda u: (-u["gi_z"], u["code"]))
    msoas = rank_msoas(got.msoa_rows, got.places, measure)
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
        "measure": measure,
        "msoa_count": len(msoas),
        "msoa_concentration": msoas,
        "method": METHOD.format(perm=permutations, seed=seed)
        + MSOA_METHOD.format(measure=MEASURE_TABLE[measure].label),
        # the GP registrations the rows' PCNs come from
        "registrations": public(await registrations(conn)),
    }
    rows = msoas if table == "msoas" else units
    if with_geometry:
        ids = [r["_id"] for r in rows]
        geo_rows = (await conn.execute(sql("unit_geojson"), {"ids": ids})).all()
        geoms = {int(i): g for i, g in geo_rows}
        out["features"] = [
            {
                "type": "Feature",
                "id": r["code"],
                "geometry": orjson.loads(geoms[r["_id"]]),
                "properties": r,
            }
            for r in rows
        ]
    for r in (*units, *msoas):
        del r["_id"]
    return out


MSOA_METHOD = (
    " msoa_concentration: every MSOA21 the area takes in, ranked by its {measure} "
    "(1 = most deprived; the MSOA's own IoD summary measure over its LSOAs)."
)


def rank_msoas(
    rows: list[dict[str, Any]],
    where: dict[int, dict[str, Any]],
    measure: str = DEFAULT_MSOA_MEASURE,
) -> list[dict[str, Any]]:
    """Every MSOA of an area ranked by ``measure`` (each measure is higher where deprivation
    is more concentrated; missing values last): hyperlocal concentrations."""
    out = []
    for r in rows:
        share = min(1.0, float(r["share_in_area"] or 0.0))
        out.append(
            {
                "rank": 0,
                "code": r["code"],
                "name": r["name"],
                **{m: r[m] for m in RANKING_MEASURES},
                "population": r["population"],
                "share_in_area": share,
                "population_in_area": float(r["population"] or 0.0) * share,
                **where[int(r["unit_id"])],
                "_id": int(r["unit_id"]),
            }
        )
    out.sort(key=lambda m: (m[measure] is None, -(m[measure] or 0.0), m["code"]))
    for k, m in enumerate(out, start=1):
        m["rank"] = k
    return out
