"""Programmes (Big Local and others): the list, one programme's summary, comparator areas."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.deps import AreaKindQuery, AreasDep, ReadableAreaId, answer, answer_in, is_custom_code
from api.models import Comparators, Programmes, ProgrammeSummary, with_formats
from api.params import AreaTableFormat, ComparatorKind, TableFormat
from depmap.core.names import programme_slug
from depmap.core.vocab import COMPARATOR_KINDS
from queries.comparators import COLUMNS as COMPARATOR_COLUMNS
from queries.comparators import comparators
from queries.programmes import (
    SUMMARY_COLUMNS,
    list_programmes,
    programme_summary,
    summary_sheets,
)

router = APIRouter(tags=["programmes"])

ProgrammePath = Annotated[
    str,
    Path(
        description="Programme name as loaded (`Big Local`) or its slug (`big-local`)",
        min_length=1,
        max_length=200,
    ),
]


SUMMARY_DESCRIPTION = (
    "The table a funder or an ICS asks for: per area, the IoD 2025 summary measures (imd) "
    "and every domain's average score, health indicators, CNI 2023, the ICB, sub-ICB "
    "location and local authority holding most of its residents, and the PCNs serving it "
    "with the share of its residents attributed to each (in proportion to their registered "
    "patients, never more residents than patients; `pcns`, in CSV the first three), "
    "`pcn_coverage` (the share of its residents the loaded registrations account for; "
    "below 5% no PCN derived from them is listed and `pcn_note` says why) and the "
    "extracts (`registrations`). "
    "`population_basis` says which population each answer used. `format=gpkg`: the CSV's "
    "columns with each area's boundary (EPSG:27700); `format=xlsx`: a workbook of the areas, "
    "every PCN serving them, and an About sheet defining every column. CSV columns: "
    + ", ".join(SUMMARY_COLUMNS)
)


@router.get(
    "/programmes",
    summary="Programmes loaded, with their number of areas and people",
    response_model=Programmes,
)
async def get_programmes(request: Request) -> Response:
    """Each programme (``depmap load areas FILE --programme NAME``, and the demo
    'Left-behind neighbourhoods'): areas, residents, km², the file it came from."""

    async def compute(conn: Any) -> Any:
        items = await list_programmes(conn)
        return {"count": len(items), "programmes": items}

    return await answer(request, ("programmes",), compute)


@router.get(
    "/programmes/{name}/summary",
    summary="Every area of a programme with its deprivation, health, ICB, sub-ICB and PCNs",
    description=SUMMARY_DESCRIPTION,
    response_model=ProgrammeSummary,
    responses=with_formats(ProgrammeSummary, gpkg=True, xlsx=True),
)
async def get_programme_summary(
    request: Request,
    name: ProgrammePath,
    format: Annotated[
        AreaTableFormat,
        Query(description="json, csv, gpkg (GeoPackage, British National Grid) or xlsx (Excel)"),
    ] = AreaTableFormat("json"),
) -> Response:
    async def compute(conn: Any) -> Any:
        return await programme_summary(conn, name)

    return await answer_in(
        request,
        ("programme_summary", name),
        compute,
        format.value,
        rows="areas",
        columns=SUMMARY_COLUMNS,
        kind="programme",
        sheets=summary_sheets,
        filename=f"{programme_slug(name) or 'programme'}-summary",
    )


@router.get(
    "/areas/{area_id}/comparators",
    summary="The areas most like this one that are not in its programme",
    response_model=Comparators,
    responses=with_formats(Comparators),
)
async def get_comparators(
    request: Request,
    areas: AreasDep,
    area_id: ReadableAreaId,
    n: Annotated[int, Query(ge=1, le=200, description="How many comparators")] = 25,
    size_ratio: Annotated[
        float,
        Query(
            ge=1.1,
            le=4.0,
            description="Size band: candidates hold between population / ratio and "
            "population x ratio people",
        ),
    ] = 1.5,
    kind: Annotated[
        list[ComparatorKind] | None,
        Query(
            description="Kinds of candidate areas (repeat for several: kind=ltla&kind=sicbl); "
            "default: "
            + ", ".join(COMPARATOR_KINDS)
            + " (for a local authority or an ICB, ask for ltla, sicbl or icb)"
        ),
    ] = None,
    area_kind: AreaKindQuery = None,
    format: Annotated[TableFormat, Query(description="json or csv")] = TableFormat("json"),
) -> Response:
    """Candidates in the same size band, not sharing people with this area or any area of
    its programme, ranked by a standardised Euclidean distance on the IMD 2025 average
    score and the seven domains' average scores (each divided by its standard deviation
    over England's LSOA21s; the IMD score weighs as much as the domain profile). The
    answer states the distance, the band and the exclusion rule."""
    kinds = tuple(sorted({k.value for k in kind})) if kind else COMPARATOR_KINDS

    async def compute(conn: Any) -> Any:
        area = await areas.find(conn, area_id, area_kind)
        return await comparators(conn, area, n=n, ratio=size_ratio, kinds=kinds)

    return await answer_in(
        request,
        ("comparators", area_id, area_kind, n, size_ratio, kinds),
        compute,
        format.value,
        rows="comparators",
        columns=COMPARATOR_COLUMNS,
        filename=f"{area_id}-comparators",
        cacheable=not is_custom_code(area_id),
    )
