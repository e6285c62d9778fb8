"""What the JSON answers hold, for the OpenAPI document.

Answers are built by the query layer as plain dicts and written with orjson (and
cached as bytes), so these models are not used to serialise: they describe the
answers in ``/openapi.json`` (``response_model`` on each route), so that clients can
generate types and schemathesis checks every answer against its schema. Lists of
fields that the vocabulary defines (measures, domains, health indicators) are made
from it. ``tests/routes/test_hostile.py`` validates real answers against them.
"""

from __future__ import annotations

from typing import Any

from geojson_pydantic import Feature as GeoJSONFeature
from geojson_pydantic import FeatureCollection as GeoJSONFeatureCollection
from geojson_pydantic import MultiPolygon
from pydantic import BaseModel, ConfigDict, Field, create_model

from depmap.core.vocab import (
    COLUMN_WORDS,
    DOMAIN_FIELDS,
    DOMAINS,
    HEALTH_COLUMNS,
    MEASURES,
    PROFILE_KINDS,
    RANKING_MEASURES,
)
from queries.geopackage import GPKG_MEDIA_TYPE
from queries.ogc import COLLECTIONS, LSOA_PROPERTIES, Property
from queries.places import place_columns
from queries.workbook import XLSX_MEDIA_TYPE

Num = float | None


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Problem(Answer):
    """Every error: a code, what was wrong, and sometimes more (allowed values ...)."""

    error: str = Field(examples=["unknown_area"])
    detail: Any = Field(examples=["no area with id 'E99999999'"])


class CacheStats(Answer):
    entries: int
    bytes: int
    hits: int
    misses: int


class DatabaseState(Answer):
    name: str = Field(examples=["replica 1"])
    role: str = Field(examples=["replica"], description="primary or replica")
    state: str = Field(examples=["up"], description="up or down")
    data_version: int | None = Field(description="The data version last seen there")
    reads: int = Field(description="Answers and tiles computed there by this process")
    error: str | None = None


class Health(Answer):
    status: str = Field(
        examples=["ok"],
        description="ok; degraded (reads are answered but a database is down: writes need "
        "the primary); unavailable (503: no database answers reads, or nothing is loaded)",
    )
    database: str = Field(examples=["ok"], description="The primary: ok or unreachable")
    data_version: int | None = Field(description="The data version reads are served at")
    detail: str | None = None
    databases: list[DatabaseState] = []
    cache: CacheStats


class Indicator(Answer):
    code: str
    label: str
    domain: str
    source: str
    vintage: str
    unit: str
    higher_is_worse: bool | None
    extensive: bool
    geography: str
    description: str


class Indicators(Answer):
    count: int
    indicators: list[Indicator]


class AreaRow(Answer):
    code: str
    name: str
    kind: str
    vintage: str
    programme: str | None
    population: float
    area_km2: float


class AreaList(Answer):
    total: int
    limit: int
    offset: int
    areas: list[AreaRow]


class AreaDetail(Answer):
    code: str = Field(examples=["E54000008"])
    kind: str
    name: str
    vintage: str
    programme: str | None
    population: float
    population_basis: str
    weight_basis: str
    area_m2: float
    area_km2: float
    properties: dict[str, Any]
    bbox: list[float] = Field(description="west, south, east, north (WGS84)")
    point: list[float] = Field(description="a point inside the area (lon, lat)")
    lsoa21_count: int
    links: dict[str, str] | None = None


class Created(Answer):
    id: str = Field(examples=["c-3f9a1b2c4d5e"])
    name: str
    kind: str
    area_m2: float
    population: float
    vertices: int
    lsoa21_count: int
    shared: bool = Field(description="Readable by anyone with the id (s-...), or private (c-...)")
    share_in_england: float = Field(
        description="Share of the polygon's area in England's 2021 LSOAs (below 0.5: refused)"
    )
    warnings: list[str] = Field(description="What to know about the area (partly outside ...)")


class AreaRef(Answer):
    code: str
    name: str
    kind: str


class OverlapArea(AreaRef):
    area_m2: float
    population: float
    population_basis: str


