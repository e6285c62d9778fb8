"""Allowed values of query parameters, derived from the vocabulary.

FastAPI documents each as an enum in the OpenAPI schema and answers 422 naming the
allowed values for anything else. The enums are made from the tuples of
:mod:`depmap.core.vocab` (spelled once there); the type checker sees plain
``StrEnum`` classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from fastapi import Query

from depmap.core.vocab import (
    COMPARATOR_CHOICES,
    DOMAINS,
    HOTSPOT_UNITS,
    MEASURES,
    OVERLAP_KINDS,
    RANKED_KINDS,
    RANKING_MEASURES,
    SERIES_CODES,
)
from queries.ogc import CRSS


def choice(name: str, values: Sequence[str]) -> type[StrEnum]:
    """A string enum of ``values`` (each member named as its value)."""
    return StrEnum(name, [(v, v) for v in values])  # type: ignore[return-value]


#: Answer formats (``format=``): the tables also as CSV, lists of areas also as GeoJSON;
#: files analysts open: GeoPackage (``gpkg``: the rows with their boundaries in EPSG:27700)
#: and Excel (``xlsx``: a sheet per table and an About sheet), where an answer has them.
FORMATS = ("json", "csv", "geojson")
TABLE_FORMATS = ("json", "csv")
#: overlaps and hotspots: lists of areas, also as a GeoPackage
FEATURE_FORMATS = (*FORMATS, "gpkg")
#: rankings and programme summaries: tables of areas, also as GeoPackage and workbook
AREA_TABLE_FORMATS = (*TABLE_FORMATS, "gpkg", "xlsx")
#: profiles: several tables, also as a workbook
PROFILE_FORMATS = ("json", "xlsx")
CHART_FORMATS = ("json", "csv", "svg", "png")
#: The tables of a hotspot answer that CSV and GeoJSON write (``table=``).
HOTSPOT_TABLES = ("units", "msoas")

if TYPE_CHECKING:

    class OverlapKind(StrEnum): ...

    class Domain(StrEnum): ...

    class RankingKind(StrEnum): ...

    class Measure(StrEnum): ...

    class HotspotUnit(StrEnum): ...

    class ComparatorKind(StrEnum): ...

    class Format(StrEnum): ...

    class ConcentrationMeasure(StrEnum): ...

    class HotspotTable(StrEnum): ...

    class TableFormat(StrEnum): ...

    class FeatureFormat(StrEnum): ...

    class AreaTableFormat(StrEnum): ...

    class ProfileFormat(StrEnum): ...

    class ChartFormat(StrEnum): ...

    class Indicator(StrEnum): ...

    class OgcCrs(StrEnum): ...

    class OgcFormat(StrEnum): ...

else:
    OverlapKind = choice("OverlapKind", OVERLAP_KINDS)
    Domain = choice("Domain", DOMAINS)
    RankingKind = choice("RankingKind", RANKED_KINDS)
    Measure = choice("Measure", MEASURES)
    HotspotUnit = choice("HotspotUnit", HOTSPOT_UNITS)
    ComparatorKind = choice("ComparatorKind", COMPARATOR_CHOICES)
    Format = choice("Format", FORMATS)
    ConcentrationMeasure = choice("ConcentrationMeasure", RANKING_MEASURES)
    HotspotTable = choice("HotspotTable", HOTSPOT_TABLES)
    TableFormat = choice("TableFormat", TABLE_FORMATS)
    FeatureFormat = choice("FeatureFormat", FEATURE_FORMATS)
    AreaTableFormat = choice("AreaTableFormat", AREA_TABLE_FORMATS)
    ProfileFormat = choice("ProfileFormat", PROFILE_FORMATS)
    ChartFormat = choice("ChartFormat", CHART_FORMATS)
    Indicator = choice("Indicator", SERIES_CODES)
    #: CRSs of the OGC API (``crs=``, ``bbox-crs=``): URIs, as OGC API - Features Part 2 says
    OgcCrs = choice("OgcCrs", tuple(CRSS))
    #: ``f=`` of the OGC API: everything it answers is JSON (GeoJSON for features)
    OgcFormat = choice("OgcFormat", ("json", "geojson"))

#: The ``domain`` query parameter of the deprivation and hotspot routes.
DomainQuery = Annotated[Domain, Query(description="IoD 2025 domain (imd is the overall index)")]

#: The ``indicator`` query parameter of change and evaluation answers (repeatable).
IndicatorQuery = Annotated[
    list[Indicator] | None,
    Query(
        description="A series (repeat for several; default every series): "
        + ", ".join(SERIES_CODES)
    ),
]
