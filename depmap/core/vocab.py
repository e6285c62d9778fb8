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

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

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
            ranked=True,
        ),
        Kind(
            "ltla",
            "local authority",
            "local authorities",
            gss=r"E0[6789]\d{6}",
            national=296,
            official=True,
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
            ranked=True,
            tile_title="Integrated care boards",
        ),
        Kind(
            "pcn",
            "primary care network",
            "primary care networks",
            ranked=True,
            tile_title="Primary care networks",
        ),
        Kind(
            "programme",
            "programme area",
            "programme areas",
            ranked=True,
            tile_title="Programme areas",
        ),
        Kind("custom", "custom area", "custom areas"),
    )
}

#: Every kind of area the service knows.
AREA_KINDS: tuple[str, ...] = tuple(KINDS)
#: Kinds whose rows are built by the national loaders (replaced on reload).
OFFICIAL_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.official)
#: Kinds whose measures are stored by the loaders.
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
#: Kinds in the order a search lists them after exact matches: larger areas first, custom
#: areas (drawn by someone) and 2011 LSOAs (superseded) last.
SEARCH_ORDER: tuple[str, ...] = (
    "icb",
    "sicbl",
    "ltla",
    "pcn",
    "programme",
    "ward",
    "msoa21",
    "lsoa21",
    "custom",
    "lsoa11",
)
#: Kinds served as OGC API - Features collections (``/ogc``): every current kind of area
#: (custom areas are private to their maker; 2011 LSOAs are superseded).
OGC_COLLECTIONS: tuple[str, ...] = tuple(k for k in SEARCH_ORDER if k not in ("custom", "lsoa11"))
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


# --- series: one indicator at several years (change over time) -------------------------

#: Number of LSOAs ranked in each IoD edition (2015 and 2019 on LSOA11, 2025 on LSOA21).
N_RANKED: dict[int, int] = {2015: NATIONAL_LSOA11, 2019: NATIONAL_LSOA11, 2025: NATIONAL_LSOA21}


@dataclass(frozen=True)
class CensusTable:
    """A census table published in 2011 (on LSOA11) and 2021 (on LSOA21) alike.

    ``categories`` add up to ``total`` in every row; ``tables`` names the published
    table of each census. Its counts are stored as indicators coded
    ``<table id>.<category>`` (``qs302ew.very_good``).
    """

    code: str
    label: str
    unit: str
    categories: tuple[str, ...]
    total: str
    tables: dict[int, str]

    def indicator(self, year: int, column: str) -> str:
        """The indicator code of a category (or the total) in one census."""
        return f"{self.tables[year].lower()}.{column}"


CENSUS_TABLES: dict[str, CensusTable] = {
    t.code: t
    for t in (
        CensusTable(
            "household_deprivation",
            "Households by deprivation dimensions (employment, education, health and "
            "disability, housing)",
            "households",
            tuple(f"households_deprived_in_{i}_dimensions" for i in range(5)),
            "households_total",
            {2011: "QS119EW", 2021: "TS011"},
        ),
        CensusTable(
            "general_health",
            "General health of all usual residents (self-reported)",
            "residents",
            ("very_good", "good", "fair", "bad", "very_bad"),
            "total",
            {2011: "QS302EW", 2021: "TS037"},
        ),
    )
}

SeriesKind = Literal["count", "rank"]
RankMeasure = Literal["", "decile1", "percentile"]


