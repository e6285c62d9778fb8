"""Deprivation concentration: an area's IoD summary measures, rankings, full profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import AreaKindQuery, AreasDep, ReadableAreaId, answer, answer_in, is_custom_code
from api.models import ERRORS, AreaLsoas, Deprivation, Profile, Rankings, with_formats
from api.params import (
    AreaTableFormat,
    Domain,
    DomainQuery,
    Format,
    Measure,
    ProfileFormat,
    RankingKind,
)
from depmap.core.names import programme_slug
from queries.deprivation import (
    PCN_RANKING_FIELDS,
    RANKING_COLUMNS,
    deprivation,
    ranking_columns,
    ranking_sheets,
    rankings_answer,
)
from queries.features import features_for
from queries.lsoas import COLUMNS as LSOA_COLUMNS
from queries.lsoas import area_lsoas
from queries.profile import full_profile, profile_sheets

router = APIRouter(tags=["deprivation"])


@router.get(
    "/areas/{area_id}/deprivation",
    summary="IoD 2025 summary measures of an area, its decile mix and health profile",
    response_model=Deprivation,
    responses=ERRORS,
)
async def get_deprivation(
    request: Request,
    areas: AreasDep,
    area_id: ReadableAreaId,
    domain: DomainQuery = Domain("imd"),
    area_kind: AreaKindQuery = None,
) -> Response:
    """The measures MHCLG publishes for local authorities and ICBs (average score, average
    rank, proportion of LSOAs in the most deprived 10% nationally, extent, local
    concentration, and for income and employment the scale), computed for this area; the
    population in each national decile; population-weighted health indicators; the area's
    rank among areas of its kind."""
    d = domain.value

    async def compute(conn: Any) -> Any:
        area = await areas.find(conn, area_id, area_kind)
        return await deprivation(conn, area, d, await areas.directory(conn))

    return await answer(
        request,
        ("deprivation", area_id, area_kind, d),
        compute,
        cacheable=not is_custom_code(area_id),
    )


@router.get(
    "/rankings",
    summary="Every area of a kind with its measures and ranks",
    description="Rank 1 is the most deprived. The CSV has the columns of the JSON rows: "
    + ", ".join(RANKING_COLUMNS)
    + " (for PCNs also "
    + ", ".join(PCN_RANKING_FIELDS)
    + ": PCNs are weighted by their registered patients, and the answer says how much of "
    "England's population the loaded registrations account for, `pcn_coverage`, and which "
    "extracts they are, `registrations`); `format=gpkg` the same columns with each area's "
    "boundary (EPSG:27700), `format=xlsx` "
    "a workbook of them with an About sheet defining every column. An area's LSOAs with "
    "their IoD figures: `/areas/{id}/lsoas`.",
    response_model=Rankings,
    responses=with_formats(Rankings, gpkg=True, xlsx=True),
)
async def get_rankings(
    request: Request,
    kind: Annotated[RankingKind, Query(description="Kind of areas to rank")],
    domain: DomainQuery = Domain("imd"),
    measure: Annotated[Measure, Query(description="Order by the rank of this measure")] = Measure(
        "average_score"
    ),
    programme: Annotated[
        str | None, Query(description="Only areas of this programme", max_length=200)
    ] = None,
    format: Annotated[
        AreaTableFormat,
        Query(description="json, csv, gpkg (GeoPackage, British National Grid) or xlsx (Excel)"),
    ] = AreaTableFormat("json"),
) -> Response:
    k, d, m = kind.value, domain.value, measure.value

    async def compute(conn: Any) -> Any:
        return await rankings_answer(conn, k, d, m, programme)

    return await answer_in(
        request,
        ("rankings", k, d, m, programme),
        compute,
        format.value,
        rows="areas",
        columns=ranking_columns(k),
        kind=k,
        sheets=ranking_sheets,
        filename=f"rankings-{k}-{d}"
        + (f"-{programme_slug(programme) or 'programme'}" if programme else ""),
    )


@router.get(
    "/areas/{area_id}/profile",
    summary="Everything about an area: facts, deprivation in every domain, health, "
    "and the ICB, sub-ICB, local authority, PCNs and programmes it overlaps",
    response_model=Profile,
    responses=with_formats(Profile, csv=False, xlsx=True),
)
async def get_profile(
    request: Request,
    areas: AreasDep,
    area_id: ReadableAreaId,
    area_kind: AreaKindQuery = None,
    format: Annotated[
        ProfileFormat,
        Query(
            description="json, or xlsx: an Excel workbook with a sheet per table (area, "
            "deprivation per domain, deciles, health, overlaps by kind) and an About sheet"
        ),
    ] = ProfileFormat("json"),
) -> Response:
    async def compute(conn: Any) -> Any:
        return await full_profile(conn, area_id, area_kind, await areas.directory(conn))

    return await answer_in(
        request,
        ("profile", area_id, area_kind),
        compute,
        format.value,
        sheets=profile_sheets,
        filename=f"{area_id}-profile",
        cacheable=not is_custom_code(area_id),
    )


@router.get(
    "/areas/{area_id}/lsoas",
    summary="The LSOA21s of an area with their IoD 2025 figures and the places they lie in",
    description="One row per LSOA21 the area takes in, most deprived first in `domain`: "
    "score, rank and decile in every IoD 2025 domain, the share of its residents in the area, "
    "its MSOA, ward, local authority, sub-ICB and ICB, and the PCNs serving it. CSV columns: "
    + ", ".join(LSOA_COLUMNS),
    response_model=AreaLsoas,
    responses=with_formats(AreaLsoas, geojson=True),
)
async def get_area_lsoas(
    request: Request,
    areas: AreasDep,
    area_id: ReadableAreaId,
    domain: Annotated[
        Domain, Query(description="Order by this domain's rank (1 = most deprived)")
    ] = Domain("imd"),
    area_kind: AreaKindQuery = None,
    format: Annotated[Format, Query(description="json, csv or geojson")] = Format("json"),
) -> Response:
    d = domain.value

    async def compute(conn: Any) -> Any:
        area = await areas.find(conn, area_id, area_kind)
        data = await area_lsoas(conn, area, d, await areas.directory(conn))
        if format == "geojson":
            rows = data.pop("lsoas")
            return await features_for(conn, rows, kind="lsoa21", extra=data)
        return data

    return await answer_in(
        request,
        ("lsoas", area_id, area_kind, d),
        compute,
        format.value,
        rows="lsoas",
        columns=LSOA_COLUMNS,
        filename=f"{area_id}-lsoas",
        cacheable=not is_custom_code(area_id),
    )