class RegistrationExtract(Answer):
    """One extract of NHS England's 'Patients registered at a GP practice' by LSOA."""

    file: str = Field(examples=["nhs/gp-reg-pat-prac-lsoa-all_QNC_oct2025.csv"])
    extract_date: str = Field(examples=["2025-10-01"])
    publication: str = Field(examples=["2025-10"], description="YYYY-MM of the extract")
    lsoa_geography: str = Field(
        examples=["lsoa21"], description="lsoa11 (carried to 2021 LSOAs) or lsoa21"
    )
    geography_from: str = Field(description="how the geography was told: codes, extract date")
    practices: int = Field(description="practices whose patients come from this extract")
    patients_placed: float = Field(description="their patients placed in English LSOA21s")
    pcns: int
    icbs: list[str] = Field(description="ICBs whose practices this extract supplies")


class Registrations(Answer):
    """The GP registrations PCNs were derived from, as answers naming PCNs cite them."""

    extracts: list[RegistrationExtract]
    icbs_covered: int = Field(description="ICBs whose practices the loaded extracts hold")
    coverage_floor: float = Field(
        description="below this pcn_coverage no PCN derived from registrations is listed"
    )
    rule: str


class Overlap(Answer):
    code: str
    name: str
    kind: str
    programme: str | None
    overlap_area_m2: float
    share_of_area: float
    share_of_other_area: float
    population: float
    share_of_population: float
    source: str | None = Field(
        default=None, description="kind=pcn: registrations (derived) or icb_supplied"
    )
    extract_date: str | None = Field(
        default=None, description="kind=pcn: the extract most of the PCN's patients come from"
    )
    pcn_patients: Num = Field(
        default=None, description="kind=pcn: the PCN's registered patients living in the area"
    )
    share_of_pcn_patients: Num = Field(
        default=None, description="kind=pcn: those over all the PCN's patients"
    )
    pcn_coverage: Num = Field(default=None, description="kind=pcn: the area's (every row)")


class Overlaps(Answer):
    area: OverlapArea
    kind: str
    min_share: float
    population_basis: str
    count: int
    overlaps: list[Overlap]
    pcn_coverage: float | None = Field(
        default=None,
        description="kind=pcn: the share of the area's population the loaded GP "
        "registrations account for",
    )
    registrations: Registrations | None = Field(
        default=None, description="kind=pcn: the extracts PCNs were derived from"
    )
    note: str | None = Field(
        default=None, description="kind=pcn: why no derived PCN is listed (low coverage)"
    )


class DecileShare(Answer):
    decile: int
    population: float
    share: float


class HealthValue(Answer):
    code: str
    label: str
    higher_is_worse: bool
    value: Num


Ranks = create_model(  # type: ignore[call-overload]
    "Ranks",
    __base__=Answer,
    of=(int, ...),
    among=(str, ...),
    **{m: (int | None, None) for m in MEASURES},
)

_MEASURE_FIELDS: dict[str, Any] = {m: (Num, None) for m in MEASURES}

DomainMeasures = create_model(
    "DomainMeasures",
    __base__=Answer,
    domain=(str, ...),
    population=(float, ...),
    population_basis=(str, ...),
    lsoa_count=(
        int | float,
        Field(description=COLUMN_WORDS["lsoa_count"]),
    ),
    ranks=(Ranks | None, None),
    deciles=(list[DecileShare], ...),
    **_MEASURE_FIELDS,
)


class Deprivation(DomainMeasures):  # type: ignore[misc, valid-type]
    area: AreaRef
    health: list[HealthValue]
    n_lsoa_national: int
    method: str


RankingRow = create_model(  # type: ignore[call-overload]
    "RankingRow",
    __base__=Answer,
    code=(str, ...),
    name=(str, ...),
    programme=(str | None, None),
    population=(float, ...),
    population_basis=(str, ...),
    # PCNs only
    source=(str | None, None),
    extract_date=(str | None, None),
    icb_code=(str | None, None),
    icb_name=(str | None, None),
    **_MEASURE_FIELDS,
    **{f"rank_{m}": (int | None, None) for m in MEASURES},
)


