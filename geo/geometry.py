"""Reading polygons drawn by users (GeoJSON) and checking them.

Every problem raises :class:`GeometryError` with a message that says what is
wrong, suitable to show to the person who drew the polygon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.errors import ShapelyError
from shapely.validation import explain_validity

from depmap.core.schema import SRID


class GeometryError(ValueError):
    """The geometry cannot be used; the message says why."""


@dataclass(frozen=True)
class Drawn:
    geom: shapely.MultiPolygon  # EPSG:27700
    crs: str
    vertices: int
    properties: dict[str, Any]
    #: ``properties.name``, checked (text, at most MAX_NAME characters), or None
    name: str | None = None


#: The longest name a drawn area may have (characters).
MAX_NAME = 200
#: England's extent in WGS84 (west, south, east, north), with a margin: a polygon outside it
#: whose coordinates swapped fall inside was written as [latitude, longitude].
ENGLAND_LONLAT = (-6.5, 49.8, 2.1, 55.9)


_CRS_URN = re.compile(r"^urn:ogc:def:crs:(?:EPSG|OGC):[^:]*:(\w+)$", re.I)


def crs_of(doc: dict[str, Any]) -> CRS:
    """The CRS named by a GeoJSON ``crs`` member (2008 spec), or WGS84 (RFC 7946)."""
    crs = doc.get("crs")
    if crs is None:
        return CRS.from_epsg(4326)
    if not isinstance(crs, dict) or not isinstance(crs.get("properties"), dict):
        raise GeometryError(
            'the crs member must look like {"type": "name", "properties": {"name": "EPSG:27700"}}'
        )
    name = crs["properties"].get("name")
    if not isinstance(name, str) or not name.strip():
        raise GeometryError("the crs member has no name")
    m = _CRS_URN.match(name.strip())
    code = m.group(1) if m else name.strip()
    if code.upper() == "CRS84":
        return CRS.from_epsg(4326)
    try:
        c = CRS.from_user_input(code if not code.isdigit() else int(code))
    except CRSError as e:
        raise GeometryError(f"the coordinate reference system {name!r} cannot be read") from e
    if not (c.is_projected or c.is_geographic):
        raise GeometryError(f"the coordinate reference system {name!r} is not a map projection")
    return c


def _geometries_of(doc: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The geometry objects of a Feature, FeatureCollection or bare geometry, and the
    properties of the (first) feature."""
    t = doc.get("type")
    if t == "Feature":
        g = doc.get("geometry")
        if not isinstance(g, dict):
            raise GeometryError("the Feature has no geometry")
        props = doc.get("properties") or {}
        return [g], props if isinstance(props, dict) else {}
    if t == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list) or not feats:
            raise GeometryError("the FeatureCollection has no features")
        geoms: list[Any] = []
        for i, f in enumerate(feats):
            if not isinstance(f, dict) or f.get("type") != "Feature":
                raise GeometryError(f"features[{i}] is not a Feature")
            g = f.get("geometry")
            if not isinstance(g, dict):
                raise GeometryError(f"features[{i}] has no geometry")
            geoms.append(g)
        props = feats[0].get("properties") or {}
        return geoms, props if isinstance(props, dict) else {}
    if t in ("Polygon", "MultiPolygon"):
        return [doc], {}
    raise GeometryError(
        f"expected a GeoJSON Feature or FeatureCollection with polygons, got type {t!r}"
    )


def parse_drawn(doc: Any, *, max_vertices: int, max_area_km2: float) -> Drawn:
    """A user's GeoJSON as one valid MultiPolygon in EPSG:27700 (see :func:`_parse`).

    GEOS errors on degenerate input (an empty shell with holes ...) become
    :class:`GeometryError` too.
    """
    try:
        return _parse(doc, max_vertices=max_vertices, max_area_km2=max_area_km2)
    except ShapelyError as e:
        raise GeometryError(f"the geometry cannot be used: {e}") from e


