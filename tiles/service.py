"""Tiles for the current data version: from memory, from disk, or cut once in PostGIS
(on a read replica when there are some; :class:`depmap.core.replicas.Databases`)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.replicas import Databases
from depmap.core.settings import TileSettings
from depmap.core.sqlfiles import sql
from tiles.cache import Tile, TileCache, TileKey
from tiles.layers import Layer
from tiles.render import render_tile

log = logging.getLogger("depmap.tiles")


class TileService:
    """Gets tiles; many requests for the same missing tile cut it only once."""

    def __init__(self, databases: Databases, settings: TileSettings) -> None:
        self.databases = databases
        self.settings = settings
        self.cache = TileCache(settings.cache_mb << 20, settings.cache_dir)
        self._inflight: dict[TileKey, asyncio.Future[Tile]] = {}
        self.rendered = 0

    async def warm(self) -> None:
        """Open a connection to each database and make PostGIS set up its projections there
        (the first ST_Transform of a new backend costs ~100 ms), so the first tile is not
        slower."""
        for b in self.databases.backends:
            try:
                async with b.engine.connect() as conn:
                    await conn.execute(sql("tile_warm", "tiles"))
            except Exception as e:  # a database may be down at start: tiles will say so later
                log.warning(
                    "tile warm-up failed", extra={"database": b.name, "error": type(e).__name__}
                )

    def on_version(self, version: int) -> None:
        """Reads moved to ``version``: forget every tile of older versions."""
        self.cache.drop_older(version)
        if self.settings.cache_dir is not None:
            # off the event loop: removing a large folder takes a while
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, self.cache.drop_versions_below, version)

    async def get(self, version: int, layer: Layer, z: int, x: int, y: int) -> Tile:
        """The tile of ``version`` (the version reads are served at); cut on a snapshot of
        a newer version when the database has moved on, and cached under that one."""
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
            seen, t = await self._load(key, layer)
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: no warning when nobody else waited
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(t)
        self.cache.put((seen, *key[1:]), t)
        return t

    async def _load(self, key: TileKey, layer: Layer) -> tuple[int, Tile]:
        s = self.settings
        t = await asyncio.to_thread(self.cache.read_disk, key, s.max_age_s) if s.cache_dir else None
        if t is not None:
            return key[0], t
        self.cache.misses += 1
        _, name, z, x, y = key

        async def cut(conn: AsyncConnection) -> bytes:
            return await render_tile(conn, layer, z, x, y, s)

        seen, raw = await self.databases.read(cut)
        key = (seen, name, z, x, y)
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
        return seen, t
