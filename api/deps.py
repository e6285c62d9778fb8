"""Typed dependencies: the service's state and settings, the data version, auth, path
and query parameters shared by routes, and answering from the cache.

This is the one module that reads ``app.state``; routes ask for what they need with
the ``*Dep`` aliases.
"""

from __future__ import annotations

import asyncio
import hmac
import types
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.responses import Response

from api.cache import Entry, ResponseCache
from api.state import Services
from depmap.core.errors import (
    DatabaseUnavailable,
    Forbidden,
    InvalidParameter,
    NotLoaded,
    Unauthorized,
)
from depmap.core.replicas import Databases, snapshot_version
from depmap.core.settings import ApiSettings, TileSettings
from depmap.core.vocab import AREA_KINDS
from queries.areas import Area, get_area
from queries.custom import CUSTOM_PREFIXES, PRIVATE_PREFIX
from queries.directory import AreaDirectory
from queries.features import area_wkb
from queries.formats import dumps, to_csv
from queries.geopackage import GPKG_MEDIA_TYPE, layer_name, to_gpkg
from queries.workbook import XLSX_MEDIA_TYPE, Provenance, Sheet, provenance, to_xlsx
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


T = TypeVar("T")


def coroutine(get: Callable[[Request], T]) -> Callable[[Request], Awaitable[T]]:
    """``get`` as a dependency FastAPI awaits: it runs a plain function (or a class) given
    to ``Depends`` in its thread pool, a thread hop on every request for what is an
    attribute read."""

    async def dependency(request: Request) -> T:
        return get(request)

    dependency.__name__ = get.__name__
    return dependency


ServicesDep = Annotated[Services, Depends(coroutine(get_services))]
SettingsDep = Annotated[ApiSettings, Depends(coroutine(get_settings))]
TileSettingsDep = Annotated[TileSettings, Depends(coroutine(get_tile_settings))]
EngineDep = Annotated[AsyncEngine, Depends(coroutine(get_engine))]
TilesDep = Annotated[TileService, Depends(coroutine(get_tiles))]
DatabasesDep = Annotated[Databases, Depends(coroutine(get_databases))]


def _token_ok(request: Request, settings: ApiSettings) -> bool:
    expected = settings.api_token.get_secret_value() if settings.api_token else None
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if not expected or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