@dataclass(frozen=True)
class Series:
    """One indicator with values for several years on the LSOA21 atom.

    Attributes
    ----------
    code, label, unit
        Identifier, human label and unit of the area value (after ``scale``).
    years
        Years with values, ascending.
    source
        Where the LSOA values come from and how they reach LSOA21.
    higher_is_worse
        True when a rise of the value is a worsening.
    kind
        ``count`` (numerator / denominator) or ``rank`` (population-weighted mean).
    baseline, followup
        The default pair of years of :func:`changes` and of an evaluation.
    note
        What the value does and does not mean.
    scale
        Multiplier of the ratio (100: a share in %).
    census, numerator, denominator
        Count series: the census table (:data:`CENSUS_TABLES`), its categories summed
        into the numerator, and the denominator's column (the same in both censuses).
    rank_measure
        Rank series: ``decile1`` (1 if in England's most deprived 10%, else 0) or
        ``percentile`` (:func:`national_percentile`).
    """

    code: str
    label: str
    unit: str
    years: tuple[int, ...]
    source: str
    higher_is_worse: bool
    kind: SeriesKind
    baseline: int
    followup: int
    note: str
    scale: float = 100.0
    short: str = ""
    census: str = ""
    numerator: tuple[str, ...] = ()
    denominator: str = ""
    rank_measure: RankMeasure = ""

    def __post_init__(self) -> None:
        if self.baseline not in self.years or self.followup not in self.years:
            raise ValueError(f"{self.code}: baseline and followup must be among {self.years}")
        if self.baseline >= self.followup:
            raise ValueError(f"{self.code}: the baseline must come before the followup")
        if self.kind == "count" and not (self.numerator and self.denominator):
            raise ValueError(f"{self.code}: a count series needs numerator and denominator")
        if self.census:
            t = CENSUS_TABLES[self.census]
            if self.denominator != t.total or not set(self.numerator) <= set(t.categories):
                raise ValueError(f"{self.code}: the columns are not those of {t.code}")
        if self.kind == "rank" and not self.rank_measure:
            raise ValueError(f"{self.code}: a rank series needs a rank_measure")

    def parts(self) -> tuple[str, ...]:
        """The column parts one year of this series has in the LSOA frame."""
        return ("num", "den") if self.kind == "count" else ("value",)


_HH = CENSUS_TABLES["household_deprivation"]
_GH = CENSUS_TABLES["general_health"]
_IOD_SOURCE = (
    "English Indices of Deprivation (MHCLG): IoD 2015 and 2019 ranks of the 32,844 LSOA11s, "
    "carried to LSOA21 as the population-weighted mean rank (geo.crosswalk, to21); IoD 2025 "
    "ranks and deciles of the 33,755 LSOA21s"
)
_IOD_NOTE = (
    "Positions within each edition, never scores across editions (indicators, weights and "
    "reference years differ: IoD 2015 mostly describes 2012/13, IoD 2019 2015/16, IoD 2025 "
    "2021-23). A change says the area moved relative to the rest of England. Residents are "
    "Census 2021 usual residents for every edition."
)

#: The series the service holds (change over time, programme evaluation), by code.
SERIES: dict[str, Series] = {
    s.code: s
    for s in (
        Series(
            code="imd_decile1_share",
            short="In most deprived 10%",
            label="Residents in England's most deprived 10% of neighbourhoods (IMD)",
            unit="% of residents",
            years=(2015, 2019, 2025),
            source=_IOD_SOURCE,
            higher_is_worse=True,
            kind="rank",
            baseline=2015,
            followup=2025,
            note=_IOD_NOTE
            + " For 2015 and 2019 an LSOA21 is in decile 1 when its carried rank's national "
            "decile, ceil(rank * 10 / 32,844), is 1 (a merged LSOA21 takes its parents' mean "
            "rank); 2025 uses the published decile. England is about 10% in every edition.",
            scale=100.0,
            rank_measure="decile1",
        ),
        Series(
            code="imd_average_percentile",
            short="Average IMD percentile",
            label="Average national IMD percentile of residents (0 = most deprived)",
            unit="percentile (0 most deprived, 100 least)",
            years=(2015, 2019, 2025),
            source=_IOD_SOURCE,
            higher_is_worse=False,
            kind="rank",
            baseline=2015,
            followup=2025,
            note=_IOD_NOTE + " Percentile = 100 * (rank - 1) / N with each edition's own N "
            "(32,844 for 2015 and 2019, 33,755 for 2025): the % of England's LSOAs more "
            "deprived than the LSOA.",
            scale=1.0,
            rank_measure="percentile",
        ),
        Series(
            code="households_deprived_any",
            short="Households deprived",
            label="Households deprived in at least one dimension",
            unit="% of households",
            years=(2011, 2021),
            source="Census 2011 QS119EW (LSOA11, counts carried to LSOA21 by population, "
            "geo.crosswalk from11) and Census 2021 TS011 (LSOA21): households by deprivation "
            "dimensions",
            higher_is_worse=True,
            kind="count",
            baseline=2011,
            followup=2021,
            note="The four dimensions (employment, education, health and disability, housing) "
            "are defined alike in both censuses. England: 57.5% in 2011, 51.6% in 2021. Census "
            "2021 was taken during the pandemic (furlough counted as employed).",
            census=_HH.code,
            numerator=_HH.categories[1:],
            denominator=_HH.total,
        ),
        Series(
            code="households_deprived_2plus",
            short="Households deprived 2+",
            label="Households deprived in two or more dimensions",
            unit="% of households",
            years=(2011, 2021),
            source="Census 2011 QS119EW (LSOA11, carried to LSOA21) and Census 2021 TS011",
            higher_is_worse=True,
            kind="count",
            baseline=2011,
            followup=2021,
            note="Same dimensions in both censuses; see households_deprived_any.",
            census=_HH.code,
            numerator=_HH.categories[2:],
            denominator=_HH.total,
        ),
        Series(
            code="general_health_very_good",
            short="Very good health",
            label="Residents in very good health (self-reported)",
            unit="% of residents",
            years=(2011, 2021),
            source="Census 2011 QS302EW (LSOA11, carried to LSOA21) and Census 2021 TS037 "
            "(LSOA21, summed from output areas): general health of all usual residents",
            higher_is_worse=False,
            kind="count",
            baseline=2011,
            followup=2021,
            note="Self-reported; England 47.17% in 2011, 48.49% in 2021. Not age-standardised: "
            "an area that ages looks less healthy.",
            census=_GH.code,
            numerator=("very_good",),
            denominator=_GH.total,
        ),
        Series(
            code="general_health_bad",
            short="Bad health",
            label="Residents in bad or very bad health (self-reported)",
            unit="% of residents",
            years=(2011, 2021),
            source="Census 2011 QS302EW (LSOA11, carried to LSOA21) and Census 2021 TS037",
            higher_is_worse=True,
            kind="count",
            baseline=2011,
            followup=2021,
            note="Self-reported bad + very bad; England 5.49% in 2011, 5.15% in 2021. Not "
            "age-standardised.",
            census=_GH.code,
            numerator=("bad", "very_bad"),
            denominator=_GH.total,
        ),
    )
}
#: Series codes, in order.
SERIES_CODES: tuple[str, ...] = tuple(SERIES)


