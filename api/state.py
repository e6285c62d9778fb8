"""What the running service holds: settings, the databases (primary and read replicas,
with the data version each serves) and the caches. One typed object on ``app.state``;
routes reach it through the dependencies of :mod:`api.deps`, never through ``app.state``
themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.cache import LRU, ResponseCache
from depmap.core.replicas import Databases
from depmap.core.settings import ApiSettings, DatabaseSettings, TileSettings
from tiles.fastpath import FastTiles
from tiles.service import TileService

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

    def fast_tiles(self) -> FastTiles | None:
        """What :class:`tiles.fastpath.TileFastPath` answers from (None: stand aside)."""
        if self.tiles is None or self.databases is None or self.settings.read_token_required:
            return None
        version = self.databases.value
        if version is None:
            return None
        return FastTiles(self.tiles.cache, version, bool(self.settings.cors_origins))
