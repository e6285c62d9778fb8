"""The profile of an area: what it is, its deprivation in every domain, its health, and
the ICB, sub-ICB, local authority, PCNs and programmes it overlaps (routes into the NHS)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.vocab import PROFILE_KINDS
from queries.areas import area_detail, get_area
from queries.deprivation import deprivation_all
from queries.directory import AreaDirectory
from queries.overlaps import overlaps


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
    routes = {}
    for k in PROFILE_KINDS:
        o = await overlaps(conn, area, k, 0.0, areas)
        routes[k] = [
            {
                kk: x[kk]
                for kk in (
                    "code",
                    "name",
                    "programme",
                    "share_of_population",
                    "share_of_area",
                    "population",
                )
            }
            for x in o["overlaps"]
            if x["share_of_population"] >= 0.01 or x["share_of_area"] >= 0.01
        ]
    return {"area": detail, "deprivation": domains, "health": health, "overlaps": routes}
