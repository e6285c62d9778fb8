"""Official files as published -> the data layout the loaders read (England only).

Each converter takes the fetched files of one dataset (in the order of its
``sources`` in ``sources.json``), the destination folder and the output paths
the manifest names, writes those outputs atomically and returns what it wrote.
Headers are matched after collapsing whitespace and case, as published files
drift in both; a missing column raises :class:`LoadError` naming the file and
the columns it has. Rows outside England (Welsh ``W`` codes in the England and
Wales files) are dropped, then codes are checked as the loaders check them.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from depmap.core.errors import LoadError
from fetch.download import atomic_path, sha256_file
from sources.codes import check_codes
from sources.tables import england, find_column, norm, read_table, select, to_numbers

log = logging.getLogger("depmap.fetch")


@dataclass(frozen=True)
class Output:
    """A file written in the data layout (``path`` relative to the data folder)."""

    path: str
    rows: int | None
    size: int = 0
    sha256: str = ""


Converter = Callable[[Sequence[Path], Path, Sequence[str]], list[Output]]


def write_csv(df: pd.DataFrame, dest: Path, rel: str) -> Output:
    target = dest / rel
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False)
    return _output(dest, rel, len(df))


def _output(dest: Path, rel: str, rows: int | None) -> Output:
    p = dest / rel
    return Output(rel, rows, p.stat().st_size, sha256_file(p))


def _one(outputs: Sequence[str], n: int, name: str) -> None:
    if len(outputs) != n:
        raise LoadError(f"converter {name} writes {n} file(s); the manifest names {len(outputs)}")


# --- boundaries ---------------------------------------------------------------------------


def boundaries(
    raws: Sequence[Path],
    dest: Path,
    outputs: Sequence[str],
    *,
    kind: str,
    code: Sequence[str],
    name: Sequence[str],
    out_code: str,
    out_name: str,
) -> list[Output]:
    """A FeatureServer GeoJSON (England and Wales) -> a GeoPackage of England's areas."""
    _one(outputs, 1, "boundaries")
    path = raws[0]
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as e:  # pyogrio raises several DataSource errors
        raise LoadError(f"{path.name}: cannot be read as GeoJSON: {e}") from e
    c = find_column(gdf.columns, code, path.name)
    n = find_column(gdf.columns, name, path.name)
    assert c is not None and n is not None
    gdf = england(gdf, c)
    out = gpd.GeoDataFrame(
        {out_code: gdf[c].astype(str).str.strip(), out_name: gdf[n].astype(str).str.strip()},
        geometry=gdf.geometry.values,
        crs=gdf.crs or "EPSG:4326",
    )
    if out.empty:
        raise LoadError(f"{path.name}: no English {kind} features")
    check_codes(out[out_code], kind=kind, source=path.name)
    rel = outputs[0]
    with atomic_path(dest / rel, keep_suffix=True) as tmp:
        pyogrio.write_dataframe(out, tmp, layer=Path(rel).stem, driver="GPKG")
    return [_output(dest, rel, len(out))]


# --- lookups ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupSpec:
    columns: dict[str, tuple[str, ...]]
    #: the column that must be unique once rows are de-duplicated (None: pairs)
    key: str | None
    #: code columns and their kinds, checked and filtered to England
    codes: dict[str, str]
    optional: tuple[str, ...] = ()