def _parse(doc: Any, *, max_vertices: int, max_area_km2: float) -> Drawn:
    """A user's GeoJSON as one valid MultiPolygon in EPSG:27700.

    Accepts a Feature, a FeatureCollection (its polygons are merged) or a bare
    Polygon/MultiPolygon; coordinates in WGS84 unless a ``crs`` member says
    otherwise.
    """
    if not isinstance(doc, dict):
        raise GeometryError("the body must be a GeoJSON object")
    crs = crs_of(doc)
    parts, props = _geometries_of(doc)
    if _has_nul(props):
        raise GeometryError("the properties must not contain NUL (0x00) characters")
    shapes = []
    for i, g in enumerate(parts):
        gt = g.get("type") if isinstance(g, dict) else None
        if gt not in ("Polygon", "MultiPolygon"):
            where = f"geometry {i}" if len(parts) > 1 else "the geometry"
            raise GeometryError(f"{where} is a {gt}, not a Polygon or MultiPolygon")
        coords = g.get("coordinates")
        if not isinstance(coords, list) or not coords:
            raise GeometryError("the polygon has no coordinates (it is empty)")
        n = _count_vertices(coords, max_vertices)
        if n > max_vertices:
            raise GeometryError(f"the polygon has more than {max_vertices:,} vertices")
        _check_rings(gt, coords, f"geometry {i}" if len(parts) > 1 else "")
        try:
            shp = shapely.geometry.shape(g)
        except (ValueError, TypeError, AttributeError, IndexError) as e:
            raise GeometryError(f"the coordinates are not a valid polygon: {e}") from e
        shapes.append(shp)
    geom = shapely.union_all(shapes) if len(shapes) > 1 else shapes[0]
    if geom.is_empty:
        raise GeometryError("the polygon is empty")
    vertices = int(shapely.get_num_coordinates(geom))
    if vertices > max_vertices:
        raise GeometryError(f"the polygon has {vertices:,} vertices; the limit is {max_vertices:,}")
    coords_arr = shapely.get_coordinates(geom)
    if not np.isfinite(coords_arr).all():
        raise GeometryError("the coordinates include values that are not finite numbers")
    if crs.is_geographic and _swapped(coords_arr):
        x, y = coords_arr[0]
        raise GeometryError(
            f"the coordinates look like [latitude, longitude] (the first is [{x:g}, {y:g}]): "
            "GeoJSON positions are [longitude, latitude], e.g. [-2.98, 53.40] in Liverpool; "
            "swap them"
        )
    if (
        crs.is_geographic
        and (np.abs(coords_arr[:, 0]) > 180).any() | (np.abs(coords_arr[:, 1]) > 90).any()
    ):
        raise GeometryError("longitudes/latitudes out of range: is the crs member missing?")
    if not geom.is_valid:
        reason = explain_validity(geom)
        raise GeometryError(f"the polygon is not valid: {reason}")
    if crs.to_epsg() != SRID:
        try:
            t = Transformer.from_crs(crs, CRS.from_epsg(SRID), always_xy=True)
            geom = shapely.transform(
                geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
            )
        except (CRSError, ValueError) as e:
            raise GeometryError(
                f"cannot transform from {crs.name} to British National Grid: {e}"
            ) from e
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            raise GeometryError("the polygon lies where British National Grid is undefined")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
    polys = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    flat: list[shapely.Polygon] = []
    for p in polys:
        flat.extend(shapely.get_parts(p) if shapely.get_type_id(p) == 6 else [p])
    mp = shapely.MultiPolygon(flat)
    if mp.is_empty or mp.area <= 0:
        raise GeometryError("the polygon has no area")
    if mp.area > max_area_km2 * 1e6:
        raise GeometryError(
            f"the polygon covers {mp.area / 1e6:,.0f} km²; the limit is {max_area_km2:,.0f} km²"
        )
    return Drawn(mp, crs.to_string(), vertices, props, _name(props))


def _name(props: dict[str, Any]) -> str | None:
    """``properties.name``: text of at most :data:`MAX_NAME` characters, no control
    characters (None when absent, null or blank)."""
    name = props.get("name")
    if name is None:
        return None
    if not isinstance(name, str):
        raise GeometryError(f"properties.name must be text, not {type(name).__name__}")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise GeometryError(
            f"properties.name is {len(name):,} characters long; the limit is {MAX_NAME}"
        )
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise GeometryError("properties.name must not contain control characters")
    return name or None


def _inside(xy: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = box
    x, y = xy[:, 0], xy[:, 1]
    return bool(((x >= west) & (x <= east) & (y >= south) & (y <= north)).all())


def _swapped(xy: np.ndarray) -> bool:
    """True when every position lies outside England but would lie in it swapped."""
    return not _inside(xy, ENGLAND_LONLAT) and _inside(xy[:, ::-1], ENGLAND_LONLAT)


def _check_rings(gtype: str, coords: list[Any], where: str) -> None:
    """Each ring is closed (its last position repeats its first, RFC 7946 3.1.6) and has at
    least 4 positions; the message names the ring."""
    polygons = [coords] if gtype == "Polygon" else coords
    for p, rings in enumerate(polygons):
        if not isinstance(rings, list) or not rings:
            raise GeometryError(f"polygon {p + 1} of {where or 'the MultiPolygon'} has no rings")
        for r, ring in enumerate(rings):
            what = f"ring {r + 1}" + (f" of polygon {p + 1}" if gtype == "MultiPolygon" else "")
            what += f" of {where}" if where else ""
            if not isinstance(ring, list) or not all(isinstance(pt, list) for pt in ring):
                raise GeometryError(f"{what} must be an array of [longitude, latitude] positions")
            if len(ring) < 4:
                raise GeometryError(
                    f"{what} has {len(ring)} positions; a ring needs at least 4 "
                    "(three corners and the first again)"
                )
            if ring[0][:2] != ring[-1][:2]:
                raise GeometryError(
                    f"{what} is not closed: its last position {ring[-1][:2]} must repeat "
                    f"its first {ring[0][:2]}"
                )


def _has_nul(v: Any, depth: int = 0) -> bool:
    """True if a NUL character is in any key or string of ``v`` (PostgreSQL cannot store it)."""
    if depth > 20:
        return False
    if isinstance(v, str):
        return "\x00" in v
    if isinstance(v, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(x, depth + 1) for k, x in v.items())
    if isinstance(v, list):
        return any(_has_nul(x, depth + 1) for x in v)
    return False


def _count_vertices(coords: Any, limit: int) -> int:
    """Count coordinate pairs without recursing deeper than GeoJSON allows."""
    n = 0
    stack = [(coords, 0)]
    while stack:
        c, depth = stack.pop()
        if depth > 4:
            raise GeometryError("the coordinates are nested too deeply for a polygon")
        if not isinstance(c, list):
            raise GeometryError("the coordinates must be arrays of numbers")
        if c and all(isinstance(x, int | float) and not isinstance(x, bool) for x in c):
            if len(c) < 2:
                raise GeometryError("a position needs at least two numbers")
            n += 1
            if n > limit:
                return n
            continue
        stack.extend((x, depth + 1) for x in c)
    return n