class Rankings(Answer):
    kind: str
    domain: str
    measure: str
    programme: str | None
    count: int
    areas: list[RankingRow]  # type: ignore[valid-type]
    pcn_coverage: float | None = Field(
        default=None,
        description="kind=pcn: the share of England's residents the loaded registrations "
        "account for",
    )
    registrations: Registrations | None = None


class UnitPcn(Answer):
    code: str
    name: str
    source: str = Field(description="registrations (GP registrations) or icb_supplied")
    extract_date: str | None = Field(
        default=None, description="the registrations extract most of its patients come from"
    )
    share: float = Field(description="Share of the unit's residents the PCN holds")


def _place(column: str) -> tuple[Any, Any]:
    if column == "pcn_coverage":
        return (
            float,
            Field(description=COLUMN_WORDS["pcn_coverage"]),
        )
    return (Num if column.endswith("_share") else str | None, None)


#: Where a unit lies (queries.places): the footprint of each kind holding most of its
#: residents, with that share, and the PCNs serving it.
_PLACES: dict[str, Any] = {
    **{c: _place(c) for c in place_columns("lsoa21")},
    "pcns": (list[UnitPcn], ...),
}

HotspotRow = create_model(
    "HotspotRow",
    __base__=Answer,
    code=(str, ...),
    name=(str, ...),
    value=(Num, ...),
    population=(Num, ...),
    share_in_area=(float, Field(description=COLUMN_WORDS["share_in_area"])),
    population_in_area=(float, ...),
    gi_z=(float, ...),
    p_value=(float, ...),
    neighbours=(int, ...),
    cluster=(str, Field(description=COLUMN_WORDS["cluster"])),
    **_PLACES,
)

MsoaConcentration = create_model(  # type: ignore[call-overload]
    "MsoaConcentration",
    __base__=Answer,
    rank=(int, Field(description=COLUMN_WORDS["rank"])),
    code=(str, ...),
    name=(str, ...),
    **{m: (Num, None) for m in RANKING_MEASURES},
    population=(Num, ...),
    share_in_area=(float, ...),
    population_in_area=(float, ...),
    **_PLACES,
)


class Hotspots(Answer):
    area: AreaRef
    unit: str
    domain: str
    alpha: float
    fdr: bool
    p_threshold: float
    permutations: int
    hotspot_count: int
    coldspot_count: int
    hotspot_population: float
    units: list[HotspotRow]  # type: ignore[valid-type]
    measure: str = Field(description="What msoa_concentration is ordered by")
    msoa_count: int = Field(description="MSOA21s the area takes in (all are listed)")
    msoa_concentration: list[MsoaConcentration]  # type: ignore[valid-type]
    method: str
    registrations: Registrations | None = Field(
        default=None, description="the GP registrations the rows' PCNs come from"
    )


LsoaRow = create_model(  # type: ignore[call-overload]
    "LsoaRow",
    __base__=Answer,
    code=(str, ...),
    name=(str, ...),
    population=(float, ...),
    share_in_area=(float, Field(description="Share of its residents counted in the area")),
    area_share=(float, Field(description=COLUMN_WORDS["area_share"])),
    population_in_area=(float, ...),
    **{
        f"{d}_{f}": (Num if f == "score" else int | None, None)
        for d in DOMAINS
        for f in DOMAIN_FIELDS
    },
    **_PLACES,
)


class AreaLsoas(Answer):
    area: AreaRef
    domain: str = Field(description="The rows are ordered by this domain's rank")
    count: int
    population_in_area: float
    method: str
    registrations: Registrations | None = Field(
        default=None, description="the GP registrations the rows' PCNs come from"
    )
    lsoas: list[LsoaRow]  # type: ignore[valid-type]


class PcnDeprivation(Answer):
    """A PCN's own IoD 2025 summary (weighted by its registered patients) and ranks."""

    population: float
    average_score: Num
    extent: Num
    proportion_most_deprived_10: Num
    rank_average_score: int | None = Field(description="among all PCNs, 1 = most deprived")
    of: int
    icb_code: str | None
    icb_name: str | None
    rank_in_icb: int | None = Field(description="among the PCNs of its ICB, 1 = most deprived")
    pcns_in_icb: int | None


