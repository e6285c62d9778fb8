"""The words of depmap, each spelled once.

Kinds of area, IoD domains, the summary measures, the health indicators and the
other LSOA statistics are defined here, with their labels and where their values
come from. Everything else derives from these tables: the database columns
(:mod:`depmap.core.schema`), the loaders' column lists, the API's allowed values and
OpenAPI enums (``api.params``), the tile fields and TileJSON, the map's "Colour
LSOAs by" chooser and the CSV columns. ``tests/unit/test_vocab.py`` checks that they
do.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- national counts ------------------------------------------------------------------

#: LSOA21s in England: IoD 2025 ranks run from 1 to this, national deciles are of it.
NATIONAL_LSOA21 = 33_755
#: LSOA11s in England: IoD 2015 and 2019 ranks run from 1 to this.
NATIONAL_LSOA11 = 32_844


# --- kinds of area --------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of area.

    ``label``/``plural`` are the words used in messages ("an integrated care board",
    "rank among integrated care boards"); ``gss`` the pattern of its GSS codes (None
    for ids depmap gives); ``national`` its number in England when a load checks it.
    """

    code: str
    label: str
    plural: str
    article: str = "a"
    gss: str | None = None
    national: int | None = None
    #: rows built by the national loaders (replaced on reload)
    official: bool = False
    #: measures stored by the loaders (the service computes LSOA21 ones when asked)
    summarised: bool = False
    #: areas ranked against each other
    ranked: bool = False
    #: the title of its tile layer (None: not a tile layer)
    tile_title: str | None = None


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "lsoa21",
            "2021 LSOA",
            "2021 LSOAs",
            gss=r"E01\d{6}",
            national=NATIONAL_LSOA21,
            official=True,
            tile_title="LSOA21: IoD 2025 deciles and health indicators",
        ),
        Kind(
            "msoa21",
            "2021 MSOA",
            "2021 MSOAs",
            gss=r"E02\d{6}",
            national=6_856,
            official=True,
            summarised=True,
            ranked=True,
            tile_title="MSOA21",
        ),
        Kind(
            "lsoa11",
            "2011 LSOA",
            "2011 LSOAs",
            gss=r"E01\d{6}",
            national=NATIONAL_LSOA11,
            official=True,
        ),
        Kind(
            "ward",
            "electoral ward",
            "electoral wards",
            "an",
            gss=r"E05\d{6}",
            official=True,
            summarised=True,
            ranked=True,
        ),
        Kind(
            "ltla",
            "local authority",
            "local authorities",
            gss=r"E0[6789]\d{6}",
            national=296,
            official=True,
            summarised=True,
            ranked=True,
            tile_title="Local authorities (lower tier)",
        ),
        Kind(
            "sicbl",
            "sub-ICB location",
            "sub-ICB locations",
            gss=r"E38\d{6}",
            national=106,
            official=True,
            summarised=True,
            ranked=True,
            tile_title="Sub-ICB locations",
        ),
        Kind(
            "icb",
            "integrated care board",
            "integrated care boards",
            "an",
            gss=r"E54\d{6}",
            national=42,
            official=True,
            summarised=True,
            ranked=True,
            tile_title="Integrated care boards",
        ),
        Kind(
            "pcn",
            "primary care network",
            "primary care networks",
            summarised=True,
            ranked=True,
            tile_title="Primary care networks",
        ),
        Kind(
            "programme",
            "programme area",
            "programme areas",
            summarised=True,
            ranked=True,
            tile_title="Programme areas",
        ),
        Kind("custom", "custom area", "custom areas", summarised=True),
    )
}

#: Every kind of area the service knows.
AREA_KINDS: tuple[str, ...] = tuple(KINDS)
#: Kinds whose rows are built by the national loaders (replaced on reload).
OFFICIAL_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.official)
#: Kinds whose measures are stored by the loaders.
SUMMARISED_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.summarised)
#: Kinds whose areas are ranked against each other (``/rankings?kind=``).
RANKED_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.ranked)
#: Kinds an area's overlaps can be asked for (custom areas are private to their maker).
OVERLAP_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "custom")
#: Units hotspots are found among.
HOTSPOT_UNITS: tuple[str, ...] = ("lsoa21", "msoa21")
#: Kinds comparator areas are drawn from unless asked (whole-LSOA neighbourhoods).
COMPARATOR_KINDS: tuple[str, ...] = ("lsoa21", "msoa21", "ward")
#: Kinds comparators can be asked from (``kind=``): the neighbourhoods, and footprints for
#: larger areas.
COMPARATOR_CHOICES: tuple[str, ...] = (*COMPARATOR_KINDS, "ltla", "sicbl", "icb")
#: Kinds a profile lists the overlaps of (routes into the NHS and programmes).
PROFILE_KINDS: tuple[str, ...] = ("icb", "sicbl", "ltla", "pcn", "programme")
#: Footprints every programme area is placed in (the one holding most of its people).
FOOTPRINT_KINDS: tuple[str, ...] = ("icb", "sicbl", "ltla")
#: Footprints each LSOA21 or MSOA21 of an export is placed in (hotspot units, MSOA
#: concentration, an area's LSOAs): the one holding most of its residents.
PLACE_KINDS: tuple[str, ...] = ("msoa21", "ward", "ltla", "sicbl", "icb")
#: Tile layers, in the order the API lists them.
TILE_LAYERS: tuple[str, ...] = (
    "lsoa21",
    *(k for k, v in KINDS.items() if v.tile_title and k != "lsoa21"),
)
#: GSS code patterns by kind (and of the 2011 MSOAs the health files use).
GSS_PATTERNS: dict[str, str] = {
    **{k: v.gss for k, v in KINDS.items() if v.gss},
    "msoa11": r"E02\d{6}",
}


