"""Reading boundary files, checking them before anything is written.

Boundary files may be GeoPackage, GeoJSON, zipped Shapefile or FlatGeobuf, in any
CRS that pyproj understands. One reader for every boundary depmap takes (official
areas, programme areas, PCN footprints an ICB supplies): :func:`layer_fields` and
:func:`read_layer` open the file, :func:`to_british_grid` checks and projects the
geometries. Every function raises :class:`LoadError` with a message that names the
file and what is wrong with it.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from depmap.core.errors import LoadError
from depmap.core.schema import SRID
from sources.codes import check_codes
from sources.tables import find_column

#: Rough bounds of England in EPSG:27700 (with the Isles of Scilly), metres.
ENGLAND_BOUNDS_27700 = (80_000.0, 0.0, 660_000.0, 670_000.0)

BOUNDARY_SUFFIXES = (".gpkg", ".geojson", ".json", ".zip", ".shp", ".fgb")


def vsi_path(path: Path) -> str:
    """The path GDAL reads: a zip's one layer through ``/vsizip/``, else the file."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as z:
            shps = [n for n in z.namelist() if n.lower().endswith(".shp")]
            gpkgs = [n for n in z.namelist() if n.lower().endswith((".gpkg", ".geojson"))]
        inner = shps or gpkgs
        if not inner:
            raise LoadError(f"{path.name}: the zip holds no .shp, .gpkg or .geojson file")
        if len(inner) > 1:
            raise LoadError(f"{path.name}: the zip holds several layers ({', '.join(inner)})")
        return f"/vsizip/{path}/{inner[0]}"
    return str(path)


def layer_fields(path: Path) -> list[str]:
    """The attribute columns of a boundary file's layer."""
    try:
        info = pyogrio.read_info(vsi_path(path))
    except LoadError:
        raise
    except Exception as e:  # pyogrio raises several DataSource errors
        raise LoadError(f"{path.name}: cannot be read as a boundary file: {e}") from e
    return [str(f) for f in info["fields"]]