class Route(Answer):
    code: str
    name: str
    programme: str | None
    share_of_population: float
    share_of_area: float
    population: float
    # PCNs only
    source: str | None = None
    extract_date: str | None = None
    share_of_pcn_patients: Num = None
    deprivation: PcnDeprivation | None = None


Profile = create_model(
    "Profile",
    __base__=Answer,
    area=(AreaDetail, ...),
    deprivation=(dict[str, DomainMeasures], ...),  # type: ignore[valid-type]
    health=(list[HealthValue], ...),
    overlaps=(
        create_model(  # type: ignore[call-overload]
            "ProfileOverlaps", __base__=Answer, **{k: (list[Route], ...) for k in PROFILE_KINDS}
        ),
        ...,
    ),
    pcn_coverage=(float, ...),
    pcn_note=(str | None, None),
    registrations=(Registrations | None, None),
)


class Programme(Answer):
    name: str
    slug: str
    areas: int
    population: float
    population_basis: str | None
    area_km2: float
    source_file: str | None
    format: str | None
    loaded_at: str | None
    links: dict[str, str]


class Programmes(Answer):
    count: int
    programmes: list[Programme]


class ProgrammePcn(Answer):
    code: str
    name: str
    source: str
    extract_date: str | None = None
    population_basis: str
    share_of_residents: float
    share_of_pcn_patients: Num


SummaryRow = create_model(  # type: ignore[call-overload]
    "SummaryRow",
    __base__=Answer,
    code=(str, ...),
    source_code=(str | None, None),
    name=(str, ...),
    population=(float, ...),
    population_basis=(str, ...),
    area_km2=(float, ...),
    rank_in_programme=(int | None, None),
    pcn_coverage=(float, ...),
    pcn_note=(str | None, None),
    pcn_extracts=(str, ...),
    pcns=(list[ProgrammePcn], ...),
    **{m: (Num, None) for m in MEASURES if m != "scale"},
    **{f"{d}_average_score": (Num, None) for d in DOMAINS if d != "imd"},
    **{c: (Num, None) for c in HEALTH_COLUMNS if c != "health_score"},
)


class ProgrammeSummary(Answer):
    programme: str
    slug: str
    count: int
    population_basis: str | None
    method: str
    registrations: Registrations | None = None
    areas: list[SummaryRow]  # type: ignore[valid-type]


_SCORES: dict[str, Any] = {f"{d}_average_score": (Num, None) for d in DOMAINS}

Comparator = create_model(
    "Comparator",
    __base__=Answer,
    code=(str, ...),
    name=(str, ...),
    kind=(str, ...),
    population=(float, ...),
    distance=(float, ...),
    **_SCORES,
)


class Comparators(Answer):
    area: dict[str, Any]
    size_band: dict[str, float]
    kinds: list[str]
    excluded: str
    distance: str
    scales: dict[str, float]
    candidates_in_band: int
    count: int
    note: str | None = Field(
        default=None, description="Why there are no comparators, and what to ask instead"
    )
    comparators: list[Comparator]  # type: ignore[valid-type]


class SeriesInfo(Answer):
    indicator: str = Field(examples=["general_health_bad"])
    label: str
    short: str
    unit: str
    kind: str = Field(description="count (a share of households or residents) or rank")
    years: list[int]
    baseline_year: int
    followup_year: int
    higher_is_worse: bool
    better: str = Field(description="lower or higher")
    source: str
    note: str


class Point(Answer):
    year: int
    value: Num


class EnglandSeries(Answer):
    points: list[Point]
    change: Num


class SeriesChange(SeriesInfo):
    points: list[Point]
    change: Num
    england: EnglandSeries
    difference_vs_england: Num
    lsoa21: int


class ChangeArea(AreaRef):
    population: float
    population_basis: str


class Change(Answer):
    area: ChangeArea
    count: int
    changes: list[SeriesChange]
    method: str


class EvaluationGroup(Answer):
    areas: int
    lsoa21: int
    baseline: Num
    followup: Num
    change: Num