# --- IoD domains ----------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    """An IoD domain (``imd`` is the overall index).

    ``name`` is the IoD's own name; ``label`` how tiles and answers describe it;
    ``map_label``/``short`` the map's chooser and legend; ``stem2025``/``stem2019``
    the column stems in the published files.
    """

    code: str
    name: str
    label: str
    map_label: str
    short: str
    stem2025: str
    stem2019: str


DOMAIN_TABLE: dict[str, Domain] = {
    d.code: d
    for d in (
        Domain(
            "imd",
            "Index of Multiple Deprivation",
            "Index of Multiple Deprivation",
            "Index of Multiple Deprivation 2025",
            "IMD",
            "IMD",
            "IMD",
        ),
        Domain(
            "income",
            "Income Deprivation Domain",
            "Income",
            "Income deprivation",
            "Income",
            "Income",
            "Income",
        ),
        Domain(
            "employment",
            "Employment Deprivation Domain",
            "Employment",
            "Employment deprivation",
            "Employment",
            "Employment",
            "Employment",
        ),
        Domain(
            "education",
            "Education, Skills and Training Domain",
            "Education, skills and training",
            "Education, skills and training",
            "Education",
            "Education",
            "Education",
        ),
        Domain(
            "health",
            "Health Deprivation and Disability Domain",
            "Health deprivation and disability",
            "Health deprivation and disability",
            "Health",
            "Health",
            "Health",
        ),
        Domain("crime", "Crime Domain", "Crime", "Crime", "Crime", "Crime", "Crime"),
        Domain(
            "housing",
            "Barriers to Housing and Services Domain",
            "Barriers to housing and services",
            "Barriers to housing and services",
            "Housing",
            "Housing_and_Services",
            "Housing_and_Access",
        ),
        Domain(
            "environment",
            "Living Environment Domain",
            "Living environment",
            "Living environment",
            "Environment",
            "Environment",
            "Environment",
        ),
    )
}
#: IoD domains as the API names them.
DOMAINS: tuple[str, ...] = tuple(DOMAIN_TABLE)
#: The per-domain LSOA statistics: score, rank (1 = most deprived), decile (1 = most deprived).
DOMAIN_FIELDS: tuple[str, ...] = ("score", "rank", "decile")


# --- summary measures -----------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """An IoD summary measure of a larger area (``geo.measures`` defines them)."""

    code: str
    label: str


MEASURE_TABLE: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure("average_score", "IMD 2025 population-weighted average score"),
        Measure(
            "average_rank", "IMD 2025 population-weighted average rank (33,755 = most deprived)"
        ),
        Measure(
            "proportion_most_deprived_10", "Share of its LSOAs in the most deprived 10% nationally"
        ),
        Measure("extent", "IMD 2025 extent"),
        Measure("local_concentration", "IMD 2025 local concentration"),
        Measure("scale", "Income- or employment-deprived people (those domains only)"),
    )
}
#: The IoD summary measures for larger areas.
MEASURES: tuple[str, ...] = tuple(MEASURE_TABLE)
#: The measures every domain has (scale is for income and employment only).
RANKING_MEASURES: tuple[str, ...] = MEASURES[:5]


# --- LSOA statistics ------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    """A per-LSOA21 statistic of ``lsoa_stats``, from an indicator of the catalogue.

    ``source`` is the indicator code and ``field`` the field of its value
    (``value``, ``rank`` or ``decile``).
    """

    code: str
    source: str
    field: str = "value"


@dataclass(frozen=True)
class HealthIndicator(Stat):
    """A health indicator of every area's profile.

    ``label`` describes it in answers; ``tile_label`` in TileJSON where that differs;
    ``map_label``/``short`` in the map's chooser and legend (None: not on the map);
    ``tiles``: tile features carry it with a national decile (1 = worst 10%).
    """

    label: str = ""
    higher_is_worse: bool = True
    tiles: bool = False
    tile_label: str | None = None
    map_label: str | None = None
    short: str | None = None


_IOD25 = "imd2025.ind."
HEALTH_TABLE: dict[str, HealthIndicator] = {
    h.code: h
    for h in (
        HealthIndicator(
            "health_score",
            "imd2025.health",
            label="IoD 2025 health deprivation and disability score",
        ),
        HealthIndicator(
            "acute_morbidity",
            _IOD25 + "acute_morbidity_indicator",
            label="Acute morbidity indicator (IoD 2025)",
            tiles=True,
            map_label="Acute morbidity (IoD 2025)",
            short="Acute morbidity",
        ),
        HealthIndicator(
            "illness_disability_ratio",
            _IOD25 + "comparative_illness_and_disability_ratio_indicator",
            label="Comparative illness and disability ratio (IoD 2025)",
            tiles=True,
            short="Illness & disability ratio",
        ),
        HealthIndicator(
            "mental_health",
            _IOD25 + "mental_health_indicator",
            label="Mental health indicator (IoD 2025)",
            tiles=True,
            short="Mental health",
        ),
        HealthIndicator(
            "years_life_lost",
            _IOD25 + "years_of_potential_life_lost_indicator",
            label="Years of potential life lost (IoD 2025)",
            tiles=True,
            short="Years of life lost",
        ),
        HealthIndicator(
            "disability_rate",
            "census2021.disability_rate",
            label="Share of residents disabled under the Equality Act (Census 2021)",
            tiles=True,
            map_label="Residents disabled under the Equality Act (Census 2021)",
            short="Disabled residents",
        ),
        HealthIndicator(
            "hle_male",
            "hle2009_13.hle_male",
            label="Healthy life expectancy at birth, males, years (2009-13)",
            higher_is_worse=False,
            tiles=True,
            tile_label="Healthy life expectancy at birth, males, years (ONS 2009-13)",
            map_label="Healthy life expectancy, males (ONS 2009-13)",
            short="Healthy life exp. (m)",
        ),
        HealthIndicator(
            "hle_female",
            "hle2009_13.hle_female",
            label="Healthy life expectancy at birth, females, years (2009-13)",
            higher_is_worse=False,
            tiles=True,
            tile_label="Healthy life expectancy at birth, females, years (ONS 2009-13)",
            map_label="Healthy life expectancy, females (ONS 2009-13)",
            short="Healthy life exp. (f)",
        ),
        HealthIndicator(
            "le_male",
            "hle2009_13.le_male",
            label="Life expectancy at birth, males, years (2009-13)",
            higher_is_worse=False,
        ),
        HealthIndicator(
            "le_female",
            "hle2009_13.le_female",
            label="Life expectancy at birth, females, years (2009-13)",
            higher_is_worse=False,
        ),
        HealthIndicator(
            "dfle_male",
            "hle2009_13.dfle_male",
            label="Disability-free life expectancy, males, years (2009-13)",
            higher_is_worse=False,
        ),
        HealthIndicator(
            "dfle_female",
            "hle2009_13.dfle_female",
            label="Disability-free life expectancy, females, years (2009-13)",
            higher_is_worse=False,
        ),
    )
}
#: The health indicators of every area's profile, in order.
HEALTH_COLUMNS: tuple[str, ...] = tuple(HEALTH_TABLE)
#: Health indicators tiles carry, with whether a higher value is worse.
TILE_HEALTH: tuple[tuple[str, bool], ...] = tuple(
    (h.code, h.higher_is_worse) for h in HEALTH_TABLE.values() if h.tiles
)

#: The other per-LSOA statistics the service aggregates.
OTHER_STATS: tuple[Stat, ...] = (
    Stat("income_numerator", _IOD25 + "income_domain_numerator"),
    Stat("employment_numerator", _IOD25 + "employment_domain_numerator"),
    Stat("cni_score", "cni2023.score"),
    Stat("cni_rank", "cni2023.score", "rank"),
    Stat("imd2019_rank", "imd2019.imd", "rank"),
    Stat("imd2019_decile", "imd2019.imd", "decile"),
)


def _stats() -> dict[str, Stat]:
    out: dict[str, Stat] = {
        f"{d}_{f}": Stat(f"{d}_{f}", f"imd2025.{d}", {"score": "value"}.get(f, f))
        for d in DOMAINS
        for f in DOMAIN_FIELDS
    }
    others = {s.code: s for s in OTHER_STATS}
    for s in (*OTHER_STATS[:2], *HEALTH_TABLE.values(), *OTHER_STATS[2:]):
        out.setdefault(s.code, others.get(s.code, s))
    return out


#: Every column of ``lsoa_stats`` besides its keys, with the indicator it comes from.
LSOA_STATS: dict[str, Stat] = _stats()
LSOA_STAT_COLUMNS: tuple[str, ...] = tuple(LSOA_STATS)
#: IoD domains whose deciles every LSOA tile feature carries.
TILE_DECILES: tuple[str, ...] = tuple(f"{d}_decile" for d in DOMAINS)
