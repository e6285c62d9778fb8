"""Tiles into one PMTiles v3 archive (``depmap tiles export``), for any static host.

The archive holds the tiles the service serves: each is cut by :func:`tiles.render.render_tile`
with the same SQL and settings, so its bytes before compression are those of
``/tiles/{layer}/{z}/{x}/{y}.mvt``; an archive of several layers holds, per tile, the
layers' bytes one after the other (an MVT tile is a list of layers, so that is one tile with
every layer, each exactly as served). Tiles are gzipped as the service gzips them, written
in tile-id order (a clustered archive), and empty tiles are left out. The metadata names
the layers and their fields (as TileJSON does), the attribution and the data version.

Every tile comes from one snapshot of the database: the workers' transactions share the
first one's (``pg_export_snapshot`` / ``SET TRANSACTION SNAPSHOT``), so a load that commits
during an export does not reach it. The archive is written beside ``out`` and renamed when
complete.

The PMTiles format and writer are Protomaps' (``pmtiles`` on PyPI); browsers read the
archive with HTTP range requests (npm ``pmtiles``), so any static server that answers
``Range`` serves it.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from depmap import __version__
from depmap.core.db import data_version, make_async_engine
from depmap.core.errors import InvalidParameter, NotLoaded
from depmap.core.settings import TileSettings, tile_settings
from depmap.core.sqlfiles import sql
from tiles.cache import gzip_tile
from tiles.grid import band_for_zoom, lonlat_to_tile, pixel_m
from tiles.layers import Layer, get_layer
from tiles.render import render_tile
from tiles.tilejson import ATTRIBUTION, ENGLAND_BOUNDS, vector_layer

BBox = tuple[float, float, float, float]
Tile = tuple[int, int, int]

#: Tiles cut at once before they are written in order (bounds memory).
CHUNK = 128
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


class _Empty(Exception):
    """An archive with no tile, to leave out."""


def parse_bbox(spec: str) -> BBox:
    """``"W,S,E,N"`` in degrees as a box; ValueError when it is not one."""
    try:
        w, s, e, n = (float(v) for v in spec.split(","))
    except ValueError:
        raise ValueError(f"{spec!r} is not W,S,E,N in degrees (e.g. -3.2,53.2,-2.8,53.5)") from None
    if not (-180 <= w < e <= 180 and -85.06 <= s < n <= 85.06):
        raise ValueError(f"{spec!r}: west must be below east and south below north, in degrees")
    return w, s, e, n


def candidate_margin(z: int, s: TileSettings) -> float:
    """How far (in tiles) beyond a tile a feature of it may reach: the tile buffer, and
    4 pixels of the generalisation band it is drawn from (simplification and the 2x2-pixel
    cells that pool small LSOAs)."""
    band = band_for_zoom(z)
    band_px = 2.0 ** (z - band) if band is not None and band < z else 1.0
    return s.buffer / s.extent + 4.0 * band_px / 256.0


async def candidates(
    conn: AsyncConnection, layer: Layer, zooms: Sequence[int], bbox: BBox, s: TileSettings
) -> list[Tile]:
    """The tiles of ``zooms`` in ``bbox`` that may hold a feature of ``layer``."""
    west, south, east, north = bbox
    out: list[Tile] = []
    for z in zooms:
        x0, y0 = lonlat_to_tile(west, north, z)
        x1, y1 = lonlat_to_tile(east, south, z)
        rows = await conn.execute(
            sql("export_candidates", "tiles"),
            {
                "z": z,
                "x0": x0,
                "x1": x1,
                "y0": y0,
                "y1": y1,
                "kind": layer.kind,
                "margin": candidate_margin(z, s),
                "seg": pixel_m(z) * 32,
            },
        )
        out += [(z, int(x), int(y)) for x, y in rows]
    return out


async def _join_snapshot(engine: AsyncEngine, snapshot: str) -> AsyncConnection:
    """A connection whose transaction sees exactly the exported snapshot."""
    if not _SNAPSHOT_ID.match(snapshot):  # it is interpolated below: check what it is
        raise RuntimeError(f"unexpected snapshot id {snapshot!r}")
    conn = await engine.connect()
    await conn.execution_options(isolation_level="REPEATABLE READ")
    await conn.begin()
    await conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
    return conn


def _e7(v: float) -> int:
    return round(v * 1e7)


def header(zooms: Sequence[int], bbox: BBox) -> dict[str, Any]:
    w, s, e, n = bbox
    lo, hi = min(zooms), max(zooms)
    return {
        "tile_type": TileType.MVT,
        "tile_compression": Compression.GZIP,
        "min_zoom": lo,
        "max_zoom": hi,
        "min_lon_e7": _e7(w),
        "min_lat_e7": _e7(s),
        "max_lon_e7": _e7(e),
        "max_lat_e7": _e7(n),
        "center_zoom": max(lo, min(hi, 8)),
        "center_lon_e7": _e7((w + e) / 2),
        "center_lat_e7": _e7((s + n) / 2),
    }


def metadata(
    layers: Sequence[Layer], zooms: Sequence[int], bbox: BBox, version: int
) -> dict[str, Any]:
    """The archive's JSON metadata: TileJSON's fields, and depmap's own."""
    lo, hi = min(zooms), max(zooms)
    return {
        "name": "depmap: " + ", ".join(x.name for x in layers),
        "description": "Deprivation and health in England by LSOA21, with NHS and "
        "local-authority footprints (depmap vector tiles)",
        "attribution": ATTRIBUTION,
        "version": f"1.0.{version}",
        "type": "overlay",
        "format": "pbf",
        "bounds": [round(v, 5) for v in bbox],
        "vector_layers": [vector_layer(x, lo, hi) for x in layers],
        "depmap": {
            "data_version": version,
            "layers": [x.name for x in layers],
            "minzoom": lo,
            "maxzoom": hi,
            "generator": f"depmap {__version__}",
        },
    }


