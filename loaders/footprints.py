"""Footprints built from whole LSOA21s: MSOA21, wards, local authorities, sub-ICB
locations and ICBs, as exact unions of their LSOA polygons, from the ONS/NHS lookups.

Sub-ICB locations and ICBs are defined on whole LSOAs, as are MSOAs; wards and
local authorities are the ONS best fit. Each member LSOA has area and population
share 1. Where a level nests in another (sub-ICB in ICB, ward in local
authority, MSOA in local authority) the larger one is the union of the smaller
ones' unions: the same polygon, much faster.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from depmap.core.errors import LoadError
from geo.union import union_groups
from loaders.areas import replace_weights, upsert_areas
from loaders.base import LoadContext, Part, PartResult, timed
from sources.codes import check_codes
from sources.layout import SOURCES
from sources.tables import read_csv


@dataclass(frozen=True)
class Level:
    kind: str
    vintage: str
    source: str
    code: str
    name: str
    extra: tuple[str, ...] = ()


#: Finest first, so that coarser levels can be unions of finer ones that nest in them.
LEVELS: tuple[Level, ...] = (
    Level("msoa21", "2021", "lsoa21_msoa21", "msoa21_code", "msoa21_name"),
    Level("ward", "2024", "lsoa21_ward_ltla", "ward24_code", "ward24_name"),
    Level(
        "sicbl",
        "2024",
        "lsoa21_sicbl_icb",
        "sicbl24_code",
        "sicbl24_name",
        extra=("sicbl24_code_nhs",),
    ),
    Level("ltla", "2024", "lsoa21_ward_ltla", "ltla24_code", "ltla24_name"),
    Level("icb", "2024", "lsoa21_sicbl_icb", "icb24_code", "icb24_name", extra=("icb24_code_nhs",)),
)


def read_lookups(ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """The three LSOA21 lookups, checked against the loaded LSOAs."""
    ids = ctx.require_lsoas()
    out: dict[str, pd.DataFrame] = {}
    for key in ("lsoa21_msoa21", "lsoa21_sicbl_icb", "lsoa21_ward_ltla"):
        src = SOURCES[key]
        path = ctx.path(src.path)
        cols = sorted(
            {c for lv in LEVELS if lv.source == key for c in (lv.code, lv.name, *lv.extra)}
        )
        df = read_csv(path, required=["lsoa21_code", *cols], aliases=src.aliases)
        check_codes(df["lsoa21_code"], kind="lsoa21", source=path.name)
        unknown = df.loc[~df["lsoa21_code"].isin(ids.keys()), "lsoa21_code"]
        if len(unknown):
            raise LoadError(
                f"{path.name}: {len(unknown):,} LSOA21 codes are not among the loaded "
                f"boundaries, e.g. {', '.join(unknown.head(5))}"
            )
        if len(df) != len(ids):
            raise LoadError(f"{path.name}: covers {len(df):,} LSOA21s; {len(ids):,} are loaded")
        for lv in LEVELS:
            if lv.source == key:
                check_codes(df[lv.code].drop_duplicates(), kind=lv.kind, source=path.name)
        out[key] = df
    return out


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("footprints")
    with timed(res):
        lookups = read_lookups(ctx)
        lsoa = ctx.lsoa_frame()
        lsoa_pop = ctx.lsoa_population()
        pos = {c: i for i, c in enumerate(lsoa["code"])}
        ids_arr = lsoa["id"].to_numpy(dtype=np.int64)
        pop_arr = (
            lsoa["id"].map(lsoa_pop).fillna(0.0).to_numpy(dtype=float)
            if lsoa_pop is not None
            else np.zeros(len(lsoa))
        )
        geoms = np.asarray(lsoa.geometry.values, dtype=object)
        built: dict[str, tuple[pd.DataFrame, dict[str, shapely.MultiPolygon]]] = {}
        for lv in LEVELS:
            df = lookups[lv.source]
            row_pos = df["lsoa21_code"].map(pos).to_numpy(dtype=np.int64)
            groups = {str(k): row_pos[v] for k, v in df.groupby(lv.code).indices.items()}
            expected = ctx.expected(lv.kind)
            if expected is not None and len(groups) != expected:
                raise LoadError(
                    f"{SOURCES[lv.source].path}: {len(groups)} {lv.kind} areas, expected {expected}"
                )
            ctx.progress.start(f"{lv.kind}: union of LSOA21 polygons", total=len(groups))
            unions = _union_level(lv, df, groups, geoms, built, ctx.progress.advance)
            ctx.progress.done()
            codes = list(groups)
            first = df.groupby(lv.code).first()
            props = ["{}"] * len(codes)
            if lv.extra:
                props = [json.dumps({"nhs_code": str(first.loc[c, lv.extra[0]])}) for c in codes]
            frame = pd.DataFrame(
                {
                    "code": codes,
                    "name": [str(first.loc[c, lv.name]) for c in codes],
                    "population": [float(pop_arr[groups[c]].sum()) for c in codes],
                    "properties": props,
                }
            )
            ids = upsert_areas(
                ctx.conn,
                kind=lv.kind,
                vintage=lv.vintage,
                frame=frame,
                geoms=[unions[c] for c in codes],
            )
            built[lv.kind] = (
                df[["lsoa21_code", lv.code]].rename(columns={lv.code: "code"}),
                dict(unions),
            )
            replace_weights(
                ctx.conn,
                kind=lv.kind,
                weights=pd.DataFrame(
                    {
                        "area_id": df[lv.code].map(ids).to_numpy(dtype=np.int64),
                        "lsoa_id": ids_arr[row_pos],
                        "area_share": 1.0,
                        "pop_share": 1.0,
                        "population": pop_arr[row_pos],
                    }
                ),
            )
            res.counts[lv.kind] = len(codes)
    return res


def _union_level(
    lv: Level,
    df: pd.DataFrame,
    groups: dict[str, np.ndarray],
    geoms: np.ndarray,
    built: dict[str, tuple[pd.DataFrame, dict[str, shapely.MultiPolygon]]],
    advance: Callable[[float], None],
) -> dict[str, shapely.MultiPolygon]:
    """Union a level from the coarsest level already built that nests in it, else from LSOAs."""
    best: tuple[int, str] | None = None
    for kind, (members, _) in built.items():
        m = members.set_index("lsoa21_code")["code"]
        pair = pd.DataFrame({"child": df["lsoa21_code"].map(m).to_numpy(), "parent": df[lv.code]})
        if pair["child"].isna().any() or not _nests(pair, "child", "parent"):
            continue
        n_children = pair["child"].nunique()
        if best is None or n_children < best[0]:
            best = (n_children, kind)
    if best is None:
        return union_groups(geoms, groups, on_done=advance)
    members, child_geoms = built[best[1]]
    m = members.set_index("lsoa21_code")["code"]
    kids = pd.DataFrame({"child": df["lsoa21_code"].map(m).to_numpy(), "parent": df[lv.code]})
    kids = kids.drop_duplicates()
    keys = list(child_geoms)
    kpos = {k: i for i, k in enumerate(keys)}
    arr = np.empty(len(keys), dtype=object)
    arr[:] = [child_geoms[k] for k in keys]
    sub = {
        str(p): np.array([kpos[c] for c in g["child"]], dtype=np.int64)
        for p, g in kids.groupby("parent")
    }
    return union_groups(arr, sub, on_done=advance)


def _nests(df: pd.DataFrame, child: str, parent: str) -> bool:
    """True if every ``child`` area lies in exactly one ``parent`` area."""
    return bool((df.groupby(child)[parent].nunique() == 1).all())


#: The ``footprints`` part of ``depmap load``.
PART = Part(
    "footprints",
    load,
    needs=("lsoa21_msoa21", "lsoa21_sicbl_icb", "lsoa21_ward_ltla"),
    doc="MSOAs, wards, local authorities, sub-ICB locations and ICBs from the ONS lookups",
)
