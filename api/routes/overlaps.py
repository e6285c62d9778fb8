"""GET /areas/{id}/overlaps: which areas of a kind an area overlaps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import AreaKindQuery, AreasDep, ReadableAreaId, answer_in, is_custom_code
from api.models import Overlaps, with_formats
from api.params import FeatureFormat, OverlapKind
from queries.features import features_for
from queries.overlaps import PCN_ANSWER, columns, overlaps

router = APIRouter(tags=["overlaps"])


@router.get(
    "/areas/{area_id}/overlaps",
    summary="Areas of a kind that this area overlaps, with area and population shares",
    response_model=Overlaps,
    responses=with_formats(Overlaps, geojson=True, gpkg=True),
)
async def get_overlaps(
    request: Request,
    areas: AreasDep,
    area_id: ReadableAreaId,
    kind: Annotated[OverlapKind, Query(description="Kind of the overlapped areas")],
    min_share: Annotated[
        float,
        Query(
            ge=0.0,
            le=1.0,
            description=(
                "Keep overlaps holding at least this share of the area's area or population"
            ),
        ),
    ] = 0.0,
    area_kind: AreaKindQuery = None,
    format: Annotated[
        FeatureFormat,
        Query(description="json, csv, geojson, or gpkg (GeoPackage, British National Grid)"),
    ] = FeatureFormat("json"),
) -> Response:
    """For each overlapped area: ``overlap_area_m2``, ``share_of_area`` (of this area's
    area), ``share_of_other_area``, ``population`` in the overlap (in this area's
    population measure) and ``share_of_population``. Population is apportioned through
    LSOA21 shares, area-weighted inside a cut LSOA.

    ``kind=pcn``: each LSOA's residents are attributed to PCNs in proportion to their
    registered patients there, never more residents than patients; the answer carries
    ``pcn_coverage`` (the share of the area's population the loaded registrations
    account for), ``registrations`` (the extracts) and, below 5% coverage, an empty
    list of derived PCNs and a ``note``. Each PCN says its ``source``, ``extract_date``
    and ``share_of_pcn_patients`` (its patients living in the area)."""
    k = kind.value

    async def compute(conn: Any) -> Any:
        area = await areas.find(conn, area_id, area_kind)
        data = await overlaps(conn, area, k, min_share, await areas.directory(conn))
        if format == "geojson":
            extra = {"area": data["area"], **{f: data[f] for f in PCN_ANSWER if f in data}}
            return await features_for(conn, data["overlaps"], kind=k, extra=extra)
        return data

    return await answer_in(
        request,
        ("overlaps", area_id, area_kind, k, min_share),
        compute,
        format.value,
        rows="overlaps",
        columns=columns(k),
        kind=k,
        filename=f"{area_id}-overlaps-{k}",
        cacheable=not is_custom_code(area_id),
    )
