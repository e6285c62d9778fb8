"""Community Needs Index 2023 (OCSI for Local Trust) and its left-behind flag."""

from __future__ import annotations

from depmap.core.errors import LoadError
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.indicators import IndicatorSpec, align_to_lsoas, write_indicators
from sources.layout import SOURCES
from sources.tables import numeric, read_csv

SOURCE = "OCSI Community Needs Index 2023 (for Local Trust)"

COLUMNS = {
    "cni_score": ("Community Needs Index 2023 Score",),
    "cni_rank": ("Community Needs Index 2023 Rank",),
    "civic_score": ("Civic Assets Domain Score",),
    "civic_rank": ("Civic Assets Domain Rank",),
    "connect_score": ("Connectedness Domain Score",),
    "connect_rank": ("Connectedness Domain Rank",),
    "engaged_score": ("Active and Engaged Community Domain Score",),
    "engaged_rank": ("Active and Engaged Community Domain Rank",),
    "left_behind": ("Left Behind Area?", "Left Behind Area"),
}

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("cni")
    with timed(res):
        src = SOURCES["cni2023"]
        path = ctx.path(src.path)
        ctx.progress.start("Community Needs Index 2023", total=1)
        df = read_csv(path, required=["lsoa21_code", *COLUMNS], aliases=src.aliases | COLUMNS)
        numeric(df, [c for c in COLUMNS if c != "left_behind"], path.name)
        flag = df["left_behind"].astype("string").str.strip().str.lower().fillna("")
        bad = ~flag.isin(_TRUE | _FALSE)
        if bad.any():
            raise LoadError(
                f"{path.name}: 'Left Behind Area?' must be True or False, got "
                f"{sorted(set(df.loc[bad, 'left_behind'].astype(str)))[:3]}"
            )
        df["left_behind"] = flag.isin(_TRUE).astype(float)
        ids = align_to_lsoas(ctx, df["lsoa21_code"], path.name)
        specs = [
            IndicatorSpec(
                "cni2023.score",
                "Community Needs Index 2023",
                "community",
                SOURCE,
                "2023",
                "score",
                True,
                "cni_score",
                "cni_rank",
            ),
            IndicatorSpec(
                "cni2023.civic_assets",
                "CNI civic assets domain",
                "community",
                SOURCE,
                "2023",
                "score",
                True,
                "civic_score",
                "civic_rank",
            ),
            IndicatorSpec(
                "cni2023.connectedness",
                "CNI connectedness domain",
                "community",
                SOURCE,
                "2023",
                "score",
                True,
                "connect_score",
                "connect_rank",
            ),
            IndicatorSpec(
                "cni2023.active_engaged",
                "CNI active and engaged community domain",
                "community",
                SOURCE,
                "2023",
                "score",
                True,
                "engaged_score",
                "engaged_rank",
            ),
            IndicatorSpec(
                "cni2023.left_behind",
                "Left-behind neighbourhood (CNI 2023)",
                "community",
                SOURCE,
                "2023",
                "flag",
                True,
                "left_behind",
                description="1 for LSOAs in the left-behind neighbourhoods",
            ),
        ]
        n = write_indicators(ctx, prefix="cni2023.", specs=specs, frame=df, lsoa_ids=ids)
        ctx.progress.done()
        res.counts["indicator values"] = n
        res.counts["left-behind LSOAs"] = int(df["left_behind"].sum())
    return res


#: The ``cni`` part of ``depmap load``.
PART = Part(
    "cni",
    load,
    needs=("cni2023",),
    doc="Community Needs Index 2023",
    optional=True,
)