LOOKUPS: dict[str, LookupSpec] = {
    "lsoa21_msoa21": LookupSpec(
        {
            "lsoa21_code": ("LSOA21CD",),
            "lsoa21_name": ("LSOA21NM",),
            "msoa21_code": ("MSOA21CD",),
            "msoa21_name": ("MSOA21NM",),
        },
        key="lsoa21_code",
        codes={"lsoa21_code": "lsoa21", "msoa21_code": "msoa21"},
    ),
    "lsoa21_sicbl_icb": LookupSpec(
        {
            "lsoa21_name": ("LSOA21NM",),
            "lsoa21_code": ("LSOA21CD",),
            "sicbl24_name": ("SICBL24NM",),
            "sicbl24_code": ("SICBL24CD",),
            "sicbl24_code_nhs": ("SICBL24CDH",),
            "icb24_name": ("ICB24NM",),
            "icb24_code": ("ICB24CD",),
            "icb24_code_nhs": ("ICB24CDH",),
        },
        key="lsoa21_code",
        codes={"lsoa21_code": "lsoa21", "sicbl24_code": "sicbl", "icb24_code": "icb"},
        optional=("lsoa21_name",),
    ),
    "lsoa21_ward_ltla": LookupSpec(
        {
            "lsoa21_name": ("LSOA21NM",),
            "lsoa21_code": ("LSOA21CD",),
            "ward24_name": ("WD24NM",),
            "ward24_code": ("WD24CD",),
            "ltla24_name": ("LAD24NM",),
            "ltla24_code": ("LAD24CD",),
        },
        key="lsoa21_code",
        codes={"lsoa21_code": "lsoa21", "ward24_code": "ward", "ltla24_code": "ltla"},
        optional=("lsoa21_name",),
    ),
    "lsoa11_lsoa21": LookupSpec(
        {
            "lsoa11_name": ("LSOA11NM",),
            "lsoa11_code": ("LSOA11CD", "F_LSOA11CD"),
            "change_code": ("CHGIND",),
            "lsoa21_name": ("LSOA21NM",),
            "lsoa21_code": ("LSOA21CD",),
            "ltla22_name": ("LAD22NM",),
            "ltla22_code": ("LAD22CD",),
        },
        key=None,
        codes={"lsoa11_code": "lsoa11", "lsoa21_code": "lsoa21"},
        optional=("lsoa11_name", "lsoa21_name", "ltla22_name", "ltla22_code"),
    ),
    "lsoa11_msoa11": LookupSpec(
        {
            "lsoa11_name": ("LSOA11NM",),
            "lsoa11_code": ("LSOA11CD",),
            "msoa11_name": ("MSOA11NM",),
            "msoa11_code": ("MSOA11CD",),
        },
        key="lsoa11_code",
        codes={"lsoa11_code": "lsoa11", "msoa11_code": "msoa11"},
        optional=("lsoa11_name", "msoa11_name"),
    ),
}


def lookup(
    raws: Sequence[Path], dest: Path, outputs: Sequence[str], *, spec: LookupSpec
) -> list[Output]:
    """An ONS lookup table (often one row per Output Area) -> one row per English area."""
    _one(outputs, 1, "lookup")
    path = raws[0]
    df = select(read_table(path), spec.columns, path.name, spec.optional)
    for col in df.columns:
        df[col] = df[col].astype(str).str.strip()
    for col in spec.codes:
        df = england(df, col)
    df = df.drop_duplicates().reset_index(drop=True)
    if df.empty:
        raise LoadError(f"{path.name}: no English rows")
    for col, kind in spec.codes.items():
        vals = df[col] if col == spec.key else df[col].drop_duplicates()
        check_codes(vals, kind=kind, source=path.name)
    if spec.key is None:
        pairs = df[list(spec.codes)]
        dup = pairs[pairs.duplicated()]
        if len(dup):
            raise LoadError(
                f"{path.name}: conflicting rows for the same pair, e.g. {dup.iloc[0].tolist()}"
            )
    return [write_csv(df, dest, outputs[0])]


# --- Indices of Deprivation -----------------------------------------------------------------

#: loader column stem -> the published label (IoD 2025; 2019 names Housing "and Access")
IMD_LABELS: dict[str, str] = {
    "IMD": "Index of Multiple Deprivation (IMD)",
    "Income": "Income",
    "Employment": "Employment",
    "Education": "Education, Skills and Training",
    "Health": "Health Deprivation and Disability",
    "Crime": "Crime",
    "Housing_and_Services": "Barriers to Housing and Services",
    "Environment": "Living Environment",
}
SUBDOMAIN_LABELS: dict[str, str] = {
    "children_and_young_people": "Children and Young People Sub-domain",
    "adult_skills": "Adult Skills Sub-domain",
    "geographical_barriers": "Geographical Barriers Sub-domain",
    "wider_barriers": "Wider Barriers Sub-domain",
    "indoors": "Indoors Sub-domain",
    "outdoors": "Outdoors Sub-domain",
}
MEASURES = {"score": "Score", "rank": "Rank", "decile": "Decile"}


