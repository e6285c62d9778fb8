"""What the web map needs to know about the area it is focused on."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import ServiceError
from depmap.core.names import programme_slug
from queries.areas import area_detail, get_area
from queries.db import sql
from queries.deprivation import deprivation
from queries.registrations import map_note, registrations


async def pcn_note(conn: AsyncConnection) -> str:
    """The map's note on its PCNs: which ICBs the loaded registrations cover."""
    return map_note(await registrations(conn))


async def focus(conn: AsyncConnection, code: str, kind: str | None = None) -> dict[str, Any]:
    """Name, bounds, boundary and IMD summary of the area a map is focused on."""
    area = await get_area(conn, code, kind)
    detail = await area_detail(conn, area)
    outline = (await conn.execute(sql("map_outline"), {"id": area.id})).scalar_one()
    summary: dict[str, Any] = {"population": area.population}
    try:
        dep = await deprivation(conn, area, "imd")
    except ServiceError:  # an area without measures still gets a map
        dep = None
    if dep is not None:
        ranks = dep.get("ranks") or {}
        summary.update(
            {
                k: dep.get(k)
                for k in ("average_score", "extent", "proportion_most_deprived_10", "population")
            }
        )
        summary["rank"] = ranks.get("average_score")
        summary["of"] = ranks.get("of")
    return {
        "code": area.code,
        "name": area.name,
        "kind": area.kind,
        "programme": area.programme,
        "programme_slug": programme_slug(area.programme) if area.programme else None,
        "bbox": detail["bbox"],
        "outline": {"type": "Feature", "properties": {}, "geometry": orjson.loads(outline)},
        "summary": summary,
    }
