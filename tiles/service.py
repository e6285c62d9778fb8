"""Tiles for the current data version: from memory, from disk, or cut once in PostGIS."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from depmap.core.settings import TileSettings
from depmap.core.sqlfiles import sql
from tiles.cache import Tile, TileCache, TileKey
from tiles.layers import Layer
from tiles.render import render_tile

log = logging.getLogger("depmap.tiles")


class TileService:
    """Gets tiles; many requests for the same missing tile cut it only once."""

    def __init__(self, engine: AsyncEngine, settings: TileSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.cache = TileCache(settings.cache_mb << 20, settings.cache_dir)
        self._inflight: dict[TileKey, asyncio.Future[Tile]] = {}
        self.rendered = 0

    async def warm(self) -> None:
        """Open a connection and make PostGIS set up its projections there (the first
        ST_Transform of a new backend costs ~100 ms), so the first tile is not slower."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sql("tile_warm", "tiles"))
        except Exception as e:  # the database may be down at start: tiles will say so later
            log.warning("tile warm-up failed", extra={"error": type(e).__name__})

    def on_version(self, version: int) -> None:
        """A load committed: forget every tile of older versions."""
        self.cache.clear()
        if self.settings.cache_dir is not None:
            # off the event loop: removing a large folder takes a while
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, self.cache.drop_versions_except, version)

    async def get(self, version: int, layer: Layer, z: int, x: int, y: int) -> Tile:
        key: TileKey = (version, layer.name, z, x, y)
        t = self.cache.get(key)
        if t is not None:
            return t
        fut = self._inflight.get(key)
        if fut is not None:
            return await asyncio.shield(fut)
        fut = asyncio.get_running_loop().create_future()
        self._inflight[key] = fut
        try:
            t = await self._load(key, layer)
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: no warning when nobody else waited
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(t)
        self.cache.put(key, t)
        return t

    async def _load(self, key: TileKey, layer: Layer) -> Tile:
        s = self.settings
        t = await asyncio.to_thread(self.cache.read_disk, key, s.max_age_s) if s.cache_dir else None
        if t is not None:
            return t
        self.cache.misses += 1
        _, _, z, x, y = key
        async with self.engine.connect() as conn:
            raw = await render_tile(conn, layer, z, x, y, s)
        self.rendered += 1
        if len(raw) > s.max_tile_bytes:
            log.warning(
                "tile over the size limit",
                extra={"tile": f"{layer.name}/{z}/{x}/{y}", "bytes": len(raw)},
            )
        if len(raw) > 65536:  # gzip of a large tile off the event loop
            t = await asyncio.to_thread(Tile.make, raw, s.max_age_s)
        else:
            t = Tile.make(raw, s.max_age_s)
        if s.cache_dir is not None:
            await asyncio.to_thread(self.cache.write_disk, key, t)
        return t
