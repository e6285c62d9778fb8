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
    return Drawn(mp, crs.to_string(), vertices, props)


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
