"""The profile of an area: what it is, its deprivation in every domain, its health, and
the ICB, sub-ICB, local authority, PCNs and programmes it overlaps (routes into the NHS).

The PCNs serving its residents are listed by the one rule of :mod:`geo.pcn` (the
overlaps' ``kind=pcn``), each with the share of the area's residents and of the PCN's
own patients, and the PCN's own deprivation (IoD 2025 summary weighted by its
registered patients) with its rank among the PCNs of its ICB: which PCN to approach,
and how deprived its list is beside its neighbours'. ``pcn_coverage``,
``registrations`` and ``pcn_note`` say how far the loaded registrations reach.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.vocab import DOMAIN_TABLE, KINDS, MEASURES, PROFILE_KINDS
from queries.areas import area_detail, get_area
from queries.db import sql
from queries.deprivation import deprivation_all
from queries.directory import AreaDirectory
from queries.overlaps import overlaps
from queries.workbook import Sheet

#: The tables of a profile workbook (``format=xlsx``) and their columns.
AREA_COLUMNS = (
    "code",
    "name",
    "kind",
    "vintage",
    "programme",
    "population",
    "population_basis",
    "weight_basis",
    "area_km2",
    "lsoa21_count",
)
DEPRIVATION_COLUMNS = (
    "domain",
    "population",
    "lsoa_count",
    *MEASURES,
    *(f"rank_{m}" for m in MEASURES),
    "rank_among",
    "rank_of",
)
DECILE_COLUMNS = ("domain", "decile", "population", "share_of_population")
HEALTH_COLUMNS = ("code", "label", "higher_is_worse", "value")
#: Overlaps a profile lists: those holding at least this share of its population or area.
MIN_ROUTE_SHARE = 0.01
ROUTE_FIELDS = ("code", "name", "programme", "share_of_population", "share_of_area", "population")
#: what a PCN's route adds: where the PCN comes from, and the share of its patients
PCN_FIELDS = ("source", "extract_date", "share_of_pcn_patients")
ROUTE_COLUMNS = ("kind", *ROUTE_FIELDS, *PCN_FIELDS)


async def pcn_deprivation(conn: AsyncConnection, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Each PCN's own IoD 2025 summary, rank among all PCNs and among its ICB's."""
    if not codes:
        return {}
    rows = (await conn.execute(sql("pcn_summaries"), {"codes": codes})).mappings().all()
    out = {}
    for r in rows:
        out[r["code"]] = {
            "population": r["population"],
            "average_score": r["average_score"],
            "extent": r["extent"],
            "proportion_most_deprived_10": r["proportion_most_deprived_10"],
            "rank_average_score": r["rank_average_score"],
            "of": int(r["pcns"]),
            "icb_code": r["icb_code"],
            "icb_name": r["icb_name"],
            "rank_in_icb": int(r["rank_in_icb"]) if r["icb_code"] else None,
            "pcns_in_icb": int(r["pcns_in_icb"]) if r["icb_code"] else None,
        }
    return out


async def full_profile(
    conn: AsyncConnection,
    area_id: str,
    area_kind: str | None = None,
    areas: AreaDirectory | None = None,
) -> dict[str, Any]:
    """The profile of an area (``GET /areas/{id}/profile``, ``depmap profile CODE``)."""
    if areas is None:
        areas = await AreaDirectory.read(conn)
    area = await get_area(conn, area_id, area_kind, areas)
    detail = await area_detail(conn, area)
    domains = await deprivation_all(conn, area, areas=areas)
    health = None
    for dep in domains.values():
        health = dep.pop("health")
        for k in ("area", "n_lsoa_national", "method"):
            dep.pop(k)
    routes: dict[str, list[dict[str, Any]]] = {}
    pcn: dict[str, Any] = {}
    for k in PROFILE_KINDS:
        o = await overlaps(conn, area, k, 0.0, areas)
        fields = ROUTE_FIELDS + PCN_FIELDS if k == "pcn" else ROUTE_FIELDS
        routes[k] = [
            {f: x[f] for f in fields}
            for x in o["overlaps"]
            if x["share_of_population"] >= MIN_ROUTE_SHARE or x["share_of_area"] >= MIN_ROUTE_SHARE
        ]
        if k == "pcn":
            pcn = o
    summaries = await pcn_deprivation(conn, [x["code"] for x in routes.get("pcn", [])])
    for x in routes.get("pcn", []):
        x["deprivation"] = summaries.get(x["code"])
    return {
        "area": detail,
        "deprivation": domains,
        "health": health,
        "overlaps": routes,
        "pcn_coverage": pcn.get("pcn_coverage", 0.0),
        "pcn_note": pcn.get("note"),
        "registrations": pcn.get("registrations"),
    }


def profile_sheets(profile: dict[str, Any]) -> list[Sheet]:
    """The tables of a profile: the area, its deprivation per domain, the population in
    each national decile, its health, and the areas it overlaps by kind."""
    area = profile["area"]
    deprivation = []
    deciles = []
    for d, dep in profile["deprivation"].items():
        ranks = dep.get("ranks") or {}
        deprivation.append(
            {
                **dep,
                **{f"rank_{m}": ranks.get(m) for m in MEASURES},
                "rank_among": KINDS[ranks["among"]].plural if ranks else None,
                "rank_of": ranks.get("of"),
            }
        )
        deciles += [
            {
                "domain": d,
                "decile": x["decile"],
                "population": x["population"],
                "share_of_population": x["share"],
            }
            for x in dep["deciles"]
        ]
    routes = [{"kind": k, **r} for k in PROFILE_KINDS for r in profile["overlaps"][k]]
    who = f"{area['name']} ({area['code']})"
    return [
        Sheet("Area", f"{who}: what it is", AREA_COLUMNS, [area]),
        Sheet(
            "Deprivation",
            f"{who}: the IoD 2025 summary measures in every domain ("
            + ", ".join(f"{d.code} = {d.name}" for d in DOMAIN_TABLE.values())
            + "), and its ranks among areas of its kind",
            DEPRIVATION_COLUMNS,
            deprivation,
            table="deprivation",
        ),
        Sheet(
            "Deciles",
            f"{who}: its people by the national decile of their LSOA21, per domain",
            DECILE_COLUMNS,
            deciles,
            table="deciles",
        ),
        Sheet(
            "Health", f"{who}: health indicators", HEALTH_COLUMNS, profile["health"], table="health"
        ),
        Sheet(
            "Overlaps",
            f"{who}: the ICB, sub-ICB location, local authority, PCNs and programme areas it "
            "overlaps (those holding at least 1% of its people or area)",
            ROUTE_COLUMNS,
            routes,
            table="routes",
        ),
    ]
