"""An area's LSOA21s with their IoD 2025 figures and the places they lie in: the table an
analyst exports to work on an area LSOA by LSOA (``GET /areas/{id}/lsoas``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.vocab import DOMAIN_FIELDS, DOMAINS
from queries.areas import Area
from queries.db import sql
from queries.directory import AreaDirectory
from queries.places import place_columns, places
from queries.registrations import public, registrations

#: The IoD 2025 figures of each LSOA: score, rank (1 = most deprived of 33,755) and
#: national decile (1 = most deprived 10%) in every domain.
IOD_COLUMNS: tuple[str, ...] = tuple(f"{d}_{f}" for d in DOMAINS for f in DOMAIN_FIELDS)
#: The fields of a row and the columns of its CSV.
COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "population",
    "share_in_area",
    "area_share",
    "population_in_area",
    *IOD_COLUMNS,
    *place_columns("lsoa21"),
)


def _whole(v: Any) -> int | None:
    return None if v is None else round(float(v))


async def area_lsoas(
    conn: AsyncConnection, area: Area, domain: str = "imd", areas: AreaDirectory | None = None
) -> dict[str, Any]:
    """Every LSOA21 of ``area`` with its IoD figures, most deprived in ``domain`` first."""
    rows = (await conn.execute(sql("area_lsoas"), {"id": area.id})).mappings().all()
    if areas is None:
        areas = await AreaDirectory.read(conn)
    where = await places(conn, [int(r["lsoa_id"]) for r in rows], "lsoa21", areas)
    out = []
    for r in rows:
        share = min(1.0, float(r["share_in_area"]))
        out.append(
            {
                "code": r["code"],
                "name": r["name"],
                "population": r["population"],
                "share_in_area": share,
                "area_share": min(1.0, float(r["area_share"])),
                "population_in_area": float(r["population"] or 0.0) * share,
                **{c: _whole(r[c]) if not c.endswith("_score") else r[c] for c in IOD_COLUMNS},
                **where[int(r["lsoa_id"])],
            }
        )
    rank = f"{domain}_rank"
    out.sort(key=lambda x: (x[rank] is None, x[rank] or 0, x["code"]))
    return {
        "area": {"code": area.code, "name": area.name, "kind": area.kind},
        "domain": domain,
        "count": len(out),
        "population_in_area": sum(x["population_in_area"] for x in out),
        "method": METHOD,
        # the GP registrations the rows' PCNs come from
        "registrations": public(await registrations(conn)),
        "lsoas": out,
    }


METHOD = (
    "Every LSOA21 the area takes in, most deprived first in the domain asked for: IoD 2025 "
    "score, rank (1 = most deprived of England's 33,755) and national decile (1 = most "
    "deprived 10%) in every domain, as MHCLG publishes them. share_in_area: the share of the "
    "LSOA's residents counted in the area (area-weighted where a drawn boundary cuts it; for "
    "a PCN, its weight from GP registrations); area_share: the share of its land "
    "inside. The MSOA, ward, local authority, sub-ICB and ICB are the ones holding the LSOA; "
    "PCNs: the share of its residents attributed to each (in proportion to their registered "
    "patients there, never more residents than patients; none derived from registrations "
    "where they account for under 5% of its residents), pcn_coverage the share the loaded "
    "registrations account for, pcn_extracts the dates of their extracts."
)
