"""TileJSON 3.0 documents of the tile layers."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.schema import TILE_FULL_ZOOM
from depmap.core.settings import TileSettings
from depmap.core.sqlfiles import sql
from tiles.layers import LSOA_FIELDS_DETAIL, Layer

#: England's lon/lat bounds, for layers that have no areas yet.
ENGLAND_BOUNDS = (-6.42, 49.86, 1.77, 55.81)
ATTRIBUTION = (
    "Contains National Statistics and OS data © Crown copyright and database right 2021-2025; "
    "English Indices of Deprivation 2025 © MHCLG; NHS geography © NHS England (OGL v3)"
)


def tilejson(
    layer: Layer,
    base_url: str,
    version: int,
    bounds: tuple[float, float, float, float] | None,
    s: TileSettings,
) -> dict[str, Any]:
    """The TileJSON 3.0.0 document of ``layer`` (tile URLs carry the data version)."""
    w, so, e, n = bounds or ENGLAND_BOUNDS
    return {
        "tilejson": "3.0.0",
        "name": layer.name,
        "description": layer.title,
        "version": f"1.0.{version}",
        "attribution": ATTRIBUTION,
        "scheme": "xyz",
        "tiles": [f"{base_url.rstrip('/')}/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.mvt?v={version}"],
        "minzoom": s.min_zoom,
        "maxzoom": s.max_zoom,
        "bounds": [round(w, 5), round(so, 5), round(e, 5), round(n, 5)],
        "center": [round((w + e) / 2, 5), round((so + n) / 2, 5), 6],
        "vector_layers": [vector_layer(layer, s.min_zoom, s.max_zoom)],
    }


def vector_layer(layer: Layer, minzoom: int, maxzoom: int) -> dict[str, Any]:
    """The ``vector_layers`` entry of a layer (TileJSON, PMTiles metadata): its fields
    described."""
    fields = dict(layer.fields)
    if layer.lsoa:
        for k in LSOA_FIELDS_DETAIL:
            fields[k] = f"{fields[k]} (from zoom {TILE_FULL_ZOOM})"
    return {
        "id": layer.name,
        "description": layer.title,
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "fields": fields,
    }


async def layer_bounds(
    conn: AsyncConnection, layer: Layer
) -> tuple[float, float, float, float] | None:
    """The lon/lat bounds of the areas a layer draws (None when it has none)."""
    row = (await conn.execute(sql("tile_layer_bounds", "tiles"), {"kind": layer.kind})).first()
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3])) if row else None
