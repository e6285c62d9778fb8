"""English Indices of Deprivation: 2025 on LSOA21, and 2019 on LSOA11 carried to LSOA21.

IoD 2025: for the IMD and its seven domains the score, national rank (1 = most
deprived of 33,755) and decile; the six sub-domains; the underlying indicators
(among them the health domain's). IoD 2019 (ranks and deciles, and its
indicators) is carried to LSOA21 through the ONS lookup as :mod:`geo.crosswalk`
describes; a carried decile is recomputed from the carried rank.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from depmap.core.errors import LoadError
from depmap.core.vocab import DOMAIN_TABLE
from geo.crosswalk import carry_to_lsoa21
from geo.measures import decile
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.indicators import IndicatorSpec, align_to_lsoas, write_indicators
from loaders.lsoa11 import crosswalk
from sources.codes import check_codes
from sources.layout import LSOA11_COUNT, LSOA21_COUNT, SOURCES
from sources.tables import numeric, read_csv

SOURCE_2025 = "MHCLG English Indices of Deprivation 2025"
SOURCE_2019 = "MHCLG English Indices of Deprivation 2019"

#: API domain -> (column stem in IoD 2025, in IoD 2019, label)
DOMAINS: dict[str, tuple[str, str, str]] = {
    d.code: (d.stem2025, d.stem2019, d.name) for d in DOMAIN_TABLE.values()
}

SUBDOMAINS: dict[str, tuple[str, str]] = {
    "children_and_young_people": ("education", "Children and Young People Sub-domain"),
    "adult_skills": ("education", "Adult Skills Sub-domain"),
    "geographical_barriers": ("housing", "Geographical Barriers Sub-domain"),
    "wider_barriers": ("housing", "Wider Barriers Sub-domain"),
    "indoors": ("environment", "Indoors Sub-domain"),
    "outdoors": ("environment", "Outdoors Sub-domain"),
}

#: Indicators that belong to a domain, by name stem (others go to their obvious domain).
HEALTH_INDICATORS = {
    "acute_morbidity_indicator": "Acute morbidity (standardised emergency admissions)",
    "comparative_illness_and_disability_ratio_indicator": (
        "Comparative illness and disability ratio"
    ),
    "mental_health_indicator": "Mental health indicator",
    "mood_and_anxiety_disorders_indicator": "Mood and anxiety disorders indicator",
    "years_of_potential_life_lost_indicator": "Years of potential life lost",
}

_HIGHER_IS_BETTER = {
    "connectivity_score",
    "digital_connectivity_broadband_download_and_upload_speeds",
}


def _indicator_domain(name: str) -> str:
    if name in HEALTH_INDICATORS:
        return "health"
    if "income" in name or "idaci" in name or "idaopi" in name:
        return "income"
    if "employment" in name:
        return "employment"
    if "education" in name or "skills" in name or "staying_on" in name:
        return "education"
    if name.endswith(("_rate_per_1_000_at_risk_population", "_rate_per_1_000_at_risk_properties")):
        return "crime"
    if (
        "air_quality" in name
        or "central_heating" in name
        or "poor_condition" in name
        or ("road_traffic" in name)
    ):
        return "environment"
    return "housing"


def _check_rank_decile(df: pd.DataFrame, rank: str, dec: str, n: int, source: str) -> None:
    r = df[rank]
    if r.isna().any() or (r < 1).any() or (r > n).any():
        raise LoadError(f"{source}: {rank} must be a rank from 1 to {n:,} for every LSOA")
    d = df[dec]
    if d.isna().any() or (~d.isin(range(1, 11))).any():
        raise LoadError(f"{source}: {dec} must be a decile from 1 to 10 for every LSOA")


def load_2025(ctx: LoadContext) -> int:
    """IMD and domains, sub-domains and indicators 2025, written as one block."""
    src = SOURCES["imd2025"]
    path = ctx.path(src.path)
    cols = [f"{stem}_{m}" for stem, _, _ in DOMAINS.values() for m in ("score", "rank", "decile")]
    df = read_csv(path, required=["lsoa21_code", *cols], aliases=src.aliases)
    numeric(df, cols, path.name)
    ids = align_to_lsoas(ctx, df["lsoa21_code"], path.name)
    specs: list[IndicatorSpec] = []
    for dom, (stem, _, label) in DOMAINS.items():
        _check_rank_decile(df, f"{stem}_rank", f"{stem}_decile", LSOA21_COUNT, path.name)
        if df[f"{stem}_score"].isna().any():
            raise LoadError(f"{path.name}: {stem}_score is missing for some LSOAs")
        specs.append(
            IndicatorSpec(
                f"imd2025.{dom}",
                f"{label} 2025",
                dom,
                SOURCE_2025,
                "2025",
                "score",
                True,
                f"{stem}_score",
                f"{stem}_rank",
                f"{stem}_decile",
            )
        )
    frame = df.set_index("lsoa21_code")

    sub_src = SOURCES["imd2025_subdomains"]
    sub_path = ctx.path(sub_src.path)
    sub_cols = [f"{s}_{m}" for s in SUBDOMAINS for m in ("score", "rank", "decile")]
    sub = read_csv(sub_path, required=["lsoa21_code", *sub_cols], aliases=sub_src.aliases)
    numeric(sub, sub_cols, sub_path.name)
    align_to_lsoas(ctx, sub["lsoa21_code"], sub_path.name)
    specs += [
        IndicatorSpec(
            f"imd2025.sub.{s}",
            f"{label} 2025",
            dom,
            SOURCE_2025,
            "2025",
            "score",
            True,
            f"{s}_score",
            f"{s}_rank",
            f"{s}_decile",
        )
        for s, (dom, label) in SUBDOMAINS.items()
    ]

    ind_src = SOURCES["imd2025_indicators"]
    ind_path = ctx.path(ind_src.path)
    ind = read_csv(
        ind_path, required=["lsoa21_code"], aliases=ind_src.aliases, optional=_all_columns(ind_path)
    )
    names = [c for c in ind.columns if c != "lsoa21_code"]
    if not names:
        raise LoadError(f"{ind_path.name}: no indicator columns")
    numeric(ind, names, ind_path.name)
    align_to_lsoas(ctx, ind["lsoa21_code"], ind_path.name)
    specs += [_indicator_spec(n, "2025") for n in names]

    frame = frame.join(sub.set_index("lsoa21_code"), how="left")
    frame = frame.join(ind.set_index("lsoa21_code"), how="left")
    return write_indicators(
        ctx, prefix="imd2025.", specs=specs, frame=frame.reset_index(drop=True), lsoa_ids=ids
    )


def _all_columns(path: Path) -> list[str]:
    return [c for c in pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns]


def _indicator_spec(name: str, vintage: str) -> IndicatorSpec:
    label = HEALTH_INDICATORS.get(name, name.replace("_", " ").capitalize())
    extensive = "numerator" in name
    unit = "persons" if extensive else ("km" if name.endswith("_km") else "value")
    hiw: bool | None = None if name in _HIGHER_IS_BETTER else True
    if (
        name == "entry_to_higher_education_indicator"
        or name.startswith("owner_occupation")
        or (name.startswith("private_rental") or name == "patient_to_gp_ratio")
    ):
        hiw = None
    return IndicatorSpec(
        f"imd{vintage}.ind.{name}",
        f"{label} ({vintage})",
        _indicator_domain(name),
        SOURCE_2025 if vintage == "2025" else SOURCE_2019,
        vintage,
        unit,
        hiw,
        name,
        extensive=extensive,
        geography="lsoa21" if vintage == "2025" else "lsoa11",
    )


def load_2019(ctx: LoadContext) -> int:
    src = SOURCES["imd2019"]
    path = ctx.path(src.path)
    cols = [f"{s19}_{m}" for _, s19, _ in DOMAINS.values() for m in ("rank", "decile")]
    df = read_csv(path, required=["lsoa11_code", *cols], aliases=src.aliases)
    numeric(df, cols, path.name)
    check_codes(df["lsoa11_code"], kind="lsoa11", source=path.name)
    if ctx.expect_england and len(df) != LSOA11_COUNT:
        raise LoadError(f"{path.name}: {len(df):,} LSOA11s, expected {LSOA11_COUNT:,}")
    for _, s19, _ in DOMAINS.values():
        _check_rank_decile(df, f"{s19}_rank", f"{s19}_decile", LSOA11_COUNT, path.name)
    isrc = SOURCES["imd2019_indicators"]
    ipath = ctx.path(isrc.path)
    ind = read_csv(
        ipath, required=["lsoa11_code"], aliases=isrc.aliases, optional=_all_columns(ipath)
    )
    inames = [c for c in ind.columns if c != "lsoa11_code"]
    numeric(ind, inames, ipath.name)
    check_codes(ind["lsoa11_code"], kind="lsoa11", source=ipath.name)

    w = crosswalk(ctx)
    values = df.set_index("lsoa11_code")[[f"{s19}_rank" for _, s19, _ in DOMAINS.values()]]
    values = values.join(ind.set_index("lsoa11_code"), how="left")
    extensive = {n for n in inames if "numerator" in n}
    carried = carry_to_lsoa21(values, w, extensive)
    for _, s19, _ in DOMAINS.values():
        carried[f"{s19}_decile"] = decile(carried[f"{s19}_rank"].to_numpy(), LSOA11_COUNT)
    ids = align_to_lsoas(ctx, pd.Series(carried.index, dtype="string"), path.name)
    specs = [
        IndicatorSpec(
            f"imd2019.{dom}",
            f"{label} 2019 (carried to LSOA21)",
            dom,
            SOURCE_2019,
            "2019",
            "rank",
            True,
            None,
            f"{s19}_rank",
            f"{s19}_decile",
            geography="lsoa11",
            description=(
                f"{label} 2019, published on 2011 LSOAs (rank of 32,844), carried to "
                "2021 LSOAs by population-weighted mean rank; decile from that rank"
            ),
        )
        for dom, (_, s19, label) in DOMAINS.items()
    ] + [_indicator_spec(n, "2019") for n in inames]
    return write_indicators(
        ctx, prefix="imd2019.", specs=specs, frame=carried.reset_index(drop=True), lsoa_ids=ids
    )


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("imd")
    with timed(res):
        ctx.progress.start("Indices of Deprivation 2025 and 2019", total=2)
        res.counts["imd2025 values"] = load_2025(ctx)
        ctx.progress.advance()
        if all(
            (ctx.data_dir / SOURCES[k].path).exists()
            for k in ("imd2019", "imd2019_indicators", "lsoa11_lsoa21", "mye2020")
        ):
            res.counts["imd2019 values"] = load_2019(ctx)
        else:
            res.notes.append("IoD 2019 skipped: its files or the LSOA11 lookup are missing")
        ctx.progress.advance()
        ctx.progress.done()
    return res


#: The ``imd`` part of ``depmap load``.
PART = Part(
    "imd",
    load,
    needs=("imd2025", "imd2025_subdomains", "imd2025_indicators"),
    doc="English Indices of Deprivation 2025 (and 2019 when its files are there)",
)
