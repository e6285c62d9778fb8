"""Typed dependencies: the service's state and settings, the data version, auth, path
and query parameters shared by routes, and answering from the cache.

This is the one module that reads ``app.state``; routes ask for what they need with
the ``*Dep`` aliases.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.responses import Response

from api.cache import Entry, ResponseCache
from api.state import Services
from depmap.core.errors import DatabaseUnavailable, Forbidden, NotLoaded, Unauthorized
from depmap.core.replicas import Databases
from depmap.core.settings import ApiSettings, TileSettings
from depmap.core.vocab import AREA_KINDS
from queries.formats import dumps, to_csv
from tiles.service import TileService


def get_services(request: Request) -> Services:
    """The service's state (:class:`api.state.Services`)."""
    svc: Services = request.app.state.services
    return svc


def get_settings(request: Request) -> ApiSettings:
    return get_services(request).settings


def get_tile_settings(request: Request) -> TileSettings:
    return get_services(request).tile_settings


def get_engine(request: Request) -> AsyncEngine:
    """The primary's engine (writes)."""
    engine = get_services(request).engine
    if engine is None:  # only before the lifespan has run
        raise DatabaseUnavailable("the service is starting; try again in a few seconds")
    return engine


def get_tiles(request: Request) -> TileService:
    tiles = get_services(request).tiles
    if tiles is None:
        raise DatabaseUnavailable("the service is starting; try again in a few seconds")
    return tiles


def get_databases(request: Request) -> Databases:
    dbs = get_services(request).databases
    if dbs is None:
        raise DatabaseUnavailable("the service is starting; try again in a few seconds")
    return dbs


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
TileSettingsDep = Annotated[TileSettings, Depends(get_tile_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
TilesDep = Annotated[TileService, Depends(get_tiles)]
DatabasesDep = Annotated[Databases, Depends(get_databases)]


def _token_ok(request: Request, settings: ApiSettings) -> bool:
    expected = settings.api_token.get_secret_value() if settings.api_token else None
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if not expected or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


async def require_write(request: Request, settings: SettingsDep) -> None:
    """Writes need ``Authorization: Bearer <DEPMAP_API_TOKEN>`` (constant-time check)."""
    if not settings.api_token:
        raise Forbidden("writes are disabled: the server has no DEPMAP_API_TOKEN")
    if not request.headers.get("authorization"):
        raise Unauthorized("this needs a bearer token (Authorization: Bearer <token>)")
    if not _token_ok(request, settings):
        raise Unauthorized("the bearer token is not valid")


async def require_read(request: Request, settings: SettingsDep) -> None:
    """Reads are open unless DEPMAP_READ_TOKEN_REQUIRED is set."""
    if settings.read_token_required and not _token_ok(request, settings):
        raise Unauthorized("reads need a bearer token on this server")


AreaIdPath = Annotated[
    str,
    Path(
        description="GSS code (E54000008, E01000001, ...) or the id of a programme or custom area",
        min_length=1,
        max_length=100,
    ),
]
AreaKindQuery = Annotated[
    str | None,
    Query(
        description="Which kind to take when a code names several (an LSOA21 and an LSOA11 "
        "can share a code): " + ", ".join(AREA_KINDS),
        pattern="^(" + "|".join(AREA_KINDS) + ")$",
    ),
]


def reads_own_writes(request: Request) -> bool:
    """Reads about a custom area go to the primary: it was written there a moment ago,
    and a replica may not have it yet."""
    area = request.path_params.get("area_id") or request.query_params.get("area") or ""
    return is_custom_code(str(area))


def data_version(request: Request) -> int:
    """The data version reads are served at now, or 503 while there is none (no database
    answers, or nothing is loaded)."""
    dbs = get_databases(request)
    v = dbs.version_for(primary=reads_own_writes(request))
    if v is None:
        if not dbs.db_ok:
            raise DatabaseUnavailable("the database is unavailable; try again in a few seconds")
        raise NotLoaded("the database has no depmap data yet: run `depmap load all`")
    return v


def is_custom_code(code: str) -> bool:
    """Custom areas (ids ``c-...``) can be deleted, so their answers are never cached."""
    return code.startswith("c-")


def cache_scope(request: Request) -> str:
    """'private' when reads need a token (shared caches must not keep them), else 'public'."""
    return "private" if get_settings(request).read_token_required else "public"


def entry_response(
    request: Request,
    entry: Entry,
    *,
    max_age: int = 60,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """The cached entry as a response; 304 when the client already has it."""
    headers = {
        "ETag": entry.etag,
        "Cache-Control": f"{cache_scope(request)}, max-age={max_age}",
        **dict(entry.headers),
        **(extra_headers or {}),
    }
    if entry.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    inm = request.headers.get("if-none-match")
    if inm and entry.etag in {t.strip() for t in inm.split(",")}:
        return Response(status_code=304, headers=headers)
    if entry.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(entry.gzipped, media_type=entry.media_type, headers=headers)
    return Response(entry.body, media_type=entry.media_type, headers=headers)


async def answer(
    request: Request,
    key: tuple[object, ...],
    compute: Callable[[AsyncConnection], Awaitable[object]],
    *,
    cacheable: bool = True,
    media_type: str = "application/json",
    render: Callable[[object], bytes] = dumps,
    filename: str | None = None,
) -> Response:
    """Answer from the cache (per data version) or compute on a snapshot of a reader.

    ``compute`` runs in one REPEATABLE READ transaction (on a read replica when
    there are some, on the primary for a custom area) and the answer is cached under the
    data version that transaction saw, which ``compute`` can read with
    :func:`depmap.core.replicas.snapshot_version`; the answer says it in ``X-Data-Version``.
    """
    version = data_version(request)
    dbs = get_databases(request)
    primary = reads_own_writes(request)

    async def make() -> tuple[int, Entry]:
        async def run(conn: AsyncConnection) -> bytes:
            return render(await compute(conn))

        seen, body = await dbs.read(run, primary=primary)
        hdrs: tuple[tuple[str, str], ...] = (("X-Data-Version", str(seen)),)
        if filename:
            hdrs += (("Content-Disposition", f'attachment; filename="{filename}"'),)
        if len(body) > 256 << 10:  # compressing a large answer: off the event loop
            return seen, await asyncio.to_thread(Entry.make, body, media_type, hdrs)
        return seen, Entry.make(body, media_type, hdrs)

    if not cacheable:
        _, e = await make()
        return entry_response(request, e, max_age=0)
    cache: ResponseCache = get_services(request).response_cache
    e = await cache.get_or_compute(version, key, make)
    return entry_response(request, e)


async def answer_in(
    request: Request,
    key: tuple[object, ...],
    compute: Callable[[AsyncConnection], Awaitable[object]],
    fmt: str,
    *,
    rows: str,
    columns: Sequence[str],
    filename: str,
    cacheable: bool = True,
) -> Response:
    """:func:`answer` in the asked format: JSON, GeoJSON (``compute`` made a
    FeatureCollection) or CSV of ``compute()[rows]`` with ``columns``."""
    if fmt == "csv":
        return await answer(
            request,
            (*key, "csv"),
            compute,
            cacheable=cacheable,
            media_type="text/csv; charset=utf-8",
            render=lambda d: to_csv(d[rows], columns).encode(),  # type: ignore[index]
            filename=f"{filename}.csv",
        )
    media = "application/geo+json" if fmt == "geojson" else "application/json"
    return await answer(request, (*key, fmt), compute, cacheable=cacheable, media_type=media)


#: The data version reads are served at now (503 while there is none).
VersionDep = Annotated[int, Depends(data_version)]
