"""CLI commands for tiles and maps (registered by :mod:`depmap.cli`).

* ``depmap tiles seed --layer lsoa21 --zooms 5-12 [--area E54000008] [--cache-dir DIR]``
  pre-renders tiles into the disk cache that the service reads
  (``DEPMAP_TILE_CACHE_DIR``), under the current data version;
* ``depmap map --area E54000008 -o icb.html`` writes one self-contained HTML map.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

tiles_app = typer.Typer(help="Vector tiles: pre-render them into the disk cache.")
err = Console(stderr=True)
out = Console()


def _fail(msg: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {msg}")
    raise typer.Exit(code)


async def _seed(
    layer_name: str,
    zooms: list[int],
    area_code: str | None,
    cache_dir: Path,
    concurrency: int,
    progress: bool,
) -> dict[str, Any]:
    from sqlalchemy import text

    from depmap.core.db import make_async_engine
    from depmap.core.settings import database_settings, tile_settings
    from queries.areas import area_detail, get_area
    from tiles.grid import tiles_for_bbox
    from tiles.layers import get_layer
    from tiles.service import TileService
    from tiles.tilejson import ENGLAND_BOUNDS

    layer = get_layer(layer_name)
    s = tile_settings().model_copy(update={"cache_dir": cache_dir})
    engine = make_async_engine(database_settings())
    try:
        async with engine.connect() as conn:
            version = int(
                (
                    await conn.execute(
                        text("SELECT value FROM depmap_meta WHERE key = 'data_version'")
                    )
                ).scalar()
                or 0
            )
            if version == 0:
                raise RuntimeError("no data is loaded: run `depmap load all` first")
            bbox: tuple[float, float, float, float] = ENGLAND_BOUNDS
            tiles = list(tiles_for_bbox(bbox, zooms))
            if area_code:
                area = await get_area(conn, area_code)
                b = (await area_detail(conn, area))["bbox"]
                bbox = (b[0], b[1], b[2], b[3])
                cand = list(tiles_for_bbox(bbox, zooms))
                keep = await conn.execute(
                    text(
                        "SELECT t.z, t.x, t.y FROM unnest(CAST(:z AS int[]), CAST(:x AS int[]), "
                        "CAST(:y AS int[])) AS t(z, x, y), area a WHERE a.id = :id AND "
                        "ST_Intersects(a.geom, ST_Transform(ST_TileEnvelope(t.z, t.x, t.y), "
                        "27700))"
                    ),
                    {
                        "z": [t[0] for t in cand],
                        "x": [t[1] for t in cand],
                        "y": [t[2] for t in cand],
                        "id": area.id,
                    },
                )
                tiles = sorted((int(z), int(x), int(y)) for z, x, y in keep)
        service = TileService(engine, s)
        queue: asyncio.Queue[tuple[int, int, int]] = asyncio.Queue()
        for t in tiles:
            queue.put_nowait(t)
        stats: dict[str, Any] = {
            "tiles": len(tiles),
            "empty": 0,
            "bytes": 0,
            "largest": 0,
            "largest_tile": "",
        }
        with Progress(
            TextColumn(f"seeding {layer.name} (data version {version})"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=not progress,
        ) as bar:
            task = bar.add_task("seed", total=len(tiles))

            async def worker() -> None:
                while not queue.empty():
                    z, x, y = queue.get_nowait()
                    tile = await service.get(version, layer, z, x, y)
                    service.cache.clear()  # the disk holds them; keep memory flat
                    n = len(tile.raw)
                    stats["bytes"] += n
                    stats["empty"] += n == 0
                    if n > stats["largest"]:
                        stats["largest"], stats["largest_tile"] = n, f"{z}/{x}/{y}"
                    bar.advance(task)

            await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        stats["version"] = version
        stats["rendered"] = service.rendered
        return stats
    finally:
        await engine.dispose()


@tiles_app.command("seed")
def seed(
    layer: Annotated[str, typer.Option(help="Tile layer: lsoa21, msoa21, ltla, sicbl, icb, ...")],
    zooms: Annotated[str, typer.Option(help="Zooms, as 5-12 or 5,7,9")] = "5-12",
    area: Annotated[
        str | None, typer.Option(help="Only the tiles over this area (e.g. E54000008)")
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Disk cache folder (default: DEPMAP_TILE_CACHE_DIR)"),
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Tiles cut at once")] = 2,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Pre-render tiles into the disk cache the service reads (same data version)."""
    from sqlalchemy.exc import OperationalError

    from depmap.core.errors import ServiceError
    from depmap.core.settings import tile_settings
    from tiles.grid import parse_zooms

    s = tile_settings()
    d = cache_dir or s.cache_dir
    if d is None:
        _fail(
            "no cache folder: pass --cache-dir or set DEPMAP_TILE_CACHE_DIR (the service reads it)"
        )
        return
    try:
        zs = parse_zooms(zooms, s.min_zoom, s.max_zoom)
    except ValueError as e:
        _fail(f"--zooms: {e}")
        return
    t0 = time.perf_counter()
    try:
        stats = asyncio.run(_seed(layer, zs, area, d, concurrency, progress))
    except ServiceError as e:
        _fail(e.detail)
        return
    except OperationalError as e:
        _fail(f"cannot reach the database: {e.orig}")
        return
    except RuntimeError as e:
        _fail(str(e))
        return
    secs = time.perf_counter() - t0
    t = Table(title=f"Seeded {layer} into {d}/{stats['version']}")
    t.add_column("what")
    t.add_column("value", justify="right")
    t.add_row("tiles", f"{stats['tiles']:,}")
    t.add_row("cut now (the rest were on disk)", f"{stats['rendered']:,}")
    t.add_row("empty", f"{stats['empty']:,}")
    t.add_row("bytes (uncompressed)", f"{stats['bytes']:,}")
    t.add_row("largest tile", f"{stats['largest']:,} ({stats['largest_tile']})")
    t.add_row("seconds", f"{secs:.1f}")
    out.print(t)


def map_command(
    area: Annotated[str, typer.Option(help="The area to map (e.g. E54000008)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write")],
    area_kind: Annotated[
        str | None, typer.Option(help="Kind of the area when a code names several")
    ] = None,
) -> None:
    """Write one self-contained HTML map of an area (data and scripts inlined; no server)."""
    from sqlalchemy.exc import OperationalError

    from depmap.core.db import make_async_engine
    from depmap.core.errors import ServiceError
    from depmap.core.settings import api_settings, database_settings
    from web.assets import AssetsMissing
    from web.export import export_config, export_html

    async def go() -> str:
        eng = make_async_engine(database_settings())
        try:
            async with eng.connect() as conn:
                s = api_settings()
                cfg = await export_config(
                    conn,
                    area,
                    area_kind,
                    permutations=s.hotspot_permutations,
                    seed=s.hotspot_seed,
                )
        finally:
            await eng.dispose()
        return export_html(cfg)

    try:
        html = asyncio.run(go())
    except ServiceError as e:
        _fail(e.detail)
        return
    except AssetsMissing as e:
        _fail(str(e))
        return
    except OperationalError as e:
        _fail(f"cannot reach the database: {e.orig}")
        return
    output.write_text(html, encoding="utf-8")
    out.print(f"wrote {output} ({len(html.encode()) / 1e6:.1f} MB): open it in a browser")


def register(app: typer.Typer) -> None:
    app.add_typer(tiles_app, name="tiles")
    app.command("map")(map_command)
