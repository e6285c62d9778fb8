"""GET /areas/{id}/hotspots: significant clusters of high deprivation inside an area."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import (
    AreaIdPath,
    AreaKindQuery,
    ServicesDep,
    answer_in,
    is_custom_code,
)
from api.models import Hotspots, with_formats
from api.params import Domain, DomainQuery, Format
from api.params import HotspotUnit as Unit
from depmap.core.replicas import snapshot_version
from queries.areas import get_area
from queries.hotspots import hotspots

router = APIRouter(tags=["hotspots"])

UNIT_COLUMNS = ("code", "name", "value", "population", "gi_z", "p_value", "neighbours", "cluster")


@router.get(
    "/areas/{area_id}/hotspots",
    summary="Getis-Ord Gi* hotspots of deprivation, and MSOAs ranked by concentration",
    response_model=Hotspots,
    responses=with_formats(Hotspots, geojson=True),
)
async def get_hotspots(
    request: Request,
    area_id: AreaIdPath,
    unit: Annotated[Unit, Query(description="Units to test: lsoa21 or msoa21")] = Unit("lsoa21"),
    domain: DomainQuery = Domain("imd"),
    alpha: Annotated[float, Query(gt=0.0, le=0.5, description="Significance level")] = 0.05,
    fdr: Annotated[
        bool,
        Query(
            description="Control the false discovery rate "
            "(Benjamini-Hochberg) instead of per-unit alpha"
        ),
    ] = False,
    area_kind: AreaKindQuery = None,
    format: Annotated[Format, Query(description="json, csv or geojson")] = Format("json"),
    *,
    svc: ServicesDep,
) -> Response:
    s = svc.settings
    u, d = unit.value, domain.value

    async def compute(conn: Any) -> Any:
        area = await get_area(conn, area_id, area_kind)
        out = await hotspots(
            conn,
            area,
            unit=u,
            domain=d,
            alpha=alpha,
            fdr=fdr,
            permutations=s.hotspot_permutations,
            seed=s.hotspot_seed,
            with_geometry=format == "geojson",
            # custom areas can be deleted: their permutation runs are not kept
            cache=None if is_custom_code(area_id) else svc.gi_cache,
            version=snapshot_version(conn),
        )
        if format == "geojson":
            feats = out.pop("features")
            out.pop("units")
            return {"type": "FeatureCollection", **out, "features": feats}
        return out

    return await answer_in(
        request,
        ("hotspots", area_id, area_kind, u, d, alpha, fdr),
        compute,
        format.value,
        rows="units",
        columns=UNIT_COLUMNS,
        filename=f"{area_id}-hotspots",
        cacheable=not is_custom_code(area_id),
    )