async def export_pmtiles(
    out: Path,
    layer_names: Sequence[str],
    zooms: Sequence[int],
    bbox: BBox | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """Write the tiles of ``layer_names`` at ``zooms`` over ``bbox`` (default: England)
    into the PMTiles archive ``out``; statistics of what was written (keywords: those of
    :func:`export_archives`)."""
    return (await export_archives([(out, layer_names)], zooms, bbox, **kw))[0]


async def export_archives(
    archives: Sequence[tuple[Path, Sequence[str]]],
    zooms: Sequence[int],
    bbox: BBox | None = None,
    *,
    concurrency: int = 2,
    engine: AsyncEngine | None = None,
    settings: TileSettings | None = None,
    on_start: Callable[[int, int], None] = lambda n, version: None,
    on_tile: Callable[[], None] = lambda: None,
    skip_empty: bool = False,
) -> list[dict[str, Any]]:
    """Write archives of ``(path, layer names)`` from one snapshot of the database (so of
    one data version); statistics of each. An archive with no tile is an error, or with
    ``skip_empty`` not written (its ``tiles`` are 0). ``on_start(candidate tiles,
    version)`` and ``on_tile()`` report progress."""
    t0 = time.perf_counter()
    s = settings or tile_settings()
    bad = [z for z in zooms if not s.min_zoom <= z <= s.max_zoom]
    if not zooms or bad:
        raise InvalidParameter(f"zooms must lie in {s.min_zoom}..{s.max_zoom}")
    jobs = [(out, [get_layer(n) for n in dict.fromkeys(names)]) for out, names in archives]
    if not jobs or any(not layers for _, layers in jobs):
        raise InvalidParameter("no layer given: pass --layer lsoa21 (or several)")
    box = bbox or ENGLAND_BOUNDS
    own = engine is None
    eng = engine if engine is not None else make_async_engine()
    conns: list[AsyncConnection] = []
    try:
        lead = await eng.connect()
        conns.append(lead)
        await lead.execution_options(isolation_level="REPEATABLE READ")
        await lead.begin()
        snapshot = str((await lead.execute(text("SELECT pg_export_snapshot()"))).scalar())
        version = await lead.run_sync(data_version)
        if not version:
            raise NotLoaded("no data is loaded: run `depmap load all` first")
        found: dict[str, list[Tile]] = {}
        for _, layers in jobs:
            for layer in layers:
                if layer.name not in found:
                    found[layer.name] = await candidates(lead, layer, zooms, box, s)
        plans = []
        for out, layers in jobs:
            wanted: dict[Tile, list[Layer]] = {}
            for layer in layers:
                for t in found[layer.name]:
                    wanted.setdefault(t, []).append(layer)
            plans.append((out, layers, wanted))
        on_start(sum(len(w) for _, _, w in plans), version)
        for _ in range(max(1, concurrency) - 1):
            conns.append(await _join_snapshot(eng, snapshot))
        pool: asyncio.Queue[AsyncConnection] = asyncio.Queue()
        for c in conns:
            pool.put_nowait(c)
        results = []
        for out, layers, wanted in plans:
            st = await _write(
                out, layers, wanted, (zooms, box, version), s, pool, on_tile, skip_empty
            )
            st["seconds"] = time.perf_counter() - t0
            results.append(st)
        return results
    finally:
        for c in conns:
            await c.close()
        if own:
            await eng.dispose()


async def _write(
    out: Path,
    layers: list[Layer],
    wanted: dict[Tile, list[Layer]],
    what: tuple[Sequence[int], BBox, int],
    s: TileSettings,
    pool: asyncio.Queue[AsyncConnection],
    on_tile: Callable[[], None],
    skip_empty: bool,
) -> dict[str, Any]:
    """Cut the wanted tiles (connections from ``pool``) and write them in tile-id order;
    ``what``: the zooms, box and data version."""
    zooms, box, version = what
    order = sorted(wanted, key=lambda t: zxy_to_tileid(*t))

    async def cut(t: Tile) -> tuple[bytes, bytes]:
        z, x, y = t
        conn = await pool.get()
        try:
            raw = b"".join([await render_tile(conn, lyr, z, x, y, s) for lyr in wanted[t]])
        finally:
            pool.put_nowait(conn)
        if not raw:
            return raw, raw
        gz = await asyncio.to_thread(gzip_tile, raw) if len(raw) > 65536 else gzip_tile(raw)
        return raw, gz

    stats: dict[str, Any] = {
        "path": str(out),
        "version": version,
        "layers": [x.name for x in layers],
        "candidates": len(order),
        "tiles": 0,
        "empty": 0,
        "bytes": 0,
        "bytes_gz": 0,
        "largest": 0,
        "largest_tile": "",
        "per_zoom": {},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            writer = Writer(f)
            for i in range(0, len(order), CHUNK):
                chunk = order[i : i + CHUNK]
                done = await asyncio.gather(*(cut(t) for t in chunk))
                for (z, x, y), (raw, gz) in zip(chunk, done, strict=True):
                    on_tile()
                    if not raw:
                        stats["empty"] += 1
                        continue
                    writer.write_tile(zxy_to_tileid(z, x, y), gz)
                    stats["tiles"] += 1
                    stats["bytes"] += len(raw)
                    stats["bytes_gz"] += len(gz)
                    pz = stats["per_zoom"].setdefault(z, [0, 0])
                    pz[0] += 1
                    pz[1] += len(gz)
                    if len(raw) > stats["largest"]:
                        stats["largest"], stats["largest_tile"] = len(raw), f"{z}/{x}/{y}"
            if not stats["tiles"] and skip_empty:
                raise _Empty
            if not stats["tiles"]:
                names = ", ".join(x.name for x in layers)
                raise InvalidParameter(
                    f"no tile of {names} at these zooms meets the box: nothing to write"
                )
            writer.finalize(header(zooms, box), metadata(layers, zooms, box, version))
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600: a web server must read it
        os.replace(tmp, out)
    except _Empty:
        Path(tmp).unlink(missing_ok=True)
        stats["archive_bytes"] = 0
        return stats
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    stats["archive_bytes"] = out.stat().st_size
    return stats
