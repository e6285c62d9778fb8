"""GET /areas/{id}/hotspots: significant clusters of high deprivation inside an area."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import (
    AreaKindQuery,
    AreasDep,
    ReadableAreaId,
    ServicesDep,
    answer_in,
    is_custom_code,
)
from api.models import Hotspots, with_formats
from api.params import ConcentrationMeasure, Domain, DomainQuery, FeatureFormat, HotspotTable
from api.params import HotspotUnit as Unit
from depmap.core.replicas import snapshot_version
from queries.hotspots import DEFAULT_MSOA_MEASURE, MSOA_COLUMNS, UNIT_COLUMNS, hotspots

router = APIRouter(tags=["hotspots"])

DESCRIPTION = (
    "Clusters of high deprivation: units (LSOA21s or MSOA21s) whose neighbourhood scores "
    "higher than chance would give (Getis-Ord Gi*, permutation p-values), and every MSOA21 "
    "of the area ranked by the concentration measure asked for (`msoa_concentration`). Each "
    "row says where it lies: its MSOA, ward, local authority, sub-ICB and ICB (the one "
    "holding most of its residents, with that share) and the PCNs its residents are "
    "registered with (`pcns`; `pcn_coverage`: the share of its residents the loaded GP "
    "registrations account for). `format=csv` writes the units (or, with `table=msoas`, the "
    "MSOAs) with the columns of the JSON rows, the PCNs as pcn_1..3; `format=gpkg` the same "
    "columns with each unit's boundary (EPSG:27700). Unit CSV columns "
    "(LSOA21): "
    + ", ".join(UNIT_COLUMNS["lsoa21"])
    + ". MSOA CSV columns: "
    + ", ".join(MSOA_COLUMNS)
)


@router.get(
    "/areas/{area_id}/hotspots",
    summary="Getis-Ord Gi* hotspots of deprivation, and MSOAs ranked by concentration",
    description=DESCRIPTION,
    response_model=Hotspots,
    responses=with_formats(Hotspots, geojson=True, gpkg=True),
)
async def get_hotspots(
    request: Request,
    areas: AreasDep,
    area_id: ReadableAreaId,
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
    measure: Annotated[
        ConcentrationMeasure,
        Query(description="Order msoa_concentration by this measure (1 = most deprived)"),
    ] = ConcentrationMeasure(DEFAULT_MSOA_MEASURE),
    area_kind: AreaKindQuery = None,
    format: Annotated[
        FeatureFormat,
        Query(description="json, csv, geojson, or gpkg (GeoPackage, British National Grid)"),
    ] = FeatureFormat("json"),
    table: Annotated[
        HotspotTable,
        Query(description="What csv, geojson and gpkg write: the units, or the MSOAs ranked"),
    ] = HotspotTable("units"),
    *,
    svc: ServicesDep,
) -> Response:
    s = svc.settings
    u, d, m, t = unit.value, domain.value, measure.value, table.value

    async def compute(conn: Any) -> Any:
        area = await areas.find(conn, area_id, area_kind)
        out = await hotspots(
            conn,
            area,
            unit=u,
            domain=d,
            alpha=alpha,
            fdr=fdr,
            permutations=s.hotspot_permutations,
            seed=s.hotspot_seed,
            measure=m,
            with_geometry=format == "geojson",
            table=t,
            # custom areas can be deleted: their permutation runs are not kept
            cache=None if is_custom_code(area_id) else svc.gi_cache,
            version=snapshot_version(conn),
            areas=await areas.directory(conn),
        )
        if format == "geojson":
            feats = out.pop("features")
            out.pop("units")  # they are the features, or not asked for
            if t == "msoas":
                out.pop("msoa_concentration")
            return {"type": "FeatureCollection", **out, "features": feats}
        return out

    return await answer_in(
        request,
        ("hotspots", area_id, area_kind, u, d, alpha, fdr, m, t),
        compute,
        format.value,
        rows="msoa_concentration" if t == "msoas" else "units",
        columns=MSOA_COLUMNS if t == "msoas" else UNIT_COLUMNS[u],
        kind="msoa21" if t == "msoas" else u,
        filename=f"{area_id}-hotspots-" + (f"msoas-{d}-{m}" if t == "msoas" else f"{u}-{d}"),
        cacheable=not is_custom_code(area_id),
    )
