"""Census 2021 usual residents (the default denominator) and disability, per LSOA21."""

from __future__ import annotations

from depmap.core.errors import LoadError
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.indicators import IndicatorSpec, align_to_lsoas, write_indicators
from sources.layout import SOURCES
from sources.tables import numeric, read_csv

SOURCE = "ONS Census 2021 (TS001 usual residents; TS038 disability)"


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("population")
    with timed(res):
        src = SOURCES["census2021"]
        path = ctx.path(src.path)
        ctx.progress.start("Census 2021 residents and disability", total=2)
        df = read_csv(
            path,
            required=["lsoa21_code", "total_residents"],
            optional=["disabled"],
            aliases=src.aliases | {"total_residents": ("Residence type: Total; measures: Value",)},
        )
        numeric(df, [c for c in ("total_residents", "disabled") if c in df], path.name)
        bad = df["total_residents"].isna() | (df["total_residents"] <= 0)
        if bad.any():
            raise LoadError(
                f"{path.name}: {int(bad.sum())} LSOAs have no positive total_residents, "
                f"e.g. {', '.join(df.loc[bad, 'lsoa21_code'].head(3))}"
            )
        ids = align_to_lsoas(ctx, df["lsoa21_code"], path.name)
        ctx.progress.advance()
        specs = [
            IndicatorSpec(
                "census2021.residents",
                "Usual residents (Census 2021)",
                "population",
                SOURCE,
                "2021",
                "persons",
                None,
                "total_residents",
                extensive=True,
            )
        ]
        if "disabled" in df:
            if (df["disabled"] > df["total_residents"]).any():
                raise LoadError(f"{path.name}: some LSOAs have more disabled people than residents")
            df["disability_rate"] = df["disabled"] / df["total_residents"]
            specs += [
                IndicatorSpec(
                    "census2021.disabled",
                    "Disabled under the Equality Act (Census 2021)",
                    "health",
                    SOURCE,
                    "2021",
                    "persons",
                    True,
                    "disabled",
                    extensive=True,
                ),
                IndicatorSpec(
                    "census2021.disability_rate",
                    "Share of residents disabled under the Equality Act (Census 2021)",
                    "health",
                    SOURCE,
                    "2021",
                    "proportion",
                    True,
                    "disability_rate",
                ),
            ]
        n = write_indicators(ctx, prefix="census2021.", specs=specs, frame=df, lsoa_ids=ids)
        ctx.progress.advance()
        ctx.progress.done()
        res.counts["lsoa21 populations"] = len(df)
        res.counts["indicator values"] = n
        res.notes.append(f"{df['total_residents'].sum():,.0f} usual residents")
    return res


#: The ``population`` part of ``depmap load``.
PART = Part(
    "population",
    load,
    needs=("census2021",),
    doc="Census 2021 residents and disability",
)