#: The bearer scheme in the OpenAPI document ("Authorize" in /docs). The header is checked
#: by :func:`_token_ok`; this only declares it (and never answers by itself).
bearer = HTTPBearer(
    scheme_name="bearer",
    description="The server's DEPMAP_API_TOKEN: needed to store and delete custom areas and "
    "to list or read private ones, and for every read where DEPMAP_READ_TOKEN_REQUIRED is set",
    auto_error=False,
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def require_write(request: Request, settings: SettingsDep, _: BearerDep) -> None:
    """Writes need ``Authorization: Bearer <DEPMAP_API_TOKEN>`` (constant-time check)."""
    if not settings.api_token:
        raise Forbidden("writes are disabled: the server has no DEPMAP_API_TOKEN")
    if not request.headers.get("authorization"):
        raise Unauthorized("this needs a bearer token (Authorization: Bearer <token>)")
    if not _token_ok(request, settings):
        raise Unauthorized("the bearer token is not valid")


async def require_read(request: Request, settings: SettingsDep, _: BearerDep) -> None:
    """Reads are open unless DEPMAP_READ_TOKEN_REQUIRED is set."""
    if settings.read_token_required and not _token_ok(request, settings):
        raise Unauthorized("reads need a bearer token on this server")


def _repeatable(annotation: Any) -> bool:
    """Whether a query parameter takes a list (``kind=a&kind=b``)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_repeatable(a) for a in get_args(annotation) if a is not type(None))
    return get_origin(annotation) in (list, tuple, set, frozenset)


#: per route (by id: routes live as long as the app): its query parameters
_DECLARED: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _declared_query(route: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters a route takes (its own and its dependencies'), and those of
    them that may be repeated."""
    got = _DECLARED.get(id(route))
    if got is not None:
        return got
    names: set[str] = set()
    lists: set[str] = set()
    stack = [route.dependant]
    while stack:
        d = stack.pop()
        for f in d.query_params:
            names.add(f.alias)
            if _repeatable(f.field_info.annotation):
                lists.add(f.alias)
        stack.extend(d.dependencies)
    got = _DECLARED[id(route)] = (frozenset(names), frozenset(lists))
    return got


async def strict_query(request: Request) -> None:
    """Unknown or repeated query parameters are a 422 naming them and listing the ones the
    route takes: ``?year=2019`` or ``kind=sicbl&kind=ltla`` are not ignored in silence."""
    route = request.scope.get("route")
    if route is None or not request.scope.get("query_string") or not hasattr(route, "dependant"):
        return
    allowed, lists = _declared_query(route)
    keys = [k for k, _ in request.query_params.multi_items()]
    unknown = sorted({k for k in keys if k not in allowed})
    repeated = sorted({k for k in keys if k in allowed and k not in lists and keys.count(k) > 1})
    if not unknown and not repeated:
        return
    takes = f"This route takes: {', '.join(sorted(allowed))}" if allowed else "It takes none"
    problems = [f"unknown query parameter {k!r}" for k in unknown]
    problems += [
        f"{k!r} is given {keys.count(k)} times ("
        + ", ".join(f"{k}={v}" for v in request.query_params.getlist(k))
        + "): give it once"
        for k in repeated
    ]
    raise InvalidParameter(
        "; ".join(problems) + f". {takes}",
        unknown=unknown,
        repeated=repeated,
        allowed=sorted(allowed),
    )


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
    """Custom areas (ids ``c-...``, shared ones ``s-...``) can be deleted, so their answers
    are never cached. (Programme ids have a ``:``.)"""
    return code.startswith(CUSTOM_PREFIXES) and ":" not in code


def is_private_code(code: str) -> bool:
    """Private custom areas (``c-...``): only token holders list or read them."""
    return code.startswith(PRIVATE_PREFIX) and ":" not in code


def has_token(request: Request) -> bool:
    """Whether the request carries the server's bearer token."""
    return _token_ok(request, get_settings(request))


def check_readable(request: Request, code: str | None) -> None:
    """401 for a private custom area without the token (whether or not it exists)."""
    if code and is_private_code(code) and not has_token(request):
        raise Unauthorized(
            "custom areas are private: reading one needs the bearer token "
            "(or its shared id, from POST /areas?shared=true)"
        )


async def readable_area_id(request: Request, area_id: AreaIdPath) -> str:
    """The area id of the path, once the request may read it (:func:`check_readable`)."""
    check_readable(request, area_id)
    return area_id


#: An area id the request may read: a private custom area needs the token.
ReadableAreaId = Annotated[str, Depends(readable_area_id)]


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
    headers: dict[str, str] | None = None,
    render_in_thread: bool = False,
) -> Response:
    """Answer from the cache (per data version) or compute on a snapshot of a reader.

    ``compute`` runs in one REPEATABLE READ transaction (on a read replica when
    there are some, on the primary for a custom area) and the answer is cached under the
    data version that transaction saw, which ``compute`` can read with
    :func:`depmap.core.replicas.snapshot_version`; the answer says it in ``X-Data-Version``.
    ``headers`` are sent with the answer (and kept with it in the cache).
    The answer is rendered once the connection is back in the pool; ``render_in_thread``:
    rendering is slow work (files), kept off the event loop.
    """
    version = data_version(request)
    dbs = get_databases(request)
    primary = reads_own_writes(request)

    async def make() -> tuple[int, Entry]:
        seen, data = await dbs.read(compute, primary=primary)
        body = await asyncio.to_thread(render, data) if render_in_thread else render(data)
        hdrs: tuple[tuple[str, str], ...] = (
            ("X-Data-Version", str(seen)),
            *(headers or {}).items(),
        )
        if filename:
            hdrs += (("Content-Disposition", f'attachment; filename="{filename}"'),)
        if len(body) > 256 << 10:  # compressing a large answer: off the event loop
            return seen, await asyncio.to_thread(Entry.make, body, media_type, hdrs)
        return seen, Entry.make(body, media_type, hdrs)

    if not cacheable:  # custom areas and searches: for this client only
        _, e = await make()
        return entry_response(
            request, e, max_age=0, extra_headers={"Cache-Control": "private, max-age=0"}
        )
    cache: ResponseCache = get_services(request).response_cache
    e = await cache.get_or_compute(version, key, make)
    return entry_response(request, e)


