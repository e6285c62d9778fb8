"""The scripts and styles the web map and the API docs need, all served by depmap
itself (no CDN).

Leaflet and Leaflet.VectorGrid (the map), Swagger UI and ReDoc (``/docs``, ``/redoc``)
come from npm (``web/package.json``, installed by ``npm ci`` and copied to
``web/static/vendor`` by ``npm run vendor``): building the package (``setup.py``, run by
``pip install .``, ``scripts/setup.sh`` and the Dockerfile) does both when they are
missing, so wheels and sdists hold them and installing one needs no npm. The map's own
script and style live in ``web/static``. Pages link them under ``/static``; an exported map inlines
them (CSS images as ``data:`` URIs) so that the file opens with no server.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from depmap.core.errors import AssetsMissing as AssetsMissing  # 503 in the error table

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static"


@dataclass(frozen=True)
class Asset:
    kind: str  # "js", "css" or "png"
    path: str  # relative to STATIC_DIR

    @property
    def url(self) -> str:
        return f"{STATIC_URL}/{self.path}"

    @property
    def file(self) -> Path:
        return STATIC_DIR / self.path


#: In the order the page loads them.
MAP_ASSETS: tuple[Asset, ...] = (
    Asset("css", "vendor/leaflet/leaflet.css"),
    Asset("css", "depmap-map.css"),
    Asset("js", "vendor/leaflet/leaflet.js"),
    Asset("js", "vendor/vectorgrid/Leaflet.VectorGrid.bundled.min.js"),
    Asset("js", "depmap-map.js"),
)


#: The API documentation pages: Swagger UI (``/docs``) and ReDoc (``/redoc``).
SWAGGER_JS = Asset("js", "vendor/swagger-ui/swagger-ui-bundle.js")
SWAGGER_CSS = Asset("css", "vendor/swagger-ui/swagger-ui.css")
SWAGGER_FAVICON = Asset("png", "vendor/swagger-ui/favicon-32x32.png")
REDOC_JS = Asset("js", "vendor/redoc/redoc.standalone.js")
DOCS_ASSETS: tuple[Asset, ...] = (SWAGGER_JS, SWAGGER_CSS, SWAGGER_FAVICON, REDOC_JS)


#: What a static map site loads besides: PMTiles' reader and the archive layer.
SITE_ASSETS: tuple[Asset, ...] = (
    *MAP_ASSETS[:-1],
    Asset("js", "vendor/pmtiles/pmtiles.js"),
    Asset("js", "depmap-static.js"),
    MAP_ASSETS[-1],
)


def check_assets(assets: Sequence[Asset] = MAP_ASSETS, what: str = "the map's") -> None:
    """:class:`AssetsMissing` (503) naming the files, unless all of ``assets`` are there."""
    missing = [a.path for a in assets if not a.file.is_file()]
    if missing:
        raise AssetsMissing(
            f"{what} assets are missing ({', '.join(missing)}): run scripts/setup.sh, "
            "or `npm ci && npm run vendor` in web/ (building the package with "
            "`pip install .` does it where npm is installed)"
        )


_CSS_URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")


def inline_css(css: str, base: Path) -> str:
    """CSS with the files it refers to (relative ``url(...)``) as ``data:`` URIs."""

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2)
        if ref.startswith(("data:", "http:", "https:", "#")):
            return m.group(0)
        f = (base / ref).resolve()
        if not f.is_file() or STATIC_DIR not in f.parents:
            return m.group(0)
        mime = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
        return f"url(data:{mime};base64,{base64.b64encode(f.read_bytes()).decode()})"

    return _CSS_URL.sub(repl, css)


def safe_in_script(text: str) -> str:
    """Text that can sit inside an HTML ``<script>`` element without ending it early."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_asset(a: Asset) -> str:
    """The asset's content, ready to sit inside ``<style>`` or ``<script>``."""
    text = a.file.read_text(encoding="utf-8")
    if a.kind == "css":
        return inline_css(text, a.file.parent).replace("</style", "<\\/style")
    return safe_in_script(text)
