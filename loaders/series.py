"""Time: IoD 2015 and the 2011 and 2021 Censuses, carried to LSOA21 (the ``series`` part).

Read exactly as the shared data folder holds them (README there):

* IoD 2015 IMD score, rank and decile of the 32,844 LSOA11s, carried to LSOA21 as
  IoD 2019 is: score and rank as the population-weighted mean of the parents
  (``to21``), the decile recomputed from the carried rank (of 32,844);
* Census 2011 QS119EW and Census 2021 TS011, households by deprivation
  dimensions, and QS302EW / TS037, general health of usual residents: counts,
  the 2011 ones split by population on a split and added on a merge (``from11``,
  :mod:`geo.crosswalk`), so England's totals are kept.

Every file is checked before anything is written: codes English and of the right
kind, one row per LSOA and all of them (unless a regional extract is loaded),
counts whole and not negative, categories adding up to the total, ranks in range.
The derived step turns these counts and ranks into the series of
:data:`depmap.core.vocab.SERIES` (``lsoa_series``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from depmap.core.errors import LoadError
from depmap.core.vocab import CENSUS_TABLES, NATIONAL_LSOA11, CensusTable
from geo.crosswalk import carry_to_lsoa21
from geo.measures import decile
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.indicators import IndicatorSpec, align_to_lsoas, write_indicators
from loaders.lsoa11 import crosswalk
from sources.codes import check_codes
from sources.layout import SOURCES
from sources.tables import numeric, read_csv

SOURCE_2015 = "MHCLG English Indices of Deprivation 2015 (Files 1 and 5)"
SOURCE_CENSUS = {2011: "ONS Census 2011 ({table}, Nomis)", 2021: "ONS Census 2021 ({table})"}
#: The census tables and their files under the data folder, per census.
CENSUS_FILES: dict[tuple[str, int], str] = {
    ("household_deprivation", 2011): "census2011_households",
    ("household_deprivation", 2021): "census2021_households",
    ("general_health", 2011): "census2011_health",
    ("general_health", 2021): "census2021_health",
}


def check_counts(df: pd.DataFrame, table: CensusTable, source: str) -> None:
    """Counts whole and not negative; categories adding up to the total in every row."""
    cols = [*table.categories, table.total]
    numeric(df, cols, source)
    for c in cols:
        v = df[c]
        bad = v.isna() | (v < 0) | (v != np.floor(v))
        if bad.any():
            raise LoadError(
                f"{source}: column {c} must be a whole number >= 0 in every row; "
                f"{int(bad.sum()):,} rows are not, e.g. {df.loc[bad, c].head(3).tolist()}"
            )
    off = df[list(table.categories)].sum(axis=1) != df[table.total]
    if off.any():
        code = df.columns[0]
        raise LoadError(
            f"{source}: in {int(off.sum()):,} rows the categories do not add up to "
            f"{table.total}, e.g. {', '.join(df.loc[off, code].astype(str).head(3))}"
        )


def read_census(ctx: LoadContext, table: CensusTable, year: int) -> tuple[pd.DataFrame, str]:
    """One census table as published: code column then counts; checked."""
    src = SOURCES[CENSUS_FILES[(table.code, year)]]
    path = ctx.path(src.path)
    kind = "lsoa11" if year == 2011 else "lsoa21"
    code = f"{kind}_code"
    df = read_csv(path, required=[code, *table.categories, table.total], aliases=src.aliases)
    if df.empty:
        raise LoadError(f"{path.name}: the file has a header but no rows")
    check_codes(df[code], kind=kind, source=path.name)
    if year == 2011 and ctx.expect_england and len(df) != NATIONAL_LSOA11:
        raise LoadError(f"{path.name}: {len(df):,} LSOA11s, expected {NATIONAL_LSOA11:,}")
    check_counts(df, table, path.name)
    return df, path.name


def census_specs(table: CensusTable, year: int) -> list[IndicatorSpec]:
    """The indicators of one census table: a count per category, and the total."""
    tid = table.tables[year]
    return [
        IndicatorSpec(
            table.indicator(year, c),
            f"{c.replace('_', ' ').capitalize()} ({tid}, Census {year})",
            "census",
            SOURCE_CENSUS[year].format(table=tid),
            str(year),
            table.unit,
            None,
            c,
            extensive=True,
            geography="lsoa11" if year == 2011 else "lsoa21",
            description=f"{table.label}: {c.replace('_', ' ')}, Census {year} ({tid})"
            + (", carried from LSOA11 to LSOA21 by population" if year == 2011 else ""),
        )
        for c in (*table.categories, table.total)
    ]


def load_census(ctx: LoadContext, table: CensusTable, year: int, w: pd.DataFrame | None) -> int:
    """One census table into the indicators (2011: carried to LSOA21 through ``w``)."""
    df, name = read_census(ctx, table, year)
    cols = [*table.categories, table.total]
    if year == 2011:
        assert w is not None
        values = carry_to_lsoa21(df.set_index("lsoa11_code")[cols], w, extensive=set(cols))
        codes = pd.Series(values.index, dtype="string")
        frame = values.reset_index(drop=True)
        ids = align_to_lsoas(ctx, codes, name, complete=ctx.expect_england)
    else:
        ids = align_to_lsoas(ctx, df["lsoa21_code"], name, complete=ctx.expect_england)
        frame = df[cols].reset_index(drop=True)
    prefix = f"{table.tables[year].lower()}."
    return write_indicators(
        ctx, prefix=prefix, specs=census_specs(table, year), frame=frame, lsoa_ids=ids
    )


def load_imd2015(ctx: LoadContext, w: pd.DataFrame) -> int:
    """IoD 2015 IMD score, rank and decile, carried to LSOA21 as IoD 2019 is."""
    src = SOURCES["imd2015"]
    path = ctx.path(src.path)
    df = read_csv(
        path, required=["lsoa11_code", "imd_score", "imd_rank", "imd_decile"], aliases=src.aliases
    )
    numeric(df, ["imd_score", "imd_rank", "imd_decile"], path.name)
    check_codes(df["lsoa11_code"], kind="lsoa11", source=path.name)
    if ctx.expect_england and len(df) != NATIONAL_LSOA11:
        raise LoadError(f"{path.name}: {len(df):,} LSOA11s, expected {NATIONAL_LSOA11:,}")
    r = df["imd_rank"]
    if r.isna().any() or (r < 1).any() or (r > NATIONAL_LSOA11).any():
        raise LoadError(f"{path.name}: imd_rank must be a rank from 1 to {NATIONAL_LSOA11:,}")
    if df["imd_score"].isna().any():
        raise LoadError(f"{path.name}: imd_score is missing for some LSOAs")
    carried = carry_to_lsoa21(df.set_index("lsoa11_code")[["imd_score", "imd_rank"]], w)
    carried["imd_decile"] = decile(carried["imd_rank"].to_numpy(), NATIONAL_LSOA11)
    ids = align_to_lsoas(
        ctx, pd.Series(carried.index, dtype="string"), path.name, complete=ctx.expect_england
    )
    spec = IndicatorSpec(
        "imd2015.imd",
        "Index of Multiple Deprivation 2015 (carried to LSOA21)",
        "imd",
        SOURCE_2015,
        "2015",
        "score",
        True,
        "imd_score",
        "imd_rank",
        "imd_decile",
        geography="lsoa11",
        description="IMD 2015, published on 2011 LSOAs (rank of 32,844; data mostly 2012/13), "
        "carried to 2021 LSOAs by population-weighted mean score and rank; decile from that "
        "rank",
    )
    return write_indicators(
        ctx, prefix="imd2015.", specs=[spec], frame=carried.reset_index(drop=True), lsoa_ids=ids
    )


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("series")
    with timed(res):
        ctx.progress.start("IoD 2015 and the 2011 and 2021 Censuses", total=5)
        w = crosswalk(ctx)
        res.counts["imd2015 values"] = load_imd2015(ctx, w)
        ctx.progress.advance()
        for table in CENSUS_TABLES.values():
            for year in (2011, 2021):
                n = load_census(ctx, table, year, w if year == 2011 else None)
                res.counts[f"{table.tables[year]} values"] = n
                ctx.progress.advance()
        ctx.progress.done()
    return res


#: The ``series`` part of ``depmap load``.
PART = Part(
    "series",
    load,
    needs=(
        "imd2015",
        *CENSUS_FILES.values(),
        "lsoa11_lsoa21",
        "mye2020",
    ),
    doc="IoD 2015 and the 2011 and 2021 Census tables that series over time are made of",
    optional=True,
)
