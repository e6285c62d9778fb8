"""Attaching boundaries to lists of areas: WGS84 GeoJSON for ``?format=geojson``, the
stored British National Grid geometry for ``?format=gpkg``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from queries.db import sql


async def features_for(
    conn: AsyncConnection,
    items: Sequence[dict[str, Any]],
    *,
    kind: str | None = None,
    extra: dict[str, Any] | None = None,
    simplify_m: float = 0.0,
) -> dict[str, Any]:
    """A FeatureCollection of ``items`` (dicts with ``code`` and ``kind`` or a given kind)."""
    codes = [i["code"] for i in items]
    kinds = [kind or i["kind"] for i in items]
    rows = (
        await conn.execute(
            sql("geojson_by_codes"), {"codes": codes, "kinds": kinds, "tol": simplify_m}
        )
    ).all()
    geoms = {(k, c): g for k, c, g in rows}
    feats = [
        {
            "type": "Feature",
            "id": i["code"],
            "geometry": orjson.loads(geoms[(kinds[n], i["code"])])
            if (kinds[n], i["code"]) in geoms
            else None,
            "properties": i,
        }
        for n, i in enumerate(items)
    ]
    return {"type": "FeatureCollection", **(extra or {}), "features": feats}


async def area_wkb(
    conn: AsyncConnection, items: Sequence[dict[str, Any]], *, kind: str | None = None
) -> list[bytes | None]:
    """The stored boundary (EPSG:27700, WKB) of each of ``items`` (dicts with ``code`` and
    ``kind`` or a given kind), in their order; None where there is none."""
    codes = [i["code"] for i in items]
    kinds = [kind or i["kind"] for i in items]
    rows = (await conn.execute(sql("area_wkb"), {"codes": codes, "kinds": kinds})).all()
    geoms = {(k, c): bytes(g) for k, c, g in rows}
    return [geoms.get((k, c)) for k, c in zip(kinds, codes, strict=True)]
