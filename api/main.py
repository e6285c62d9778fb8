"""The FastAPI application: settings, database pool and caches opened in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from api import errors
from api.cache import ResponseCache
from api.deps import require_read, strict_query
from api.middleware import BodyLimit, RejectNul
from api.models import ERRORS
from api.routes import (
    areas,
    change,
    deprivation,
    docs,
    evaluation,
    health,
    hotspots,
    ogc,
    overlaps,
    programmes,
)
from api.routes import map as map_routes
from api.routes import tiles as tile_routes
from api.state import Services
from depmap import __version__
from depmap.core import logs
from depmap.core.replicas import Databases
from depmap.core.settings import (
    DEV_DATABASE_URL,
    ApiSettings,
    DatabaseSettings,
    TileSettings,
    api_settings,
    database_settings,
    tile_settings,
)
from tiles.fastpath import TileFastPath

DESCRIPTION = """
Where deprivation concentrates at hyperlocal scale in England, and how it lines up
with the NHS (ICBs, sub-ICB locations, PCNs) and with community programmes.

Every area is weighted over 2021 LSOAs; overlaps, IoD summary measures, hotspots and
tiles are all computed from those weights. Data: English Indices of Deprivation 2025
(MHCLG), Census 2021 and ONS geography (ONS), NHS England; Open Government Licence v3.

GIS tools (QGIS, ArcGIS Pro, GDAL, R's sf) can add the areas as layers through the
OGC API - Features at `/ogc`, described by its own OpenAPI document at `/ogc/api`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    svc: Services = app.state.services
    dbs = Databases.from_settings(svc.db_settings, svc.settings.version_check_interval_s)
    svc.open(dbs)
    assert svc.tiles is not None
    await dbs.refresh()
    await svc.tiles.warm()
    await svc.read_ahead()
    dbs.start()
    try:
        yield
    finally:
        await dbs.stop()
        await svc.close()
        await dbs.dispose()


def optional_token_for_reads(app: FastAPI) -> None:
    """In the OpenAPI document, reads take the bearer token but do not need it (it opens
    private custom areas): their security is "none, or bearer". Writes need it."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for ops in make()["paths"].values():
                for method, op in ops.items():
                    if method in ("get", "head") and op.get("security"):
                        op["security"] = [{}, *op["security"]]
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    settings: ApiSettings | None = None,
    db_settings: DatabaseSettings | None = None,
    tiles: TileSettings | None = None,
) -> FastAPI:
    s = settings or api_settings()
    dbs = db_settings or database_settings()
    if s.env == "production" and str(dbs.url) == DEV_DATABASE_URL:
        raise RuntimeError(
            "DATABASE_URL must be set when DEPMAP_ENV=production "
            "(the default is the development database)"
        )
    logs.setup()
    app = FastAPI(
        title="depmap",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.routes.docs from vendored assets (no CDN)
        redoc_url=None,
    )
    app.state.services = Services(
        settings=s,
        db_settings=dbs,
        tile_settings=tiles or tile_settings(),
        response_cache=ResponseCache(s.response_cache_entries, s.response_cache_mb << 20),
    )
    errors.install(app)
    app.include_router(docs.router)  # open, like /openapi.json
    strict = [Depends(strict_query)]  # unknown or repeated query parameters: 422
    app.include_router(health.router, dependencies=strict)  # open: monitors use it
    reads = [*strict, Depends(require_read)]  # open unless DEPMAP_READ_TOKEN_REQUIRED
    for r in (
        areas.router,
        overlaps.router,
        deprivation.router,
        hotspots.router,
        tile_routes.router,
        map_routes.router,
        programmes.router,
        change.router,
        evaluation.router,
    ):
        app.include_router(r, dependencies=reads, responses=ERRORS)
    # OGC API - Features: a router of its own that checks its parameters itself (400 for an
    # unknown, repeated or bad one, as that standard says, not strict_query's 422),
    # described by its own OpenAPI document at /ogc/api rather than /openapi.json
    app.include_router(ogc.router, dependencies=[Depends(require_read)], include_in_schema=False)
    map_routes.mount_static(app)
    if not s.read_token_required:
        optional_token_for_reads(app)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    if s.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=s.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, max_bytes=s.max_body_bytes)
    app.add_middleware(RejectNul)
    # outermost: cached tiles skip everything else
    app.add_middleware(TileFastPath, source=app.state.services.fast_tiles)
    return app
