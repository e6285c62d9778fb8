"""Pre-rendering tiles into the disk cache the service reads (``depmap tiles seed``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.db import data_version, make_async_engine
from depmap.core.errors import NotLoaded
from depmap.core.replicas import Databases
from depmap.core.settings import tile_settings
from depmap.core.sqlfiles import sql
from tiles.grid import tiles_for_bbox
from tiles.layers import get_layer
from tiles.service import TileService
from tiles.tilejson import ENGLAND_BOUNDS

Tile = tuple[int, int, int]


@dataclass(frozen=True)
class Over:
    """Seed only the tiles that meet this area (its id, and its lon/lat box)."""

    area_id: int
    bbox: tuple[float, float, float, float]


async def tiles_to_seed(conn: AsyncConnection, zooms: list[int], over: Over | None) -> list[Tile]:
    """The tiles over England at ``zooms``, or only those that meet an area's boundary."""
    if over is None:
        return list(tiles_for_bbox(ENGLAND_BOUNDS, zooms))
    cand = list(tiles_for_bbox(over.bbox, zooms))
    keep = await conn.execute(
        sql("tiles_over_area", "tiles"),
        {
            "z": [t[0] for t in cand],
            "x": [t[1] for t in cand],
            "y": [t[2] for t in cand],
            "id": over.area_id,
        },
    )
    return sorted((int(z), int(x), int(y)) for z, x, y in keep)


async def seed(
    layer_name: str,
    zooms: list[int],
    over: Over | None,
    cache_dir: Path,
    concurrency: int,
    *,
    on_start: Callable[[int, int], None] = lambda n, version: None,
    on_tile: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Cut every tile of ``layer_name`` at ``zooms`` (those meeting ``over`` only, if given)
    into ``cache_dir`` for the current data version; statistics of what was written.
    ``on_start(tiles, version)`` and ``on_tile()`` report progress."""
    layer = get_layer(layer_name)
    s = tile_settings().model_copy(update={"cache_dir": cache_dir})
    engine = make_async_engine()
    try:
        async with engine.connect() as conn:
            version = await conn.run_sync(data_version)
            if version == 0:
                raise NotLoaded("no data is loaded: run `depmap load all` first")
            tiles = await tiles_to_seed(conn, zooms, over)
        service = TileService(Databases(engine, interval_s=0), s)
        queue: asyncio.Queue[Tile] = asyncio.Queue()
        for t in tiles:
            queue.put_nowait(t)
        stats: dict[str, Any] = {
            "tiles": len(tiles),
            "empty": 0,
            "bytes": 0,
            "largest": 0,
            "largest_tile": "",
        }
        on_start(len(tiles), version)

        async def worker() -> None:
            while not queue.empty():
                z, x, y = queue.get_nowait()
                tile = await service.get(version, layer, z, x, y)
                service.cache.clear()  # the disk holds them; keep memory flat
                n = len(tile.raw)
                stats["bytes"] += n
                stats["empty"] += n == 0
                if n > stats["largest"]:
                    stats["largest"], stats["largest_tile"] = n, f"{z}/{x}/{y}"
                on_tile()

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        stats["version"] = version
        stats["rendered"] = service.rendered
        return stats
    finally:
        await engine.dispose()
