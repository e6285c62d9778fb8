"""Reading published files, checking them before anything is written.

Boundary files may be GeoPackage, GeoJSON or zipped Shapefile, in any CRS that
pyproj understands; tables are CSV. Every reader raises :class:`LoadError` with
a message that names the file and what is wrong with it.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from depmap.schema import SRID
from loaders.base import LoadError

#: Rough bounds of England in EPSG:27700 (with the Isles of Scilly), metres.
ENGLAND_BOUNDS_27700 = (80_000.0, 0.0, 660_000.0, 670_000.0)

GSS_PATTERNS: dict[str, str] = {
    "lsoa21": r"E01\d{6}",
    "lsoa11": r"E01\d{6}",
    "msoa21": r"E02\d{6}",
    "msoa11": r"E02\d{6}",
    "ward": r"E05\d{6}",
    "ltla": r"E0[6789]\d{6}",
    "sicbl": r"E38\d{6}",
    "icb": r"E54\d{6}",
}

BOUNDARY_SUFFIXES = (".gpkg", ".geojson", ".json", ".zip", ".shp", ".fgb")


def _pick(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    lower = {c.lower(): c for c in columns}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


def _vsi_path(path: Path) -> str:
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


def read_boundaries(
    path: Path,
    *,
    kind: str,
    code_fields: Sequence[str],
    name_fields: Sequence[str],
    expected_count: int | None = None,
    require_england: bool = True,
) -> gpd.GeoDataFrame:
    """Read a boundary file into ``code, name, geometry`` in EPSG:27700.

    Checks: the code column exists; codes match the GSS pattern of ``kind`` and
    are English; no duplicates; the CRS is known; geometries are polygonal and
    made valid; the features sit inside England; the count is as expected.
    """
    if path.suffix.lower() not in BOUNDARY_SUFFIXES:
        raise LoadError(
            f"{path.name}: unsupported boundary format {path.suffix!r} "
            f"(use {', '.join(BOUNDARY_SUFFIXES)})"
        )
    src = _vsi_path(path)
    try:
        info = pyogrio.read_info(src)
    except Exception as e:  # pyogrio raises several DataSource errors
        raise LoadError(f"{path.name}: cannot be read as a boundary file: {e}") from e
    fields = [str(f) for f in info["fields"]]
    code_col = _pick(fields, code_fields)
    if code_col is None:
        raise LoadError(
            f"{path.name}: no code column (looked for {', '.join(code_fields)}; "
            f"the file has {', '.join(fields) or 'no columns'})"
        )
    name_col = _pick(fields, name_fields)
    cols = [code_col] + ([name_col] if name_col else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            gdf = pyogrio.read_dataframe(src, columns=cols)
        except Exception as e:
            raise LoadError(f"{path.name}: cannot be read: {e}") from e
    crs = resolve_crs(gdf.crs, path.name)
    gdf = gdf.set_crs(crs, allow_override=True)
    if crs.is_geographic and len(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        if (
            min(minx, maxx) < -180
            or max(minx, maxx) > 180
            or min(miny, maxy) < -90
            or max(miny, maxy) > 90
        ):
            raise LoadError(
                f"{path.name}: coordinates out of range for {crs.name} (longitude/latitude); "
                "is the coordinate reference system right?"
            )
    out = gpd.GeoDataFrame(
        {
            "code": gdf[code_col].astype("string").str.strip(),
            "name": (gdf[name_col].astype("string").str.strip() if name_col else gdf[code_col]),
        },
        geometry=gdf.geometry.values,
        crs=crs,
    )
    check_codes(out["code"], kind=kind, source=path.name, require_england=require_england)
    if out.geometry.isna().any() or out.geometry.is_empty.any():
        bad = out.loc[out.geometry.isna() | out.geometry.is_empty, "code"].head(5).tolist()
        raise LoadError(f"{path.name}: features with no geometry: {', '.join(map(str, bad))}")
    out = out.to_crs(SRID) if crs.to_epsg() != SRID else out.set_crs(SRID, allow_override=True)
    if not np.isfinite(shapely.get_coordinates(out.geometry.values)).all():
        raise LoadError(
            f"{path.name}: some coordinates cannot be projected to British National Grid; "
            "is the coordinate reference system right?"
        )
    out["geometry"] = polygonal(out.geometry.values, path.name)
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


def check_codes(codes: pd.Series, *, kind: str, source: str, require_england: bool = True) -> None:
    """GSS codes: present, unique, of the right kind and English."""
    if codes.isna().any():
        raise LoadError(f"{source}: {int(codes.isna().sum())} rows have no {kind} code")
    pattern = GSS_PATTERNS.get(kind)
    if pattern:
        s = codes.astype(str)
        not_england = s[~s.str.startswith("E")]
        if require_england and len(not_england):
            ex = ", ".join(not_england.head(5))
            raise LoadError(
                f"{source}: {len(not_england):,} codes are not in England "
                f"(e.g. {ex}); load English {kind} codes only"
            )
        wrong = s[~s.str.fullmatch(pattern)]
        if len(wrong):
            ex = ", ".join(wrong.head(5))
            raise LoadError(
                f"{source}: {len(wrong):,} values are not {kind} codes ({pattern}), e.g. {ex}"
            )
    dup = codes[codes.duplicated()]
    if len(dup):
        raise LoadError(
            f"{source}: duplicate {kind} codes: {', '.join(map(str, dup.unique()[:5]))}"
        )


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


def read_csv(
    path: Path,
    *,
    required: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
    dtype: Mapping[str, object] | None = None,
    optional: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a CSV and check its header.

    ``required`` are the canonical column names; ``aliases`` maps a canonical
    name to other headers used by the official publication. The result has the
    canonical names. A missing column raises :class:`LoadError` naming it.
    """
    aliases = aliases or {}
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise LoadError(f"{path.name}: not a readable CSV: {e}") from e
    rename: dict[str, str] = {}
    missing: list[str] = []
    for canon in list(required) + list(optional):
        col = _pick(header, [canon, *aliases.get(canon, ())])
        if col is not None and col in rename:
            continue
        if col is None:
            if canon in required:
                missing.append(canon)
        else:
            rename[col] = canon
    if missing:
        shown = ", ".join(header[:12]) + (" ..." if len(header) > 12 else "")
        raise LoadError(
            f"{path.name}: wrong header: missing column(s) {', '.join(missing)} "
            f"(the file has: {shown})"
        )
    try:
        df = pd.read_csv(
            path,
            usecols=list(rename),
            encoding="utf-8-sig",
            dtype={k: v for k, v in (dtype or {}).items()}
            | {c: "string" for c in rename if rename[c].endswith("_code")},
            keep_default_na=True,
        )
    except (ValueError, pd.errors.ParserError) as e:
        raise LoadError(f"{path.name}: cannot be parsed: {e}") from e
    return df.rename(columns=rename)


def numeric(df: pd.DataFrame, cols: Sequence[str], source: str) -> pd.DataFrame:
    """Coerce columns to numbers; text that is not a number is an error, empty is missing."""
    for c in cols:
        if pd.api.types.is_numeric_dtype(df[c]):
            continue
        conv = pd.to_numeric(df[c], errors="coerce")
        bad = df[c].notna() & conv.isna() & (df[c].astype("string").str.strip() != "")
        if bad.any():
            ex = df.loc[bad, c].head(3).tolist()
            raise LoadError(f"{source}: column {c} has values that are not numbers, e.g. {ex}")
        df[c] = conv
    return df


_slug_re = re.compile(r"[^a-z0-9]+")


def slug(s: str) -> str:
    return _slug_re.sub("-", s.lower()).strip("-")
