"""GET /areas/{id}/change: what changed between censuses and index editions, for any area."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import (
    AreaIdPath,
    AreaKindQuery,
    AreasDep,
    ServicesDep,
    answer_in,
    is_custom_code,
)
from api.models import Change, with_formats
from api.params import IndicatorQuery, TableFormat
from depmap.core.replicas import snapshot_version
from depmap.core.vocab import in_catalogue_order
from queries.series import CHANGE_CSV_COLUMNS, area_change, change_rows

router = APIRouter(tags=["change"])


@router.get(
    "/areas/{area_id}/change",
    summary="Change over time: each series at every year, its change and England's",
    response_model=Change,
    responses=with_formats(Change),
)
async def get_change(
    request: Request,
    areas: AreasDep,
    area_id: AreaIdPath,
    indicator: IndicatorQuery = None,
    area_kind: AreaKindQuery = None,
    format: Annotated[TableFormat, Query(description="json or csv")] = TableFormat("json"),
    *,
    svc: ServicesDep,
) -> Response:
    """Series on the LSOA21 atom (IoD 2015, 2019 and 2025 positions; Census 2011 and 2021
    household deprivation and general health), aggregated over the area's LSOAs with its
    weights, with England's values and the difference of the changes. IoD series compare
    positions within each edition, never scores across editions. CSV: one row per indicator
    and year."""
    codes = in_catalogue_order(i.value for i in indicator or ())

    async def compute(conn: Any) -> Any:
        area = await areas.find(conn, area_id, area_kind)
        data = await area_change(
            conn, area, codes, cache=svc.series_cache, version=snapshot_version(conn)
        )
        if format == "csv":
            data["rows"] = change_rows(data)
        return data

    return await answer_in(
        request,
        ("change", area_id, area_kind, codes),
        compute,
        format.value,
        rows="rows",
        columns=CHANGE_CSV_COLUMNS,
        filename=f"{area_id}-change",
        cacheable=not is_custom_code(area_id),
    )
