"""A pure-ASGI fast path for tiles already in memory.

Map clients ask for the same tiles again and again; once a tile is cut, answering
it should cost a dictionary look-up, not a trip through routing, dependencies and
response classes. This middleware sits outermost: for ``GET``/``HEAD``
``/tiles/{layer}/{z}/{x}/{y}.mvt`` whose tile is cached for the current data
version it answers at once (gzip when asked, 304 on a matching ``If-None-Match``).
Everything else, misses included, goes on to the FastAPI routes, which check the
request, cut the tile and cache it. Requests that need more than a cache look-up
(reads behind a token, CORS requests, a query other than the ``v=<data version>`` of
TileJSON tile URLs) also go on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from tiles.cache import TileCache

_PREFIX = "/tiles/"


@dataclass(frozen=True)
class FastTiles:
    """What the fast path may answer from: the tile cache, the current data version, and
    whether CORS requests must go through the middleware that answers them."""

    cache: TileCache
    version: int
    cors: bool


class TileFastPath:
    """``source()`` gives :class:`FastTiles`, or None while the fast path must stand
    aside (no data version yet, or reads behind a token)."""

    def __init__(self, app: ASGIApp, source: Callable[[], FastTiles | None]) -> None:
        self.app = app
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(_PREFIX):
            hit = _lookup(scope, self.source())
            if hit is not None:
                status, headers, body = hit
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


_Z = re.compile(r"[0-9]{1,2}")
#: The only query the fast path answers: none, or one data version (the route checks others)
_QUERY = re.compile(rb"(v=[0-9A-Za-z]{0,40})?")
_XY = re.compile(r"[0-9]{1,8}")


def _lookup(
    scope: Scope, src: FastTiles | None
) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    method = scope["method"]
    if src is None:
        return None
    if method != "GET" and method != "HEAD":
        return None
    if scope.get("query_string") and not _QUERY.fullmatch(scope["query_string"]):
        return None
    parts = scope["path"][len(_PREFIX) :].split("/")
    if len(parts) != 4 or not parts[3].endswith(".mvt"):
        return None
    zs, xs, ys = parts[1], parts[2], parts[3][:-4]
    # ASCII digits only, and short: str.isdigit() takes '²' and int() refuses it
    if not (_Z.fullmatch(zs) and _XY.fullmatch(xs) and _XY.fullmatch(ys)):
        return None
    tile = src.cache.get((src.version, parts[0], int(zs), int(xs), int(ys)))
    if tile is None:
        return None
    gzip_ok = False
    inm = None
    for k, v in scope["headers"]:
        if k == b"accept-encoding":
            gzip_ok = b"gzip" in v
        elif k == b"if-none-match":
            inm = v
        elif k == b"origin" and src.cors:
            return None  # let the CORS middleware answer
    if inm is not None and tile.etag.encode() in inm:
        return 304, [h for h in tile.headers_raw if h[0] != b"content-length"], b""
    if gzip_ok:
        return 200, tile.headers_gz, b"" if method == "HEAD" else tile.gz
    return 200, tile.headers_raw, b"" if method == "HEAD" else tile.raw