def in_catalogue_order(codes: Iterable[str]) -> tuple[str, ...]:
    """Series codes once each, in the catalogue's order (a request's answer and cache key
    do not depend on the order its parameters came in)."""
    wanted = set(codes)
    return tuple(c for c in SERIES_CODES if c in wanted)


#: The per-LSOA21 columns of ``lsoa_series`` (besides its keys): each series' parts per
#: year (``<series>_<year>_num``/``_den`` for counts, ``_value`` for ranks), then the
#: baseline covariates an evaluation matches on.
SERIES_COVARIATES: tuple[str, ...] = ("imd2015_score", "imd2015_rank", "residents2011")
LSOA_SERIES_COLUMNS: tuple[str, ...] = (
    *(
        f"{s.code}_{y}_{p}"
        for s in SERIES.values()
        for y in s.years
        for p in (("num", "den") if s.kind == "count" else ("value",))
    ),
    *SERIES_COVARIATES,
)


@dataclass(frozen=True)
class TileChange:
    """A change over time tiles carry per LSOA21, for the map's change layers.

    ``series`` is a :data:`SERIES` code (change of its value, baseline to follow-up, in
    percentage points) or ``imd_decile`` (IMD national decile 2025 minus 2015: positions,
    not scores). ``better`` says which sign is the good one; ``breaks`` are the class
    edges of the map's diverging palette.
    """

    code: str
    series: str
    label: str
    short: str
    unit: str
    better: Literal["lower", "higher"]
    breaks: tuple[float, ...]


TILE_CHANGES: tuple[TileChange, ...] = (
    TileChange(
        "households_deprived_any_change",
        "households_deprived_any",
        "Change in households deprived in at least one dimension, 2011-2021",
        "Households deprived: change",
        "percentage points",
        "lower",
        (-12.0, -8.0, -4.0, 4.0, 8.0, 12.0),
    ),
    TileChange(
        "general_health_bad_change",
        "general_health_bad",
        "Change in residents in bad or very bad health, 2011-2021",
        "Bad health: change",
        "percentage points",
        "lower",
        (-3.0, -2.0, -1.0, 1.0, 2.0, 3.0),
    ),
    TileChange(
        "imd_decile_change",
        "imd_decile",
        "Change in IMD national decile, 2015-2025 (positions within each edition)",
        "IMD decile: change",
        "deciles",
        "higher",
        (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5),
    ),
)


# --- columns of the tables depmap writes (CSV, GeoPackage, workbook) ---------------------

