"""GeoPackage files of answers (``format=gpkg``): one layer holding the answer's rows,
with the columns of its CSV, and each area's boundary as stored (British National Grid,
EPSG:27700), written by pyogrio (GDAL) into a temporary file, as a GeoPackage needs one."""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyogrio

#: The media type of a GeoPackage (OGC).
GPKG_MEDIA_TYPE = "application/geopackage+sqlite3"
#: Boundaries are written as the database stores them.
GPKG_CRS = "EPSG:27700"


def layer_name(stem: str) -> str:
    """The layer (table) name for a file called ``stem``: what it holds, in letters,
    digits and underscores, as QGIS and SQL take a table name without quoting.

    >>> layer_name("E54000008-overlaps-lsoa21")
    'E54000008_overlaps_lsoa21'
    >>> layer_name("left-behind-neighbourhoods:E06000002-02-hotspots")
    'left_behind_neighbourhoods_E06000002_02_hotspots'
    """
    name = re.sub(r"[^A-Za-z0-9]+", "_", stem).strip("_") or "answer"
    return name if name[0].isalpha() else f"t_{name}"


def plain(v: Any) -> Any:
    """A cell value as a plain Python value: numpy scalars as numbers, NaN and infinities
    as None (missing), lists and dicts as JSON text.

    >>> plain(np.float64(1.5)), plain(float("nan")), plain([1, 2])
    (1.5, None, '[1,2]')
    """
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | dict):
        return orjson.dumps(v).decode()
    return v


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def table_frame(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """``rows`` as a frame of ``columns`` typed by their values: whole numbers as integers
    (nullable where some are missing), other numbers as floats, true/false as booleans,
    the rest as text. A column with no value at all is text."""
    values = {c: [] for c in columns}  # type: dict[str, list[Any]]
    for r in rows:
        for c in columns:
            values[c].append(plain(r.get(c)))
    out: dict[str, pd.Series] = {}
    for c, vs in values.items():
        present = [v for v in vs if v is not None]
        if present and all(_is_int(v) for v in present):
            out[c] = pd.Series(vs, dtype="Int64")
        elif present and all(_is_int(v) or isinstance(v, float) for v in present):
            out[c] = pd.Series([math.nan if v is None else float(v) for v in vs], dtype=float)
        elif present and all(isinstance(v, bool) for v in present):
            out[c] = pd.Series(vs, dtype="boolean")
        else:
            out[c] = pd.Series([None if v is None else str(v) for v in vs], dtype=object)
    return pd.DataFrame(out, columns=list(columns))


def to_gpkg(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    geometries: Sequence[bytes | None],
    *,
    layer: str,
    description: str = "",
) -> bytes:
    """A GeoPackage of one layer ``layer``: ``rows`` with ``columns`` as attributes and
    ``geometries`` (WKB in EPSG:27700, one per row) as MultiPolygons."""
    if len(geometries) != len(rows):
        raise ValueError(f"{len(rows)} rows but {len(geometries)} geometries")
    frame = gpd.GeoDataFrame(
        table_frame(rows, columns),
        geometry=gpd.GeoSeries.from_wkb(list(geometries), crs=GPKG_CRS),
    )
    with tempfile.TemporaryDirectory(prefix="depmap-gpkg-") as tmp:
        path = Path(tmp) / f"{layer}.gpkg"
        pyogrio.write_dataframe(
            frame,
            path,
            layer=layer,
            driver="GPKG",
            geometry_type="MultiPolygon",
            promote_to_multi=True,
            layer_options={"DESCRIPTION": description[:2000]} if description else None,
        )
        return path.read_bytes()
