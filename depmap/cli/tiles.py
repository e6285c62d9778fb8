"""Tiles and maps.

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
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy.exc import OperationalError

from depmap.cli.common import err, fail, out, run_query
from depmap.core.errors import ServiceError
from depmap.core.settings import api_settings, tile_settings

tiles_app = typer.Typer(help="Vector tiles: pre-render them into the disk cache.")


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
    from queries.areas import area_detail, get_area
    from tiles.grid import parse_zooms
    from tiles.seed import Over
    from tiles.seed import seed as seed_tiles

    s = tile_settings()
    d = cache_dir or s.cache_dir
    if d is None:
        fail(
            "no cache folder: pass --cache-dir or set DEPMAP_TILE_CACHE_DIR (the service reads it)"
        )
    try:
        zs = parse_zooms(zooms, s.min_zoom, s.max_zoom)
    except ValueError as e:
        fail(f"--zooms: {e}")
    over = None
    if area:

        async def box(conn: Any) -> Over:
            a = await get_area(conn, area)
            b = (await area_detail(conn, a))["bbox"]
            return Over(a.id, (b[0], b[1], b[2], b[3]))

        over = run_query(box)
    t0 = time.perf_counter()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not progress,
    )
    task: list[TaskID] = []

    def on_start(n: int, version: int) -> None:
        task.append(bar.add_task(f"seeding {layer} (data version {version})", total=n))

    def on_tile() -> None:
        bar.advance(task[0])

    try:
        with bar:
            stats = asyncio.run(
                seed_tiles(layer, zs, over, d, concurrency, on_start=on_start, on_tile=on_tile)
            )
    except ServiceError as e:
        fail(e.detail)
    except OperationalError as e:
        fail(f"cannot reach the database: {e.orig}")
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
    from web.assets import AssetsMissing
    from web.export import export_config, export_html

    s = api_settings()

    async def config(conn: Any) -> dict[str, Any]:
        return await export_config(
            conn, area, area_kind, permutations=s.hotspot_permutations, seed=s.hotspot_seed
        )

    try:
        html = export_html(run_query(config))
    except AssetsMissing as e:
        fail(str(e))
    output.write_text(html, encoding="utf-8")
    out.print(f"wrote {output} ({len(html.encode()) / 1e6:.1f} MB): open it in a browser")


def register(app: typer.Typer) -> None:
    app.add_typer(tiles_app, name="tiles")
    app.command("map")(map_command)