#: What each column of an exported table means, where it is not made from the tables above
#: (measures, domains, health indicators, kinds: see :func:`column_definition`). A
#: workbook's About sheet, the OpenAPI descriptions and the column checks read these.
COLUMN_WORDS: dict[str, str] = {
    "code": "GSS code of the area (for programme and custom areas, the id depmap gives them)",
    "name": "Name of the area",
    "kind": "Kind of area: "
    + "; ".join(f"{k} = {v.label}" for k, v in KINDS.items() if k != "custom"),
    "programme": "The programme the area belongs to (programme areas only)",
    "population": "People in the area: Census 2021 usual residents, or registered GP patients "
    "for primary care networks (population_basis says which)",
    "population_basis": "The population the measures are weighted by: census2021_residents "
    "(Census 2021 usual residents) or gp_registered_patients (NHS England GP registrations)",
    "vintage": "Year of the area's boundaries",
    "weight_basis": "How the area's LSOA21 weights are made: lsoa (whole LSOAs), area (the "
    "share of each LSOA's area inside it) or registrations (GP registrations by LSOA)",
    "area_km2": "Area of the stored boundary (British National Grid, EPSG:27700), km²",
    "lsoa21_count": "2021 LSOAs the area takes in (whole or in part)",
    "lsoa_count": "LSOA21s counted by population share: whole for areas of whole LSOAs, "
    "fractional where the area takes part of an LSOA",
    "overlap_area_m2": "Area of the overlap, m²",
    "share_of_area": "Share of this area's area (land) in the overlap",
    "share_of_other_area": "Share of the overlapped area's area (land) in the overlap",
    "share_of_population": "Share of this area's population in the overlap",
    "value": "The unit's score in the IoD 2025 domain tested",
    "share_in_area": "Share of its residents inside the area",
    "area_share": "Share of its land inside the area",
    "population_in_area": "Its residents inside the area (population x share_in_area)",
    "gi_z": "Getis-Ord Gi* z-score of the domain score of the unit and its neighbours",
    "p_value": "Pseudo p-value of Gi* from conditional permutations",
    "neighbours": "Neighbouring units inside the area (queen contiguity)",
    "cluster": "hot (a significant cluster of high deprivation), cold (of low deprivation) or none",
    "rank": "Rank of the MSOA among the area's MSOAs by the measure asked for (1 = most deprived)",
    "rank_in_programme": "Rank among the programme's areas by IMD 2025 average score "
    "(1 = highest score, most deprived)",
    "source_code": "The area's code in the file it was loaded from",
    "cni_score": "Community Needs Index 2023 score, population-weighted (higher = more need)",
    "left_behind_share": "Share of its residents in left-behind neighbourhoods "
    "(Community Needs Index 2023 flag)",
    "pcn_coverage": "Share of the residents the loaded GP registrations account for",
    "distance": "Standardised Euclidean distance of the deprivation profile from the area's "
    "(1 = one LSOA-level standard deviation of IMD score)",
    "domain": "IoD 2025 domain: "
    + "; ".join(f"{d.code} = {d.name}" for d in DOMAIN_TABLE.values()),
    "decile": "National decile of LSOA21s (1 = the most deprived 10% of England's LSOAs)",
    "label": "What the indicator measures",
    "higher_is_worse": "Whether a higher value is worse",
    "rank_among": "The kind of areas it is ranked among",
    "rank_of": "Areas of that kind ranked",
    "area_code": "Code of the programme area",
    "area_name": "Name of the programme area",
    "pcn_code": "Code of the primary care network (ODS code; for ICB-supplied footprints "
    "the supplier's slug and the ODS code)",
    "pcn_name": "Name of the primary care network",
    "source": "Where the PCN's footprint comes from: registrations (NHS England GP "
    "registrations by LSOA) or icb_supplied (a footprint an ICB supplied)",
    "share_of_residents": "Share of the area's residents attributed to the PCN (each LSOA's "
    "residents in proportion to the PCNs' registered patients there, never more residents "
    "than patients)",
    "extract_date": "Date of the NHS England GP registrations extract the PCN's patients come "
    "from (none for footprints an ICB supplied)",
    "pcn_extracts": "Extract dates of the GP registrations behind the PCNs listed",
    "pcn_note": "Why no PCN derived from registrations is listed (the loaded registrations "
    "account for under 5% of the residents)",
    "pcn_patients": "The PCN's registered patients living in the area",
    "icb_code": "Code of the PCN's integrated care board",
    "icb_name": "Name of the PCN's integrated care board",
    "share_of_pcn_patients": "Share of the PCN's registered patients who live in the area",
}

