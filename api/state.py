"""What the running service holds: settings, the database engine, the data version and
the caches. One typed object on ``app.state``; routes reach it through the
dependencies of :mod:`api.deps`, never through ``app.state`` themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.cache import LRU, DataVersion, ResponseCache
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
    engine: AsyncEngine | None = None
    data_version: DataVersion | None = None
    tiles: TileService | None = None

    def open(self, engine: AsyncEngine) -> None:
        """Attach the engine and what depends on it; caches are dropped on a new version."""
        self.engine = engine
        self.data_version = DataVersion(engine, self.settings.version_check_interval_s)
        self.tiles = TileService(engine, self.tile_settings)
        self.data_version.on_change(lambda _v: self.response_cache.clear())
        self.data_version.on_change(lambda _v: self.gi_cache.clear())
        self.data_version.on_change(lambda _v: self.series_cache.clear())
        self.data_version.on_change(self.tiles.on_version)

    def fast_tiles(self) -> FastTiles | None:
        """What :class:`tiles.fastpath.TileFastPath` answers from (None: stand aside)."""
        if self.tiles is None or self.data_version is None or self.settings.read_token_required:
            return None
        version = self.data_version.value
        if version is None:
            return None
        return FastTiles(self.tiles.cache, version, bool(self.settings.cors_origins))
