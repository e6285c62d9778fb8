"""A map site for any static web server (``depmap map --static DIR``).

The same page as ``/map`` (choropleth and its chooser, legend, outlines, LSOA popups)
with no depmap process behind it: the tiles are PMTiles archives beside the page, one per
layer (``tiles/<layer>.pmtiles``, written by :mod:`tiles.export` from one snapshot of the
database), read by the browser with HTTP range requests; popups are made from the
tiles' attributes. The folder holds::

    index.html            the map (Folium page, mode "static")
    static/               Leaflet, Leaflet.VectorGrid, pmtiles and the map's own script
    tiles/*.pmtiles       the layers' tiles
    serve.py              a range-capable static server from Python's standard library
    README.txt            how to publish it

Any static host serves it: nginx, Caddy, an object store or CDN (they all answer
``Range``). ``python -m http.server`` does not answer ``Range`` and will not do; the
folder's ``serve.py`` does (standard library only, knows nothing of depmap).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from depmap.core.schema import TILE_FULL_ZOOM
from web.assets import SITE_ASSETS, STATIC_DIR, check_assets
from web.map import OUTLINES, base_config, render_map

#: The layers a site carries: the choropleth and the outlines of /map.
SITE_LAYERS: tuple[str, ...] = ("lsoa21", *[o[0] for o in OUTLINES])
SITE_FILES = Path(__file__).resolve().parent / "site_files"
TITLE = "depmap: deprivation and health in England"

README = """depmap map site (data version {version}, zooms {lo}-{hi})

Publish this folder on any static web server that answers HTTP Range requests
(nginx, Caddy, Apache, S3/GCS/Azure storage, a CDN): the map reads its tiles from
tiles/*.pmtiles with range requests. To look at it on this machine:

    python3 serve.py            # then open http://127.0.0.1:8080/

(`python3 -m http.server` does not answer Range requests and will not do.)
Opening index.html from disk (file://) does not work either: browsers do not let a
page read files with fetch there.
"""


def archive_path(folder: Path, layer: str) -> Path:
    return folder / "tiles" / f"{layer}.pmtiles"


def check_site_assets() -> None:
    """Raise :class:`web.assets.AssetsMissing` before cutting tiles for nothing."""
    check_assets(SITE_ASSETS)


def site_config(archives: dict[str, str], version: int, maxzoom: int) -> dict[str, Any]:
    """The page's configuration: static mode, the archives (relative URLs)."""
    cfg = base_config("static", version=version, maxzoom=maxzoom)
    cfg["archives"] = archives
    cfg["detail_zoom"] = TILE_FULL_ZOOM
    return cfg


def write_site(
    folder: Path,
    results: Sequence[dict[str, Any]],
    zooms: Sequence[int],
    bbox: tuple[float, float, float, float] | None,
) -> Path:
    """The page, scripts, server and README beside the archives :mod:`tiles.export` wrote
    (``results``: its statistics, one per layer); the page's path."""
    written = {r["layers"][0]: r for r in results if r.get("tiles")}
    if "lsoa21" not in written:
        raise ValueError("the site needs LSOA21 tiles: none meet the box at these zooms")
    version = int(written["lsoa21"]["version"])
    archives = {
        name: archive_path(Path("."), name).as_posix() for name in SITE_LAYERS if name in written
    }
    for a in SITE_ASSETS:
        (folder / "static" / a.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(a.file, folder / "static" / a.path)
    images = Path("vendor/leaflet/images")  # leaflet.css refers to them
    shutil.copytree(STATIC_DIR / images, folder / "static" / images, dirs_exist_ok=True)
    shutil.copy2(SITE_FILES / "serve.py", folder / "serve.py")
    (folder / "README.txt").write_text(
        README.format(version=version, lo=min(zooms), hi=max(zooms)), encoding="utf-8"
    )
    html = render_map(
        site_config(archives, version, max(zooms)),
        title=TITLE,
        inline_assets=False,
        assets=SITE_ASSETS,
        asset_base="static",
        bounds=bbox,
    )
    index = folder / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
