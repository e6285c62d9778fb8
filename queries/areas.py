"""Finding areas."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import UnknownArea
from depmap.core.vocab import SEARCH_ORDER
from queries.db import sql


@dataclass(frozen=True)
class Area:
    id: int
    kind: str
    code: str
    name: str
    vintage: str
    programme: str | None
    population: float
    population_basis: str
    weight_basis: str
    area_m2: float
    properties: dict[str, Any]

    def public(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("id")
        d["area_km2"] = round(self.area_m2 / 1e6, 6)
        return d


class Finder(Protocol):
    """Finds loaded areas without the database (:class:`queries.directory.AreaDirectory`)."""

    def find(self, code: str, kind: str | None = None) -> Area | None: ...


async def get_area(
    conn: AsyncConnection, code: str, kind: str | None = None, areas: Finder | None = None
) -> Area:
    """The area with this code (or programme/custom id), or :class:`UnknownArea`.

    ``areas`` (a :class:`queries.directory.AreaDirectory` of the data version the
    connection sees) answers without a round trip for every area a load made.
    """
    if areas is not None and (found := areas.find(code, kind)) is not None:
        return found
    row = (await conn.execute(sql("area_by_code"), {"code": code, "kind": kind})).mappings().first()
    if row is None:
        what = f"{kind} area" if kind else "area"
        raise UnknownArea(f"no {what} with id {code!r}", id=code)
    return Area(**{k: row[k] for k in Area.__dataclass_fields__})


async def area_detail(conn: AsyncConnection, area: Area) -> dict[str, Any]:
    row = (await conn.execute(sql("area_detail"), {"id": area.id})).mappings().one()
    return {
        **area.public(),
        "bbox": [row["west"], row["south"], row["east"], row["north"]],
        "point": [row["lon"], row["lat"]],
        "lsoa21_count": int(row["lsoa_count"]),
    }


async def area_boundary(conn: AsyncConnection, area: Area) -> dict[str, Any]:
    """The area's boundary as a GeoJSON geometry (WGS84)."""
    row = (await conn.execute(sql("area_geojson"), {"id": area.id})).scalar_one()
    return dict(orjson.loads(row))


async def indicator_catalogue(conn: AsyncConnection) -> dict[str, Any]:
    """Every indicator loaded: code, label, domain, source, vintage, unit, direction."""
    rows = (await conn.execute(sql("indicator_catalogue"))).mappings().all()
    return {"count": len(rows), "indicators": [dict(r) for r in rows]}


async def search_areas(
    conn: AsyncConnection,
    *,
    kind: str | None,
    q: str | None,
    programme: str | None,
    limit: int,
    offset: int,
    include_custom: bool = False,
) -> tuple[int, list[dict[str, Any]]]:
    """Areas matching a code prefix or part of a name, best first: an exact code or name,
    then larger kinds (:data:`~depmap.core.vocab.SEARCH_ORDER`), then names starting with
    the text, then names containing it. Custom areas only with ``include_custom`` (they are
    private: the API lists them to token holders)."""
    qq = q.strip() if q else None
    esc = qq.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") if qq else None
    params = {
        "kind": kind,
        "programme": programme,
        "q": qq or None,
        "q_prefix": f"{esc.upper()}%" if esc else None,
        "q_like": f"%{esc.lower()}%" if esc else None,
        "q_start": f"{esc.lower()}%" if esc else None,
        "kind_order": list(SEARCH_ORDER),
        "limit": limit,
        "offset": offset,
        "custom": include_custom,
    }
    rows = (await conn.execute(sql("area_search"), params)).mappings().all()
    if rows:
        total = int(rows[0]["total"])
    elif offset > 0:  # past the last page: the window count came back with no rows
        total = int((await conn.execute(sql("area_search_count"), params)).scalar() or 0)
    else:
        total = 0
    out = [
        {
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "vintage": r["vintage"],
            "programme": r["programme"],
            "population": r["population"],
            "area_km2": round(r["area_m2"] / 1e6, 6),
        }
        for r in rows
    ]
    return total, out
