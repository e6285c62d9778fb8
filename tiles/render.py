"""Cutting one tile in PostGIS (``ST_AsMVT``) with the SQL of its layer and zoom."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.schema import TILE_FULL_BAND
from depmap.core.settings import TileSettings
from tiles.columns import tile_sql
from tiles.grid import band_for_zoom, pixel_m
from tiles.layers import Layer

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


def tile_query(
    layer: Layer, z: int, x: int, y: int, s: TileSettings
) -> tuple[str, dict[str, object]]:
    """The SQL file and bound values that cut tile ``z/x/y`` of ``layer``."""
    band = band_for_zoom(z)
    params: dict[str, object] = {
        "z": z,
        "x": x,
        "y": y,
        "extent": s.extent,
        "buffer": s.buffer,
        "margin": s.buffer / s.extent,
    }
    if band is not None:
        params["band"] = band
    elif layer.lsoa:
        params["band"] = TILE_FULL_BAND
    else:
        params["seg"] = pixel_m(z) * 32  # the tile's edge in 8 pieces
    if not layer.lsoa:
        params["kind"] = layer.kind
        params["layer"] = layer.name
    name = ("tile_lsoa" if layer.lsoa else "tile_area") + ("_full" if band is None else "_band")
    return name, params


async def render_tile(
    conn: AsyncConnection, layer: Layer, z: int, x: int, y: int, s: TileSettings
) -> bytes:
    """The tile's MVT bytes (empty when it holds no feature)."""
    name, params = tile_query(layer, z, x, y, s)
    data = (await conn.execute(tile_sql(name), params)).scalar()
    return bytes(data) if data else b""
