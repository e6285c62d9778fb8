"""Tiles and maps.

* ``depmap tiles seed --layer lsoa21 --zooms 5-12 [--area E54000008] [--cache-dir DIR]``
  pre-renders tiles into the disk cache that the service reads
  (``DEPMAP_TILE_CACHE_DIR``), under the current data version;
* ``depmap tiles export OUT.pmtiles [--layer lsoa21 --layer icb] [--minzoom 0 --maxzoom 14]
  [--bbox W,S,E,N]`` writes the tiles into one PMTiles archive for a static host;
* ``depmap map --area E54000008 -o icb.html`` writes one self-contained HTML map;
  ``depmap map --static DIR`` a map site (page, scripts, PMTiles archives) for any static
  web server.
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

tiles_app = typer.Typer(
    help="Vector tiles: pre-render them into the disk cache, or export a PMTiles archive."
)


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not enabled,
    )


def _zooms_and_box(minzoom: int, maxzoom: int, bbox: str | None) -> tuple[list[int], Any]:
    from tiles.export import parse_bbox

    s = tile_settings()
    if not s.min_zoom <= minzoom <= maxzoom <= s.max_zoom:
        fail(f"--minzoom and --maxzoom: need {s.min_zoom} <= minzoom <= maxzoom <= {s.max_zoom}")
    box = None
    if bbox:
        try:
            box = parse_bbox(bbox)
        except ValueError as e:
            fail(f"--bbox: {e}")
    return list(range(minzoom, maxzoom + 1)), box


def _export(
    archives: list[tuple[Path, list[str]]],
    zooms: list[int],
    box: Any,
    concurrency: int,
    progress: bool,
    skip_empty: bool = False,
) -> list[dict[str, Any]]:
    """Run the export with a progress bar; the CLI's errors for what goes wrong."""
    from tiles.export import export_archives

    bar = _progress(progress)
    task: list[TaskID] = []

    def on_start(n: int, version: int) -> None:
        task.append(bar.add_task(f"cutting tiles (data version {version})", total=n))

    try:
        with bar:
            return asyncio.run(
                export_archives(
                    archives,
                    zooms,
                    box,
                    concurrency=concurrency,
                    on_start=on_start,
                    on_tile=lambda: bar.advance(task[0]),
                    skip_empty=skip_empty,
                )
            )
    except ServiceError as e:
        fail(e.detail)
    except OperationalError as e:
        fail(f"cannot reach the database: {e.orig}")


def _export_table(title: str, results: list[dict[str, Any]]) -> Table:
    t = Table(title=title)
    for c in ("archive", "layers", "tiles", "empty skipped", "MVT bytes", "archive bytes"):
        t.add_column(c, justify="left" if c in ("archive", "layers") else "right")
    for r in results:
        if not r["tiles"]:
            continue
        t.add_row(
            Path(r["path"]).name,
            ", ".join(r["layers"]),
            f"{r['tiles']:,}",
            f"{r['empty']:,}",
            f"{r['bytes']:,}",
            f"{r['archive_bytes']:,}",
        )
    return t


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


@tiles_app.command("export")
def export(
    archive: Annotated[Path, typer.Argument(metavar="OUT.pmtiles", help="The archive to write")],
    layer: Annotated[
        list[str] | None,
        typer.Option(help="Tile layer (repeat for several): lsoa21, msoa21, ltla, sicbl, icb, ..."),
    ] = None,
    minzoom: Annotated[int, typer.Option(help="Lowest zoom")] = 0,
    maxzoom: Annotated[int, typer.Option(help="Highest zoom")] = 14,
    bbox: Annotated[
        str | None, typer.Option(help="Only tiles meeting W,S,E,N (degrees); default England")
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Tiles cut at once")] = 2,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Write tiles into one PMTiles v3 archive (the service's tile bytes, gzipped, in
    tile-id order; empty tiles left out), for any static host or CDN (HTTP range requests)."""
    zs, box = _zooms_and_box(minzoom, maxzoom, bbox)
    t0 = time.perf_counter()
    (r,) = _export([(archive, layer or ["lsoa21"])], zs, box, concurrency, progress)
    secs = time.perf_counter() - t0
    title = f"Wrote {archive} (data version {r['version']}, zooms {minzoom}-{maxzoom})"
    out.print(_export_table(title, [r]))
    out.print(f"largest tile {r['largest']:,} bytes ({r['largest_tile']}); {secs:.1f} s")


def map_command(
    area: Annotated[str | None, typer.Option(help="The area to map (e.g. E54000008)")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The HTML file to write")
    ] = None,
    area_kind: Annotated[
        str | None, typer.Option(help="Kind of the area when a code names several")
    ] = None,
    static: Annotated[
        Path | None,
        typer.Option(
            "--static",
            help="Write a map site into this folder instead: index.html, scripts, and "
            "PMTiles archives, for any static web server (no depmap process)",
        ),
    ] = None,
    minzoom: Annotated[int, typer.Option(help="--static: lowest zoom of the tiles")] = 0,
    maxzoom: Annotated[int, typer.Option(help="--static: highest zoom of the tiles")] = 14,
    bbox: Annotated[
        str | None, typer.Option(help="--static: only W,S,E,N (degrees); default England")
    ] = None,
    concurrency: Annotated[int, typer.Option(help="--static: tiles cut at once")] = 2,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Write one self-contained HTML map of an area (data and scripts inlined; no server),
    or with --static a map site for any static web server."""
    from web.assets import AssetsMissing
    from web.export import export_config, export_html

    if static is not None:
        _static_site(static, minzoom, maxzoom, bbox, concurrency, progress)
        return
    if not area or output is None:
        fail("pass --area CODE and -o FILE.html (or --static DIR for a map site)")
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


def _static_site(
    folder: Path, minzoom: int, maxzoom: int, bbox: str | None, concurrency: int, progress: bool
) -> None:
    from web.assets import AssetsMissing
    from web.site import SITE_LAYERS, archive_path, check_site_assets, write_site

    zs, box = _zooms_and_box(minzoom, maxzoom, bbox)
    t0 = time.perf_counter()
    try:
        check_site_assets()
    except AssetsMissing as e:
        fail(str(e))
    archives = [(archive_path(folder, name), [name]) for name in SITE_LAYERS]
    results = _export(archives, zs, box, concurrency, progress, skip_empty=True)
    try:
        index = write_site(folder, results, zs, box)
    except ValueError as e:
        fail(str(e))
    secs = time.perf_counter() - t0
    out.print(_export_table(f"Wrote the map site {folder}", results))
    out.print(
        f"{index} and {sum(1 for r in results if r['tiles'])} archives in {secs:.1f} s. "
        "Serve the folder with any "
        f"static server that answers Range requests, e.g. `python3 {folder / 'serve.py'}`"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(tiles_app, name="tiles")
    app.command("map")(map_command)