def read_layer(path: Path, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """The layer's features with these columns (and geometry), in the file's CRS."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return pyogrio.read_dataframe(vsi_path(path), columns=list(dict.fromkeys(columns)))
        except Exception as e:
            raise LoadError(f"{path.name}: cannot be read: {e}") from e


def resolve_crs(crs: object, source: str) -> CRS:
    """The CRS of a file, or a clear error when it has none or it cannot be read."""
    if crs is None:
        raise LoadError(
            f"{source}: the geometry has no coordinate reference system "
            "(a Shapefile needs its .prj; GeoJSON is read as WGS84)"
        )
    try:
        c = CRS.from_user_input(crs)
    except CRSError as e:
        raise LoadError(f"{source}: unknown coordinate reference system {crs!r}: {e}") from e
    if not c.is_projected and not c.is_geographic:
        raise LoadError(f"{source}: the coordinate reference system {c.name!r} is not usable")
    try:
        Transformer.from_crs(c, CRS.from_epsg(SRID), always_xy=True)
    except CRSError as e:  # pragma: no cover - pyproj rarely fails here
        raise LoadError(f"{source}: cannot transform {c.name!r} to EPSG:{SRID}: {e}") from e
    return c


def to_british_grid(geoms: gpd.GeoSeries, source: str) -> np.ndarray:
    """Non-empty polygons in any CRS as valid MultiPolygons in EPSG:27700.

    Checks that the CRS is known, that longitudes and latitudes are in range, that
    every coordinate projects, and that the geometries are polygonal (repaired
    with ``make_valid`` where needed).
    """
    crs = resolve_crs(geoms.crs, source)
    g = geoms.set_crs(crs, allow_override=True)
    if crs.is_geographic and len(g):
        minx, miny, maxx, maxy = g.total_bounds
        if (
            min(minx, maxx) < -180
            or max(minx, maxx) > 180
            or min(miny, maxy) < -90
            or max(miny, maxy) > 90
        ):
            raise LoadError(
                f"{source}: coordinates out of range for {crs.name} (longitude/latitude); "
                "is the coordinate reference system right?"
            )
    g = g.to_crs(SRID) if crs.to_epsg() != SRID else g.set_crs(SRID, allow_override=True)
    arr = np.asarray(g.values, dtype=object)
    if not np.isfinite(shapely.get_coordinates(arr)).all():
        raise LoadError(
            f"{source}: some coordinates cannot be projected to British National Grid; "
            "is the coordinate reference system right?"
        )
    return polygonal(arr, source)


def read_boundaries(
    path: Path,
    *,
    kind: str,
    code_fields: Sequence[str],
    name_fields: Sequence[str],
    expected_count: int | None = None,
    require_england: bool = True,
) -> gpd.GeoDataFrame:
    """Read an official boundary file into ``code, name, geometry`` in EPSG:27700.

    Checks: the code column exists; codes match the GSS pattern of ``kind`` and
    are English; no duplicates; no empty geometry; the CRS is known; geometries are
    polygonal and made valid; the features sit inside England; the count is as
    expected.
    """
    if path.suffix.lower() not in BOUNDARY_SUFFIXES:
        raise LoadError(
            f"{path.name}: unsupported boundary format {path.suffix!r} "
            f"(use {', '.join(BOUNDARY_SUFFIXES)})"
        )
    fields = layer_fields(path)
    code_col = find_column(fields, code_fields, path.name, required=False)
    if code_col is None:
        raise LoadError(
            f"{path.name}: no code column (looked for {', '.join(code_fields)}; "
            f"the file has {', '.join(fields) or 'no columns'})"
        )
    name_col = find_column(fields, name_fields, path.name, required=False)
    gdf = read_layer(path, [code_col] + ([name_col] if name_col else []))
    codes = gdf[code_col].astype("string").str.strip()
    check_codes(codes, kind=kind, source=path.name, require_england=require_england)
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        bad = codes[empty].head(5).tolist()
        raise LoadError(f"{path.name}: features with no geometry: {', '.join(map(str, bad))}")
    out = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": (gdf[name_col].astype("string").str.strip() if name_col else gdf[code_col]),
        },
        geometry=to_british_grid(gdf.geometry, path.name),
        crs=SRID,
    )
    check_inside_england(out, path.name)
    if expected_count is not None and len(out) != expected_count:
        raise LoadError(
            f"{path.name}: {len(out):,} {kind} features, expected {expected_count:,} for England"
        )
    return out


def polygonal(geoms: np.ndarray, source: str) -> np.ndarray:
    """Make geometries valid and keep their polygonal part as MultiPolygons."""
    types = shapely.get_type_id(geoms)
    bad = ~np.isin(types, (3, 6, 7))  # Polygon, MultiPolygon, GeometryCollection
    if bad.any():
        kinds = sorted({shapely.get_type_id(g) for g in geoms[bad]})
        names = {
            0: "Point",
            1: "LineString",
            2: "LinearRing",
            4: "MultiPoint",
            5: "MultiLineString",
        }
        raise LoadError(
            f"{source}: {int(bad.sum())} geometries are not polygons "
            f"({', '.join(names.get(k, str(k)) for k in kinds)})"
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return to_multipolygons(geoms, source)


def to_multipolygons(geoms: np.ndarray, source: str) -> np.ndarray:
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        tid = shapely.get_type_id(g)
        if tid == 6:
            out[i] = g
        elif tid == 3:
            out[i] = shapely.MultiPolygon([g])
        else:
            parts = [
                p
                for p in shapely.get_parts(g)
                if shapely.get_type_id(p) in (3, 6) and not p.is_empty
            ]
            polys: list[shapely.Polygon] = []
            for p in parts:
                polys.extend(shapely.get_parts(p) if shapely.get_type_id(p) == 6 else [p])
            if not polys:
                raise LoadError(f"{source}: a geometry has no polygonal part after repair")
            out[i] = shapely.MultiPolygon(polys)
    return out


def check_inside_england(gdf: gpd.GeoDataFrame, source: str) -> None:
    minx, miny, maxx, maxy = ENGLAND_BOUNDS_27700
    b = gdf.geometry.bounds
    outside = (b.maxx < minx) | (b.minx > maxx) | (b.maxy < miny) | (b.miny > maxy)
    if outside.any():
        ex = ", ".join(map(str, gdf.loc[outside, "code"].head(5)))
        raise LoadError(
            f"{source}: {int(outside.sum())} features lie outside England once projected "
            f"(e.g. {ex}); is the coordinate reference system right?"
        )