class Balance(Answer):
    covariate: str
    description: str
    mean_treated: Num
    mean_pool: Num
    mean_matched: Num
    sd_treated: Num
    smd_before: Num
    smd_after: Num


class Matched(EvaluationGroup):
    k: int
    matched_on: list[str]
    programme_lsoa21_matched: int
    eligible_pool: int
    balance: list[Balance]
    balanced: bool
    message: str


class SeedAuthority(Answer):
    code: str
    name: str
    imd2015_average_score: float
    distance: float
    baseline: Num
    followup: Num
    change: Num


class SeedMethod(EvaluationGroup):
    programme_imd2015_average_score: float
    local_authorities: list[SeedAuthority]


class DiD(Answer):
    estimate: Num
    low: Num
    high: Num
    se: Num
    replicates: int
    level: float
    method: str


class IndicatorEvaluation(SeriesInfo):
    programme_group: EvaluationGroup
    england: EvaluationGroup
    matched_comparators: Matched
    seed_method: SeedMethod | None
    difference_in_differences: dict[str, DiD]
    notes: list[str]


class Evaluation(Answer):
    programme: str
    slug: str
    areas: int
    lsoa21: int
    k: int
    replicates: int
    seed: int
    count: int
    evaluations: list[IndicatorEvaluation]
    method: str
    regression_to_the_mean: str


class TileLayerRef(Answer):
    name: str
    title: str
    tilejson: str


class TileLayers(Answer):
    layers: list[TileLayerRef]


class VectorLayer(Answer):
    id: str
    description: str
    minzoom: int
    maxzoom: int
    fields: dict[str, str]


class TileJSON(Answer):
    """TileJSON 3.0.0 of a tile layer (tile URLs carry the data version)."""

    tilejson: str = Field(examples=["3.0.0"])
    name: str
    description: str
    version: str
    attribution: str
    scheme: str
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float]
    center: list[float]
    vector_layers: list[VectorLayer]


class FeatureCollection(Answer):
    """``format=geojson``: a GeoJSON FeatureCollection (WGS84), each feature's properties
    the row of the JSON answer."""

    type: str = Field(examples=["FeatureCollection"])
    features: list[dict[str, Any]]


# --- OGC API - Features (``/ogc``) ------------------------------------------------------


class OgcLink(Answer):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class OgcLanding(Answer):
    title: str
    description: str
    links: list[OgcLink]


class OgcConformance(Answer):
    conformsTo: list[str]


class OgcSpatialExtent(Answer):
    bbox: list[list[float]] = Field(description="west, south, east, north")
    crs: str


class OgcExtent(Answer):
    spatial: OgcSpatialExtent


class OgcCollection(Answer):
    id: str = Field(examples=["icb"])
    title: str
    description: str
    itemType: str = Field(examples=["feature"])
    links: list[OgcLink]
    extent: OgcExtent | None = None
    crs: list[str] = Field(description="CRSs features can be asked in (crs=)")
    storageCrs: str


class OgcCollections(Answer):
    links: list[OgcLink]
    collections: list[OgcCollection]
    crs: list[str]


_PY_TYPES: dict[str, Any] = {"string": str | None, "number": float | None, "integer": int | None}


def _props_model(name: str, props: tuple[Property, ...], optional: set[str]) -> Any:
    return create_model(  # type: ignore[call-overload]
        name,
        __base__=Answer,
        **{
            p.name: (
                (str if p.name in ("code", "name") else _PY_TYPES[p.type]),
                Field(None if p.name in optional else ..., description=p.description),
            )
            for p in props
        },
    )


#: Properties of an LSOA21 feature, and of a footprint's (``programme`` only in that one).
LsoaFeatureProperties = _props_model("LsoaFeatureProperties", LSOA_PROPERTIES, set())
FootprintFeatureProperties = _props_model(
    "FootprintFeatureProperties", COLLECTIONS["programme"].properties, {"programme"}
)


class OgcFeature(
    GeoJSONFeature[MultiPolygon, LsoaFeatureProperties | FootprintFeatureProperties]  # type: ignore[valid-type]
):
    """An area: its code as id, its boundary in the CRS asked for (``Content-Crs``)."""