def _file7_columns(
    labels: Mapping[str, str], measures: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    # by prefix: the published headers go on "(where 1 is most deprived ...)", and one of
    # them is cut short in the 2025 file ("... most deprived 10% of LSO")
    return {
        f"{stem}_{m}": (f"{label} {MEASURES[m]}*",)
        for stem, label in labels.items()
        for m in measures
    }


def imd_file7(
    raws: Sequence[Path], dest: Path, outputs: Sequence[str], *, vintage: str
) -> list[Output]:
    """IoD File 7 (every index, domain and sub-domain in one CSV) -> the loaders' tables.

    2025: ``imd2025_lsoa21.csv`` (IMD and domains: score, rank, decile) and
    ``imd2025_lsoa21_subdomains.csv``. 2019: ``imd2019_lsoa11.csv`` (ranks and
    deciles, with the 2019 stem ``Housing_and_Access``).
    """
    path = raws[0]
    src = path.name
    raw = read_table(path)
    if vintage == "2025":
        _one(outputs, 2, "imd_file7 (2025)")
        code, kind = "lsoa21_code", "lsoa21"
        code_cands: tuple[str, ...] = ("LSOA code (2021)", "LSOA21CD")
        labels: dict[str, str] = dict(IMD_LABELS)
        measures: Sequence[str] = ("decile", "rank", "score")
    else:
        _one(outputs, 1, "imd_file7 (2019)")
        code, kind = "lsoa11_code", "lsoa11"
        code_cands = ("LSOA code (2011)", "LSOA11CD")
        labels = {
            ("Housing_and_Access" if k == "Housing_and_Services" else k): v
            for k, v in IMD_LABELS.items()
        }
        measures = ("decile", "rank")
    main_spec = {code: code_cands, **_file7_columns(labels, measures)}
    df = england(select(raw, main_spec, src), code)
    df[code] = df[code].str.strip()
    value_cols = [c for c in df.columns if c != code]
    to_numbers(df, value_cols, src)
    check_codes(df[code], kind=kind, source=src)
    out = [write_csv(df, dest, outputs[0])]
    if vintage == "2025":
        sub_spec = {
            code: code_cands,
            **{
                f"{s}_{m}": (f"{label} {MEASURES[m]}*",)
                for s, label in SUBDOMAIN_LABELS.items()
                for m in ("score", "rank", "decile")
            },
        }
        sub = england(select(raw, sub_spec, src), code)
        sub[code] = sub[code].str.strip()
        to_numbers(sub, [c for c in sub.columns if c != code], src)
        out.append(write_csv(sub, dest, outputs[1]))
    return out


_slug = re.compile(r"[^a-z0-9]+")


def indicator_name(header: str) -> str:
    """A published indicator header as a column name.

    >>> indicator_name("Road distance to a GP surgery indicator (km)")
    'road_distance_to_a_gp_surgery_indicator_km'
    """
    return _slug.sub("_", header.casefold().replace("%", " percent ")).strip("_")


def _sheet_rows(ws: Any, source: str) -> tuple[list[str], list[tuple[Any, ...]]] | None:
    """Header and data rows of a sheet whose header row starts with 'LSOA code' (else None)."""
    rows = ws.iter_rows(values_only=True)
    for _, row in zip(range(30), rows, strict=False):
        if row and row[0] is not None and norm(row[0]).startswith("lsoa code"):
            header = [("" if v is None else str(v)) for v in row]
            data = [r for r in rows if r and r[0] not in (None, "")]
            return header, data
    return None


def _open_workbook(path: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException ...
        raise LoadError(f"{path.name}: not a readable xlsx workbook: {e}") from e


def imd_file8(
    raws: Sequence[Path], dest: Path, outputs: Sequence[str], *, vintage: str
) -> list[Output]:
    """IoD File 8 (one sheet per domain) -> one CSV of every underlying indicator.

    Columns are named by :func:`indicator_name`; the LSOA name and local authority
    columns are dropped; a column repeated on several sheets is kept once.
    """
    _one(outputs, 1, "imd_file8")
    path = raws[0]
    code, kind = ("lsoa21_code", "lsoa21") if vintage == "2025" else ("lsoa11_code", "lsoa11")
    wb = _open_workbook(path)
    merged: pd.DataFrame | None = None
    try:
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some files under-report their size
            found = _sheet_rows(ws, f"{path.name} [{ws.title}]")
            if found is None:
                continue  # Notes, contents
            header, data = found
            src = f"{path.name} [{ws.title}]"
            width = len(header)
            frame = pd.DataFrame([tuple(r[:width]) + (None,) * (width - len(r)) for r in data])
            frame.columns = pd.Index(range(width))
            part = pd.DataFrame({code: frame[0].astype(str).str.strip()})
            for i, h in enumerate(header[1:], start=1):
                n = norm(h)
                if not n or n.startswith(("lsoa ", "local authority district")):
                    continue
                name = indicator_name(h)
                if name in part or (merged is not None and name in merged):
                    continue
                col = _numeric_column(frame[i], src, h)
                if col is not None:
                    part[name] = col
            part = england(part, code)
            check_codes(part[code], kind=kind, source=src)
            merged = part if merged is None else merged.merge(part, on=code, how="outer")
    finally:
        wb.close()
    if merged is None or merged.shape[1] < 2:
        raise LoadError(f"{path.name}: no sheet with an 'LSOA code' header and indicators")
    return [write_csv(merged, dest, outputs[0])]


def _numeric_column(values: pd.Series, source: str, header: str) -> pd.Series | None:
    """Numbers of an indicator column; None for a text column (dropped with a warning)."""
    text = values.astype("string").str.strip()
    conv = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
    bad = conv.isna() & text.fillna("").ne("")
    if bad.any():
        if bad.sum() == text.fillna("").ne("").sum():
            log.warning("dropping a text column", extra={"file": source, "column": header})
            return None
        ex = values[bad].head(3).tolist()
        raise LoadError(f"{source}: column {header!r} has values that are not numbers, e.g. {ex}")
    return conv


# --- population -----------------------------------------------------------------------------


def census2021(raws: Sequence[Path], dest: Path, outputs: Sequence[str]) -> list[Output]:
    """Nomis TS001 (usual residents) and TS038 (disability) LSOA CSVs -> one table."""
    _one(outputs, 1, "census2021")
    if len(raws) != 2:
        raise LoadError("census2021 needs the TS001 and TS038 LSOA files")
    p1, p38 = raws
    ts001 = select(
        read_table(p1),
        {
            "lsoa21_code": ("geography code",),
            "total_residents": (
                "Residence type: Total; measures: Value",
                "Residence type: Total*",
            ),
        },
        p1.name,
    )
    ts038 = select(
        read_table(p38),
        {
            "lsoa21_code": ("geography code",),
            # exact names: the sub-categories start with the same words
            "all_residents": (
                "Disability: Total: All usual residents",
                "Disability: Total: All usual residents; measures: Value",
            ),
            "disabled": (
                "Disability: Disabled under the Equality Act",
                "Disability: Disabled under the Equality Act; measures: Value",
            ),
            "not_disabled": (
                "Disability: Not disabled under the Equality Act",
                "Disability: Not disabled under the Equality Act; measures: Value",
            ),
        },
        p38.name,
    )
    ts001, ts038 = england(ts001, "lsoa21_code"), england(ts038, "lsoa21_code")
    to_numbers(ts001, ["total_residents"], p1.name)
    to_numbers(ts038, ["all_residents", "disabled", "not_disabled"], p38.name)
    check_codes(ts001["lsoa21_code"], kind="lsoa21", source=p1.name)
    check_codes(ts038["lsoa21_code"], kind="lsoa21", source=p38.name)
    df = ts001.merge(ts038, on="lsoa21_code", how="outer", indicator=True)
    one_sided = df[df["_merge"] != "both"]
    if len(one_sided):
        raise LoadError(
            f"{p1.name} and {p38.name} cover different LSOAs, "
            f"e.g. {', '.join(one_sided['lsoa21_code'].head(5))}"
        )
    differ = (df["all_residents"] - df["total_residents"]).abs() > 0
    if differ.any():
        log.warning(
            "TS001 and TS038 totals differ", extra={"lsoas": int(differ.sum()), "file": p38.name}
        )
    out = df[["lsoa21_code", "total_residents", "disabled", "not_disabled"]]
    return [write_csv(out, dest, outputs[0])]


def mye2020(raws: Sequence[Path], dest: Path, outputs: Sequence[str]) -> list[Output]:
    """ONS SAPE23DT2 (mid-2020, single year of age) xlsx -> the LSOA11 population table."""
    _one(outputs, 1, "mye2020")
    path = raws[0]
    wb = _open_workbook(path)
    try:
        names = list(wb.sheetnames)
        sheet = next((s for s in names if norm(s) == "mid-2020 persons"), None) or next(
            (s for s in names if "persons" in norm(s)), None
        )
        if sheet is None:
            raise LoadError(f"{path.name}: no sheet 'Mid-2020 Persons' (it has {names})")
        ws = wb[sheet]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        src = f"{path.name} [{sheet}]"
        found = _sheet_rows(ws, src)
    finally:
        wb.close()
    if found is None:
        raise LoadError(f"{path.name} [{sheet}]: no header row starting 'LSOA Code'")
    header, data = found
    header = [_age_header(h) for h in header]
    raw = pd.DataFrame([tuple(r[: len(header)]) for r in data], columns=header, dtype=object)
    ages = [str(a) for a in range(90)] + ["90+"]
    spec: dict[str, tuple[str, ...]] = {
        "lsoa11_name": ("LSOA Name",),
        "lsoa11_code": ("LSOA Code",),
        "total_population": ("All Ages",),
        **{a: (a,) for a in ages},
    }
    df = england(select(raw.astype(str).replace("None", ""), spec, src), "lsoa11_code")
    to_numbers(df, ["total_population", *ages], src)
    check_codes(df["lsoa11_code"], kind="lsoa11", source=src)
    off = (df[ages].sum(axis=1) - df["total_population"]).abs() > 0.5
    if off.any():
        log.warning("ages do not add up to All Ages", extra={"file": src, "lsoas": int(off.sum())})
    return [write_csv(df, dest, outputs[0])]


def _age_header(h: str) -> str:
    """Excel keeps 0..89 as numbers ('5.0' once read as text): back to '5'."""
    try:
        f = float(h)
    except ValueError:
        return h
    return str(int(f)) if f.is_integer() else h


# --- as published ---------------------------------------------------------------------------


def as_published(raws: Sequence[Path], dest: Path, outputs: Sequence[str]) -> list[Output]:
    """Copy a file that the loaders read as published (xls tables, NHS CSVs)."""
    _one(outputs, 1, "as_published")
    rel = outputs[0]
    with atomic_path(dest / rel) as tmp:
        shutil.copyfile(raws[0], tmp)
    rows = None
    if rel.endswith(".csv"):
        with (dest / rel).open("rb") as f:
            rows = max(sum(1 for _ in f) - 1, 0)
    return [_output(dest, rel, rows)]


CONVERTERS: dict[str, Converter] = {
    "lsoa21_boundaries": partial(
        boundaries,
        kind="lsoa21",
        code=("LSOA21CD",),
        name=("LSOA21NM",),
        out_code="lsoa21cd",
        out_name="lsoa21nm",
    ),
    "lsoa11_boundaries": partial(
        boundaries,
        kind="lsoa11",
        code=("LSOA11CD",),
        name=("LSOA11NM",),
        out_code="lsoa11_code",
        out_name="lsoa11_name",
    ),
    **{key: partial(lookup, spec=spec) for key, spec in LOOKUPS.items()},
    "imd2025_file7": partial(imd_file7, vintage="2025"),
    "imd2019_file7": partial(imd_file7, vintage="2019"),
    "imd2025_file8": partial(imd_file8, vintage="2025"),
    "imd2019_file8": partial(imd_file8, vintage="2019"),
    "census2021": census2021,
    "mye2020": mye2020,
    "as_published": as_published,
}
