"""What the running service holds: settings, the databases (primary and read replicas,
with the data version each serves) and the caches. One typed object on ``app.state``;
routes reach it through the dependencies of :mod:`api.deps`, never through ``app.state``
themselves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.cache import LRU, ResponseCache
from depmap.core.errors import ServiceError
from depmap.core.replicas import Databases, snapshot_version
from depmap.core.settings import ApiSettings, DatabaseSettings, TileSettings
from queries.directory import AreaDirectory
from tiles.fastpath import FastTiles
from tiles.service import TileService

log = logging.getLogger("depmap.api")

#: Gi* permutation runs kept per worker (per data version, area, unit and domain).
GI_RUNS = 256


@dataclass
class Services:
    settings: ApiSettings
    db_settings: DatabaseSettings
    tile_settings: TileSettings
    response_cache: ResponseCache
    gi_cache: LRU[tuple[object, ...], Any] = field(default_factory=lambda: LRU(GI_RUNS))
    #: England's series and the national frame of evaluations, per data version
    series_cache: LRU[tuple[object, ...], Any] = field(default_factory=lambda: LRU(4))
    #: the loaded areas' attributes, per data version (see queries.directory)
    directories: LRU[int, AreaDirectory] = field(default_factory=lambda: LRU(2))
    _directory_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _warming: asyncio.Task[None] | None = None
    #: opened by the lifespan
    databases: Databases | None = None
    tiles: TileService | None = None

    @property
    def engine(self) -> AsyncEngine | None:
        """The primary's engine: writes (custom areas) go there."""
        return self.databases.primary.engine if self.databases else None

    def open(self, databases: Databases) -> None:
        """Attach the databases and what depends on them; when reads move to a newer data
        version, answers and tiles of older ones are dropped."""
        self.databases = databases
        self.tiles = TileService(databases, self.tile_settings)
        databases.on_change(self.response_cache.drop_older)
        databases.on_change(lambda _v: self.gi_cache.clear())
        databases.on_change(lambda _v: self.series_cache.clear())
        databases.on_change(self.tiles.on_version)

    async def area_directory(self, conn: AsyncConnection, version: int) -> AreaDirectory:
        """The areas of ``version``, read with ``conn`` (a snapshot at that version) the
        first time; one reader at a time: concurrent first requests wait for it rather than
        each reading. The two latest versions are kept (a lagging replica may still serve
        the older one)."""
        found = self.directories.get(version)
        if found is None:
            async with self._directory_lock:
                found = self.directories.get(version)
                if found is None:
                    found = await AreaDirectory.read(conn)
                    self.directories.put(version, found)
        return found

    async def read_ahead(self) -> None:
        """Read the areas now and again whenever reads move to a new data version, so
        that requests do not wait for them (called once every database was probed: a
        listener of the first probes would read from whichever answered first)."""
        await self.warm_directory()
        if self.databases is not None:
            self.databases.on_change(lambda _v: self._warm_soon())

    def _warm_soon(self) -> None:
        """After a load: read the new version's areas now, not on a request's time."""
        if self._warming is None or self._warming.done():
            self._warming = asyncio.get_running_loop().create_task(self.warm_directory())

    async def close(self) -> None:
        """Stop what runs in the background (the lifespan's end)."""
        if self._warming is not None:
            self._warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._warming

    async def warm_directory(self) -> None:
        """Read the areas of the version reads are served at before a request asks (the
        service starts anyway if no database answers yet)."""
        if self.databases is None:
            return

        async def read(conn: AsyncConnection) -> None:
            await self.area_directory(conn, snapshot_version(conn))

        try:
            await self.databases.read(read)
        except (OSError, SQLAlchemyError, ServiceError):
            log.warning("areas not read ahead: the first request that needs them reads them")

    def fast_tiles(self) -> FastTiles | None:
        """What :class:`tiles.fastpath.TileFastPath` answers from (None: stand aside)."""
        if self.tiles is None or self.databases is None or self.settings.read_token_required:
            return None
        version = self.databases.value
        if version is None:
            return None
        return FastTiles(self.tiles.cache, version, bool(self.settings.cors_origins))