#: Columns whose meaning depends on the table (``<table>.<column>``), read before
#: :data:`COLUMN_WORDS`.
TABLE_COLUMN_WORDS: dict[str, str] = {
    "overlaps.code": "Code of the overlapped area",
    "overlaps.name": "Name of the overlapped area",
    "overlaps.kind": "Kind of the overlapped area",
    "overlaps.programme": "The programme the overlapped area belongs to (programme areas only)",
    "overlaps.population": "People of this area in the overlap (in this area's population), "
    "apportioned through LSOA21 shares",
    "routes.code": "Code of the ICB, sub-ICB location, local authority, PCN or programme area "
    "the area overlaps",
    "routes.name": "Its name",
    "routes.kind": "Its kind",
    "routes.programme": "The programme it belongs to (programme areas only)",
    "routes.population": "People of this area in the overlap, apportioned through LSOA21 shares",
    "deciles.population": "People of the area living in LSOA21s of that national decile",
    "deciles.share_of_population": "Share of the area's people living in LSOA21s of that "
    "national decile",
    "health.code": "The health indicator",
    "health.value": "The indicator's population-weighted value over the area's LSOA21s",
    "deprivation.population": "People the measures are weighted by",
}

_ORDINALS = ("first", "second", "third", "fourth", "fifth")


def column_definition(column: str, table: str = "") -> str | None:
    """What a column of an exported table means, in the vocabulary's words (None when the
    vocabulary has no words for it).

    >>> column_definition("rank_extent")
    'Rank of extent among the areas of its kind (1 = most deprived): IMD 2025 extent'
    >>> column_definition("icb_share")
    'Share of its residents in that integrated care board (the one holding most of them)'
    """
    if f"{table}.{column}" in TABLE_COLUMN_WORDS:
        return TABLE_COLUMN_WORDS[f"{table}.{column}"]
    if column in COLUMN_WORDS:
        return COLUMN_WORDS[column]
    if column in MEASURE_TABLE:
        return (
            f"{MEASURE_TABLE[column].label} (IoD 2025 summary measure over the area's LSOA21s; "
            "for another domain than IMD, the same measure of that domain)"
        )
    if column.startswith("rank_") and column[5:] in MEASURE_TABLE:
        m = column[5:]
        return (
            f"Rank of {m} among the areas of its kind (1 = most deprived): {MEASURE_TABLE[m].label}"
        )
    if column in HEALTH_TABLE:
        return f"{HEALTH_TABLE[column].label}, population-weighted over the area's LSOA21s"
    head, _, tail = column.rpartition("_")
    if column.endswith("_average_score") and column[: -len("_average_score")] in DOMAIN_TABLE:
        d = DOMAIN_TABLE[column[: -len("_average_score")]]
        return f"{d.name}: population-weighted average score (IoD 2025)"
    if head in DOMAIN_TABLE and tail in DOMAIN_FIELDS:
        d = DOMAIN_TABLE[head]
        return {
            "score": f"{d.name} score of the LSOA21 (IoD 2025)",
            "rank": f"{d.name} rank of the LSOA21 (IoD 2025; 1 = most deprived of "
            f"{NATIONAL_LSOA21:,})",
            "decile": f"{d.name} national decile of the LSOA21 (IoD 2025; 1 = most deprived 10%)",
        }[tail]
    if head in KINDS and tail in ("code", "name", "share"):
        label = KINDS[head].label
        return {
            "code": f"Code of the {label} holding most of its residents",
            "name": f"Name of the {label} holding most of its residents",
            "share": f"Share of its residents in that {label} (the one holding most of them)",
        }[tail]
    pcn = column.split("_")
    if (
        len(pcn) == 3
        and pcn[0] == "pcn"
        and pcn[1].isdigit()
        and pcn[2] in ("code", "name", "share")
    ):
        nth = _ORDINALS[int(pcn[1]) - 1] if 0 < int(pcn[1]) <= len(_ORDINALS) else pcn[1]
        return {
            "code": f"Code of the {nth} primary care network serving its residents "
            "(most residents first)",
            "name": f"Name of the {nth} primary care network serving its residents",
            "share": f"Share of its residents registered with the {nth} primary care network",
        }[pcn[2]]
    return None
