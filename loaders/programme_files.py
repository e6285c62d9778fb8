"""Reading the files that define programme areas (Big Local and others).

Two shapes of file:

* **boundaries**: GeoJSON, GeoPackage or zipped Shapefile (or FlatGeobuf), in any
  CRS pyproj understands, one feature per area (features sharing a code are
  merged into one area);
* **code lists**: a CSV with one row per area and LSOA21 (``E01...``) or OA21
  (``E00...``) code, in long form (``area, code`` rows) or with several codes in one
  cell separated by ``;``, ``|`` or spaces.

The area's code and name come from ``code_field`` / ``name_field`` or, when not
given, from the first column named like :data:`CODE_FIELDS` / :data:`NAME_FIELDS`
(an area with a name but no code column gets the name's slug as its code). Every
problem raises :class:`~loaders.base.LoadError` naming the file and the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from depmap.core.errors import LoadError
from depmap.core.names import slug
from sources.boundaries import (
    ENGLAND_BOUNDS_27700,
    layer_fields,
    polygonal,
    read_layer,
    to_british_grid,
)
from sources.tables import find_column

GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".fgb")
CSV_SUFFIXES = (".csv", ".txt")
CODE_FIELDS = ("code", "area_code", "areacode", "id", "area_id", "ref", "bl_code", "pcn_code")
NAME_FIELDS = ("name", "area_name", "areaname", "title", "label", "bl_name", "pcn_name")
LSOA_FIELDS = ("lsoa21_code", "lsoa21cd", "lsoa_code", "lsoa21", "lsoa", "lsoa_cd")
OA_FIELDS = ("oa21_code", "oa21cd", "oa_code", "oa21", "oa", "oa_cd")
UNIT_PATTERNS = {"lsoa21": re.compile(r"^[EW]01\d{6}$"), "oa21": re.compile(r"^[EW]00\d{6}$")}
_SPLIT = re.compile(r"[;|,\s]+")


@dataclass
class AreaFile:
    """The areas a file defines, before they are checked against the loaded LSOAs."""

    path: Path
    format: str  # geojson, gpkg, shapefile, fgb, csv
    areas: pd.DataFrame  # code, name (one row per area, in file order)
    geoms: np.ndarray | None = None  # MultiPolygons in EPSG:27700 (boundary files)
    empty: list[str] = field(default_factory=list)  # codes of areas with no geometry/codes
    units: pd.DataFrame | None = None  # code, unit_code, unit_kind (code lists)
    notes: list[str] = field(default_factory=list)


def file_format(path: Path) -> str:
    suf = path.suffix.lower()
    if suf in CSV_SUFFIXES:
        return "csv"
    if suf == ".zip":
        return "shapefile"
    if suf in (".geojson", ".json"):
        return "geojson"
    if suf in GEO_SUFFIXES:
        return suf.lstrip(".")
    raise LoadError(
        f"{path.name}: unsupported format {path.suffix!r}; use GeoJSON, GeoPackage, zipped "
        "Shapefile or a CSV of LSOA21/OA21 codes"
    )


def read_area_file(
    path: Path, *, code_field: str | None = None, name_field: str | None = None
) -> AreaFile:
    """Read a programme file of any supported format (see the module docstring)."""
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    fmt = file_format(path)
    if fmt == "csv":
        return _read_code_list(path, code_field, name_field)
    return _read_boundaries(path, fmt, code_field, name_field)


def _columns(
    fields: list[str], path: Path, code_field: str | None, name_field: str | None
) -> tuple[str | None, str | None]:
    def given(f: str | None, what: str) -> str | None:
        if f is None:
            return None
        col = find_column(fields, [f], path.name, required=False)
        if col is None:
            raise LoadError(
                f"{path.name}: no {what} column {f!r} (the file has: {', '.join(fields) or 'none'})"
            )
        return col

    code_col = given(code_field, "code") or (
        None if code_field else find_column(fields, CODE_FIELDS, path.name, required=False)
    )
    name_col = given(name_field, "name") or (
        None if name_field else find_column(fields, NAME_FIELDS, path.name, required=False)
    )
    if code_col is None and name_col is None:
        raise LoadError(
            f"{path.name}: no area code or name column (looked for {', '.join(CODE_FIELDS)} and "
            f"{', '.join(NAME_FIELDS)}; the file has: {', '.join(fields) or 'none'}); "
            "pass --code-field / --name-field"
        )
    return code_col, name_col


def _codes_names(
    frame: pd.DataFrame, code_col: str | None, name_col: str | None, path: Path
) -> tuple[pd.Series, pd.Series]:
    names = frame[name_col].astype("string").str.strip() if name_col else None
    if code_col:
        codes = frame[code_col].astype("string").str.strip()
    else:
        assert names is not None
        codes = names.fillna("").map(slug).astype("string")
    missing = codes.isna() | (codes == "")
    if missing.any():
        raise LoadError(
            f"{path.name}: {int(missing.sum())} rows have no area code "
            f"(rows {', '.join(str(i + 1) for i in np.flatnonzero(missing)[:5])})"
        )
    if names is None:
        names = codes
    names = names.fillna(codes).where(names.fillna("") != "", codes)
    return codes, names


def _read_boundaries(
    path: Path, fmt: str, code_field: str | None, name_field: str | None
) -> AreaFile:
    fields = layer_fields(path)
    code_col, name_col = _columns(fields, path, code_field, name_field)
    gdf = read_layer(path, [c for c in (code_col, name_col) if c])
    if gdf.empty:
        raise LoadError(f"{path.name}: the file has no features")
    codes, names = _codes_names(gdf, code_col, name_col, path)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    is_empty = np.array([g is None or shapely.is_empty(g) for g in geoms])
    empty = sorted(set(codes[is_empty].tolist()) - set(codes[~is_empty].tolist()))
    keep = ~is_empty
    if not keep.any():
        raise LoadError(f"{path.name}: every feature has an empty geometry")
    arr = to_british_grid(gdf.loc[keep].geometry, path.name)
    frame = pd.DataFrame({"code": codes[keep].to_numpy(), "name": names[keep].to_numpy()})
    notes: list[str] = []
    if frame["code"].duplicated().any():
        n_feat = len(frame)
        merged = {
            c: shapely.union_all(arr[idx])
            for c, idx in frame.groupby("code", sort=False).indices.items()
        }
        frame = frame.drop_duplicates("code").reset_index(drop=True)
        arr = polygonal(np.asarray([merged[c] for c in frame["code"]], dtype=object), path.name)
        notes.append(f"{n_feat} features merged into {len(frame)} areas by code")
    minx, miny, maxx, maxy = ENGLAND_BOUNDS_27700
    b = shapely.bounds(arr)
    far = (b[:, 2] < minx) | (b[:, 0] > maxx) | (b[:, 3] < miny) | (b[:, 1] > maxy)
    if far.all():
        raise LoadError(
            f"{path.name}: every area lies outside England once projected; is the coordinate "
            "reference system right?"
        )
    return AreaFile(path=path, format=fmt, areas=frame, geoms=arr, empty=empty, notes=notes)


def _read_code_list(path: Path, code_field: str | None, name_field: str | None) -> AreaFile:
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as e:
        raise LoadError(f"{path.name}: not a readable CSV: {e}") from e
    fields = [str(c) for c in df.columns]
    if df.empty:
        raise LoadError(f"{path.name}: the file has a header but no rows")
    unit_col = find_column(fields, LSOA_FIELDS + OA_FIELDS, path.name, required=False)
    if unit_col is None:  # a column whose values look like LSOA21/OA21 codes
        for c in fields:
            v = df[c].astype(str).str.strip().str.upper()
            if v.str.match(r"^[EWSN]0[01]\d{6}").mean() > 0.5:
                unit_col = c
                break
    if unit_col is None:
        raise LoadError(
            f"{path.name}: no column of LSOA21 or OA21 codes (looked for "
            f"{', '.join(LSOA_FIELDS + OA_FIELDS)}; the file has: {', '.join(fields)})"
        )
    others = [c for c in fields if c != unit_col]
    code_col, name_col = _columns(others, path, code_field, name_field)
    codes, names = _codes_names(df, code_col, name_col, path)
    units = pd.DataFrame({"code": codes.to_numpy(), "cell": df[unit_col].astype(str).to_numpy()})
    units["unit_code"] = (
        units["cell"].str.strip().str.upper().map(lambda s: [u for u in _SPLIT.split(s) if u])
    )
    units = units.explode("unit_code")
    empty_codes = set(units.loc[units["unit_code"].isna(), "code"])
    units = units.dropna(subset=["unit_code"])
    kind = pd.Series("", index=units.index, dtype=object)
    for k, pat in UNIT_PATTERNS.items():
        kind[units["unit_code"].str.match(pat.pattern)] = k
    bad = units.loc[kind == "", "unit_code"]
    if len(bad):
        raise LoadError(
            f"{path.name}: {len(bad):,} values of column {unit_col!r} are not LSOA21 (E01...) or "
            f"OA21 (E00...) codes, e.g. {', '.join(bad.astype(str).unique()[:5])}"
        )
    units["unit_kind"] = kind
    units = units[["code", "unit_code", "unit_kind"]]
    notes = []
    dup = units.duplicated(["code", "unit_code"])
    if dup.any():
        notes.append(f"{int(dup.sum())} repeated codes within an area counted once")
        units = units[~dup]
    areas = (
        pd.DataFrame({"code": codes.to_numpy(), "name": names.to_numpy()})
        .drop_duplicates("code")
        .reset_index(drop=True)
    )
    empty = sorted(empty_codes - set(units["code"]))
    return AreaFile(
        path=path,
        format="csv",
        areas=areas,
        units=units.reset_index(drop=True),
        empty=empty,
        notes=notes,
    )