class OgcFeatureCollection(GeoJSONFeatureCollection[OgcFeature]):
    """A page of a collection's items, with the OGC API members."""

    links: list[OgcLink]
    numberMatched: int
    numberReturned: int
    timeStamp: str


#: 4xx/5xx answers the routes may give (the error table, ``api.errors``).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or wrong bearer token"},
    404: {"model": Problem, "description": "Unknown area, programme or layer"},
    422: {"model": Problem, "description": "A parameter is not allowed (the detail says why)"},
    503: {"model": Problem, "description": "Database unavailable or not loaded; Retry-After"},
}


def with_formats(
    model: type[BaseModel],
    *,
    csv: bool = True,
    geojson: bool = False,
    gpkg: bool = False,
    xlsx: bool = False,
) -> dict:
    """``responses=`` for a route answering JSON, and CSV, GeoJSON, GeoPackage or an Excel
    workbook when ``format=`` asks."""
    content: dict[str, Any] = {"application/json": {}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    if geojson:
        content["application/geo+json"] = {"schema": FeatureCollection.model_json_schema()}
    if gpkg:
        content[GPKG_MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}
    if xlsx:
        content[XLSX_MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"model": model, "content": content}, **ERRORS}


# --- the body of POST /areas (read raw by the route: described here for the docs) -----

_POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}
_RING = {
    "type": "array",
    "items": _POSITION,
    "minItems": 4,
    "description": "A closed ring: the last position repeats the first",
}
_POLYGON = {
    "type": "object",
    "title": "Polygon",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Polygon"]},
        "coordinates": {"type": "array", "items": _RING, "minItems": 1},
    },
}
_MULTIPOLYGON = {
    "type": "object",
    "title": "MultiPolygon",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["MultiPolygon"]},
        "coordinates": {
            "type": "array",
            "items": {"type": "array", "items": _RING, "minItems": 1},
            "minItems": 1,
        },
    },
}
_PROPERTIES = {
    "type": "object",
    "properties": {
        "name": {
            "type": "string",
            "maxLength": 200,
            "description": "The area's name (text, at most 200 characters)",
        }
    },
}
_CRS = {
    "type": "object",
    "description": "GeoJSON 2008 crs member naming the coordinates' CRS (default WGS84)",
    "properties": {
        "type": {"type": "string", "enum": ["name"]},
        "properties": {
            "type": "object",
            "properties": {"name": {"type": "string", "examples": ["EPSG:27700"]}},
        },
    },
}
_FEATURE = {
    "type": "object",
    "title": "Feature",
    "required": ["type", "geometry"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "properties": _PROPERTIES,
        "geometry": {"oneOf": [_POLYGON, _MULTIPOLYGON]},
        "crs": _CRS,
    },
}
_COLLECTION = {
    "type": "object",
    "title": "FeatureCollection",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": _FEATURE, "minItems": 1},
        "crs": _CRS,
    },
}
#: An area drawn around a few streets of Liverpool (longitude, latitude: WGS84).
AREA_EXAMPLE = {
    "type": "Feature",
    "properties": {"name": "Our neighbourhood"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[-2.99, 53.40], [-2.97, 53.40], [-2.97, 53.41], [-2.99, 53.41], [-2.99, 53.40]]
        ],
    },
}
_BODY = {
    "schema": {"oneOf": [_FEATURE, _COLLECTION]},
    "examples": {"liverpool": {"summary": "A few streets of Liverpool", "value": AREA_EXAMPLE}},
}
CREATE_AREA_BODY: dict[str, Any] = {
    "required": True,
    "description": "A GeoJSON Feature or FeatureCollection of Polygon/MultiPolygon, "
    "coordinates as [longitude, latitude] in WGS84 unless a crs member names another CRS; "
    "properties.name names the area. At most DEPMAP_MAX_BODY_BYTES, DEPMAP_MAX_VERTICES "
    "vertices and DEPMAP_MAX_CUSTOM_AREA_KM2.",
    "content": {"application/geo+json": _BODY, "application/json": _BODY},
}
