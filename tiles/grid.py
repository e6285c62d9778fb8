"""Web Mercator tile arithmetic: zoom bands, pixel sizes, tiles covering a box.

Pure functions (no database, no web framework). Tiles are the XYZ scheme of
OpenStreetMap and Leaflet: ``x`` grows eastwards and ``y`` southwards from the
north-west corner, ``2**z`` tiles a side.

Examples
--------
>>> band_for_zoom(3), band_for_zoom(7), band_for_zoom(11), band_for_zoom(12)
(5, 7, 10, None)
>>> lonlat_to_tile(-2.98, 53.41, 12)
(2014, 1326)
>>> parse_zooms("5-7")
[5, 6, 7]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from depmap.core.schema import TILE_BANDS, TILE_FULL_ZOOM

#: Circumference of the Web Mercator sphere at the equator (metres).
WORLD_M = 40_075_016.685578488
#: Web Mercator's northern limit (degrees).
MAX_LAT = 85.0511287798066
#: Scale of Web Mercator against the ground in the middle of England (1 / cos 52.5°).
ENGLAND_MERCATOR_SCALE = 1.0 / math.cos(math.radians(52.5))


def band_for_zoom(
    z: int, bands: Sequence[int] = TILE_BANDS, full_zoom: int = TILE_FULL_ZOOM
) -> int | None:
    """The generalisation band a zoom is drawn from, or ``None`` for full detail."""
    if z >= full_zoom:
        return None
    below = [b for b in bands if b <= z]
    return max(below) if below else min(bands)


def pixel_m(z: int, tile_px: int = 256) -> float:
    """The side of one screen pixel at zoom ``z`` in Web Mercator metres."""
    return WORLD_M / (tile_px * 2**z)


def ground_pixel_m(z: int, tile_px: int = 256) -> float:
    """The side of one screen pixel at zoom ``z`` on the ground in England (metres)."""
    return pixel_m(z, tile_px) / ENGLAND_MERCATOR_SCALE


def tile_in_range(z: int, x: int, y: int) -> bool:
    """Whether ``x`` and ``y`` name a tile of zoom ``z``."""
    n = 1 << z
    return 0 <= x < n and 0 <= y < n


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The tile of zoom ``z`` holding a point (clamped to the grid)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of a tile in degrees."""
    n = 1 << z

    def lat(yy: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def tiles_for_bbox(
    bbox: tuple[float, float, float, float], zooms: Sequence[int]
) -> Iterator[tuple[int, int, int]]:
    """Every tile ``(z, x, y)`` of the given zooms that meets a lon/lat box."""
    west, south, east, north = bbox
    for z in zooms:
        x0, y0 = lonlat_to_tile(west, north, z)
        x1, y1 = lonlat_to_tile(east, south, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y


def parse_zooms(spec: str, lo: int = 0, hi: int = 24) -> list[int]:
    """``"5-12"`` or ``"5,7,9"`` or ``"8"`` as a sorted list of zooms within ``lo..hi``.

    Raises
    ------
    ValueError
        When the text is not a zoom list or names a zoom outside ``lo..hi``.
    """
    out: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        a, sep, b = part.partition("-")
        if not a.isdigit() or (sep and not b.isdigit()):
            raise ValueError(f"{spec!r} is not a zoom list such as 5-12 or 5,7,9")
        first, last = int(a), int(b) if sep else int(a)
        if first > last:
            raise ValueError(f"{part!r}: the first zoom is above the last")
        out.update(range(first, last + 1))
    if not out:
        raise ValueError("no zooms given")
    bad = [z for z in sorted(out) if not lo <= z <= hi]
    if bad:
        raise ValueError(f"zoom {bad[0]} is outside {lo}..{hi}")
    return sorted(out)