def _facts(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """What a workbook's About sheet repeats of the answer: its top-level values (the
    parameters, counts, method)."""
    return [(k, v) for k, v in data.items() if isinstance(v, str | int | float | bool)]


async def answer_in(
    request: Request,
    key: tuple[object, ...],
    compute: Callable[[AsyncConnection], Awaitable[Any]],
    fmt: str,
    *,
    filename: str,
    rows: str = "",
    columns: Sequence[str] = (),
    kind: str | None = None,
    sheets: Callable[[Any], Sequence[Sheet]] | None = None,
    cacheable: bool = True,
) -> Response:
    """:func:`answer` in the asked format: JSON, GeoJSON (``compute`` made a
    FeatureCollection), or of the table ``compute()[rows]``: CSV with ``columns``, or a
    GeoPackage of those rows and columns with each area's stored boundary (areas of
    ``kind``, or of each row's ``kind``), or an Excel workbook of ``sheets(compute())``
    with its About sheet. ``filename`` (without extension) says what the file holds."""
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
    if fmt == "gpkg":

        async def with_boundaries(conn: AsyncConnection) -> tuple[Any, list[bytes | None]]:
            data = await compute(conn)
            return data, await area_wkb(conn, data[rows], kind=kind)

        layer = layer_name(filename)

        def gpkg(d: Any) -> bytes:
            data, geoms = d
            return to_gpkg(data[rows], columns, geoms, layer=layer, description=filename)

        return await answer(
            request,
            (*key, "gpkg"),
            with_boundaries,
            cacheable=cacheable,
            media_type=GPKG_MEDIA_TYPE,
            render=gpkg,
            filename=f"{filename}.gpkg",
            render_in_thread=True,
        )
    if fmt == "xlsx":
        if sheets is None:
            raise ValueError("an xlsx answer needs its sheets")
        make_sheets = sheets

        async def with_provenance(conn: AsyncConnection) -> tuple[Any, Provenance]:
            return await compute(conn), await provenance(conn)

        def xlsx(d: Any) -> bytes:
            data, prov = d
            return to_xlsx(
                make_sheets(data), title=f"{filename}.xlsx", provenance=prov, facts=_facts(data)
            )

        return await answer(
            request,
            (*key, "xlsx"),
            with_provenance,
            cacheable=cacheable,
            media_type=XLSX_MEDIA_TYPE,
            render=xlsx,
            filename=f"{filename}.xlsx",
            render_in_thread=True,
        )
    media = "application/geo+json" if fmt == "geojson" else "application/json"
    return await answer(request, (*key, fmt), compute, cacheable=cacheable, media_type=media)


#: The data version reads are served at now (503 while there is none).
VersionDep = Annotated[int, Depends(coroutine(data_version))]


class Areas:
    """A request's way to the loaded areas: the directory of the data version its snapshot
    sees (read once per version by each worker) and areas found by code through it,
    without a round trip."""

    def __init__(self, request: Request) -> None:
        self._services = get_services(request)

    async def directory(self, conn: AsyncConnection) -> AreaDirectory:
        """The directory of the version ``conn``'s snapshot sees (inside ``answer``)."""
        return await self._services.area_directory(conn, snapshot_version(conn))

    async def find(self, conn: AsyncConnection, code: str, kind: str | None = None) -> Area:
        """The area with this code (custom areas from the database), or 404."""
        return await get_area(conn, code, kind, await self.directory(conn))


AreasDep = Annotated[Areas, Depends(coroutine(Areas))]
