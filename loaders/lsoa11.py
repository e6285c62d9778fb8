"""2011 LSOAs, weighted over the 2021 LSOAs through the ONS LSOA11 -> LSOA21 lookup.

Population shares follow :mod:`geo.crosswalk` (mid-2020 LSOA11 populations,
Census 2021 LSOA21 populations). Area shares are 1 where the LSOA21 lies inside
the LSOA11 (unchanged and split); for merged and complex changes they are the
geometric share of the LSOA21 inside each LSOA11, normalised over its parents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import text

from depmap.core.errors import LoadError
from geo.crosswalk import crosswalk_weights
from loaders.areas import replace_weights, upsert_areas
from loaders.base import LoadContext, Part, PartResult, timed
from sources.boundaries import read_boundaries
from sources.codes import check_codes
from sources.layout import SOURCES
from sources.tables import numeric, read_csv

CHANGE_CODES = {"U", "S", "M", "X"}


def read_lookup(ctx: LoadContext) -> pd.DataFrame:
    src = SOURCES["lsoa11_lsoa21"]
    path = ctx.path(src.path)
    df = read_csv(path, required=["lsoa11_code", "lsoa21_code", "change_code"], aliases=src.aliases)
    check_codes(df["lsoa11_code"].drop_duplicates(), kind="lsoa11", source=path.name)
    check_codes(df["lsoa21_code"].drop_duplicates(), kind="lsoa21", source=path.name)
    bad = ~df["change_code"].isin(CHANGE_CODES)
    if bad.any():
        raise LoadError(
            f"{path.name}: unknown change codes {sorted(df.loc[bad, 'change_code'].unique())[:5]}"
            " (expected U, S, M or X)"
        )
    ids = ctx.require_lsoas()
    unknown = df.loc[~df["lsoa21_code"].isin(ids.keys()), "lsoa21_code"]
    if len(unknown):
        raise LoadError(
            f"{path.name}: {len(unknown):,} LSOA21 codes are not loaded, "
            f"e.g. {', '.join(unknown.head(5))}"
        )
    return df


def read_pop2020(ctx: LoadContext) -> pd.Series:
    src = SOURCES["mye2020"]
    path = ctx.path(src.path)
    df = read_csv(path, required=["lsoa11_code", "total_population"], aliases=src.aliases)
    numeric(df, ["total_population"], path.name)
    check_codes(df["lsoa11_code"], kind="lsoa11", source=path.name)
    return df.set_index("lsoa11_code")["total_population"].astype(float)


def lsoa21_population(ctx: LoadContext) -> pd.Series | None:
    """Census 2021 residents per LSOA21 code, if the population part is loaded."""
    rows = ctx.conn.execute(
        text(
            "SELECT a.code, v.value FROM indicator_value v "
            "JOIN indicator i ON i.id = v.indicator_id AND i.code = 'census2021.residents' "
            "JOIN area a ON a.id = v.lsoa_id"
        )
    ).all()
    if not rows:
        return None
    return pd.Series({c: float(v) for c, v in rows})


def crosswalk(ctx: LoadContext) -> pd.DataFrame:
    """The LSOA11 -> LSOA21 weights with the change code of each pair."""
    lookup = read_lookup(ctx)
    w = crosswalk_weights(lookup, read_pop2020(ctx), lsoa21_population(ctx))
    chg = lookup.drop_duplicates(["lsoa11_code", "lsoa21_code"]).set_index(
        ["lsoa11_code", "lsoa21_code"]
    )["change_code"]
    w["change_code"] = chg.reindex(
        pd.MultiIndex.from_frame(w[["lsoa11_code", "lsoa21_code"]])
    ).values
    return w


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("lsoa11")
    with timed(res):
        src = SOURCES["lsoa11_boundaries"]
        ctx.progress.start("LSOA11 boundaries and the 2011 -> 2021 lookup", total=3)
        gdf = read_boundaries(
            ctx.path(src.path),
            kind="lsoa11",
            code_fields=src.code_fields,
            name_fields=src.name_fields,
            expected_count=ctx.expected("lsoa11"),
        )
        ctx.progress.advance()
        w = crosswalk(ctx)
        missing = set(w["lsoa11_code"]) - set(gdf["code"])
        if missing:
            raise LoadError(
                f"the LSOA11 lookup names {len(missing)} LSOA11s that the boundaries lack, "
                f"e.g. {', '.join(sorted(missing)[:5])}"
            )
        ids = upsert_areas(
            ctx.conn,
            kind="lsoa11",
            vintage="2011",
            frame=pd.DataFrame({"code": gdf["code"], "name": gdf["name"]}),
            geoms=gdf.geometry.values,
        )
        ctx.progress.advance()
        lsoa = ctx.lsoa_frame().set_index("code")
        g11 = gdf.set_index("code").geometry
        area_share = np.ones(len(w))
        cut = w["change_code"].isin(["M", "X"]).to_numpy()
        if cut.any():
            a = g11.reindex(w.loc[cut, "lsoa11_code"]).values
            b = lsoa.geometry.reindex(w.loc[cut, "lsoa21_code"]).values
            inter = shapely.area(shapely.intersection(a, b))
            share = pd.Series(inter, index=w.index[cut])
            tot = share.groupby(w.loc[cut, "lsoa21_code"]).transform("sum")
            area_share[cut] = np.where(tot > 0, share / tot.where(tot > 0, 1.0), w.loc[cut, "to21"])
        weights = (
            pd.DataFrame(
                {
                    "area_id": w["lsoa11_code"].map(ids).to_numpy(),
                    "lsoa_id": w["lsoa21_code"].map(lsoa["id"]).to_numpy(),
                    "area_share": area_share,
                    "pop_share": w["to21"].to_numpy(),
                }
            )
            .groupby(["area_id", "lsoa_id"], as_index=False)
            .sum()
        )
        lsoa_pop = ctx.lsoa_population()
        replace_weights(
            ctx.conn,
            kind="lsoa11",
            weights=weights,
            lsoa_population=lsoa_pop if lsoa_pop is not None else pd.Series(dtype=float),
        )
        ctx.progress.advance()
        ctx.progress.done()
        res.counts["lsoa11"] = len(gdf)
        counts = w.drop_duplicates("lsoa11_code")["change_code"].value_counts().to_dict()
        res.notes.append(
            "LSOA11 changes: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        )
    return res


#: The ``lsoa11`` part of ``depmap load``.
PART = Part(
    "lsoa11",
    load,
    needs=("lsoa11_boundaries", "lsoa11_lsoa21", "mye2020"),
    doc="2011 LSOAs and the LSOA11 to LSOA21 lookup",
    optional=True,
)
