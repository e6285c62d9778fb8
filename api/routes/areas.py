"""Areas: search, one area, and custom areas (POST/DELETE)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import (
    AreaIdPath,
    AreaKindQuery,
    AreasDep,
    EngineDep,
    ReadableAreaId,
    SettingsDep,
    answer,
    answer_in,
    has_token,
    is_custom_code,
    require_write,
)
from api.models import CREATE_AREA_BODY, AreaDetail, AreaList, Created, Problem, with_formats
from api.params import Format, TableFormat
from api.responses import JSONResponse
from depmap.core.errors import (
    Forbidden,
    InvalidGeometry,
    InvalidParameter,
    TooLarge,
    Unauthorized,
    UnknownArea,
)
from depmap.core.vocab import AREA_KINDS, KINDS
from geo.geometry import GeometryError, parse_drawn
from queries.areas import area_boundary, area_detail, get_area, search_areas
from queries.custom import create_custom_area, delete_custom_area, hold_off_loads
from queries.formats import feature_collection

router = APIRouter(tags=["areas"])

KindFilter = Annotated[
    str | None,
    Query(
        description="Only areas of this kind: " + ", ".join(AREA_KINDS),
        pattern="^(" + "|".join(AREA_KINDS) + ")$",
    ),
]

LIST_COLUMNS = ("code", "name", "kind", "vintage", "programme", "population", "area_km2")


@router.get(
    "/areas",
    summary="Search areas by kind, code or name",
    description="Custom areas (drawn by residents and community groups) are private: they "
    "are listed only to requests with the bearer token.",
    response_model=AreaList,
    responses=with_formats(AreaList),
)
async def list_areas(
    request: Request,
    kind: KindFilter = None,
    q: Annotated[
        str | None, Query(description="Code prefix or part of the name", max_length=100)
    ] = None,
    programme: Annotated[
        str | None, Query(description="Only areas of this programme", max_length=200)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")] = 0,
    format: Annotated[TableFormat, Query(description="json or csv")] = TableFormat("json"),
) -> Response:
    custom = has_token(request)
    if kind == "custom" and not custom:
        raise Unauthorized("custom areas are listed only to token holders (Authorization: Bearer)")

    async def compute(conn: Any) -> Any:
        total, items = await search_areas(
            conn,
            kind=kind,
            q=q,
            programme=programme,
            limit=limit,
            offset=offset,
            include_custom=custom,
        )
        return {"total": total, "limit": limit, "offset": offset, "areas": items}

    return await answer_in(
        request,
        ("areas", kind, q, programme, limit, offset, custom),
        compute,
        format.value,
        rows="areas",
        columns=LIST_COLUMNS,
        filename="areas",
        cacheable=False,
    )


@router.get(
    "/areas/{area_id}",
    summary="One area: what it is, its size, population and extent",
    response_model=AreaDetail,
    responses=with_formats(AreaDetail, csv=False, geojson=True),
)
async def get_one(
    request: Request,
    areas: AreasDep,
    area_id: ReadableAreaId,
    area_kind: AreaKindQuery = None,
    format: Annotated[Format, Query(description="json, or geojson with its boundary")] = Format(
        "json"
    ),
) -> Response:
    async def compute(conn: Any) -> Any:
        area = await areas.find(conn, area_id, area_kind)
        detail = await area_detail(conn, area)
        detail["links"] = {
            rel: f"/areas/{area.code}/{rel}"
            for rel in ("overlaps", "deprivation", "hotspots", "profile")
        }
        if format == "geojson":
            geometry = await area_boundary(conn, area)
            return feature_collection(
                [{"type": "Feature", "id": area.code, "geometry": geometry, "properties": detail}]
            )
        return detail

    if format == "csv":
        raise InvalidParameter.choice("format", "csv", ["json", "geojson"])
    return await answer(
        request,
        ("area", area_id, area_kind, format.value),
        compute,
        cacheable=not is_custom_code(area_id),
        media_type="application/geo+json" if format == "geojson" else "application/json",
    )


@router.post(
    "/areas",
    status_code=201,
    summary="Store a custom area (GeoJSON polygon)",
    dependencies=[Depends(require_write)],
    response_model=Created,
    openapi_extra={"requestBody": CREATE_AREA_BODY},
    responses={
        201: {"description": 'Created: {"id": ...}', "model": Created},
        401: {"description": "Missing or wrong bearer token", "model": Problem},
        403: {"description": "Writes are off: the server has no token", "model": Problem},
        413: {"description": "Body over the size limit", "model": Problem},
        422: {"description": "Not a usable polygon (the message says why)", "model": Problem},
    },
)
async def create_area(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    shared: Annotated[
        bool,
        Query(
            description="Give the area an unguessable id (s-...) that anyone holding it can "
            "read; otherwise (c-...) only token holders list or read it"
        ),
    ] = False,
) -> Response:
    """Body: a GeoJSON Feature or FeatureCollection of Polygon/MultiPolygon, in WGS84 or in
    the CRS its ``crs`` member names. ``properties.name`` names the area. The area's LSOA
    weights, deprivation measures and profile are computed at once.

    Custom areas are drawn by residents and community groups: they are private. Only
    requests with the bearer token list them or read them, unless the area is stored with
    ``shared=true``: then its id is unguessable (128 random bits) and whoever has it can
    read it (it is still listed only to token holders). Less than half in England: 422;
    partly outside: stored with ``share_in_england`` and a warning."""
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        raise TooLarge(f"the body is {len(body):,} bytes; the limit is {settings.max_body_bytes:,}")
    if not body.strip():
        raise InvalidGeometry("the body is empty: send a GeoJSON Feature")
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise InvalidGeometry(f"the body is not valid JSON: {e}") from e
    try:
        drawn = parse_drawn(
            doc, max_vertices=settings.max_vertices, max_area_km2=settings.max_custom_area_km2
        )
    except GeometryError as e:
        raise InvalidGeometry(str(e)) from e
    async with engine.connect() as conn:
        created = await create_custom_area(conn, drawn, drawn.name, shared=shared)
    return JSONResponse(created, status_code=201, headers={"Location": f"/areas/{created['id']}"})


@router.delete(
    "/areas/{area_id}",
    status_code=204,
    summary="Delete a custom area",
    dependencies=[Depends(require_write)],
)
async def delete_area(area_id: AreaIdPath, engine: EngineDep) -> Response:
    async with engine.begin() as conn:
        area = await get_area(conn, area_id)
        if area.kind != "custom":
            k = KINDS[area.kind]
            raise Forbidden(
                f"{area.code} is {k.article} {k.label}: only custom areas can be deleted"
            )
        await hold_off_loads(conn)
        if not await delete_custom_area(conn, area.id):
            raise UnknownArea(f"no area with id {area_id!r}", id=area_id)
    return Response(status_code=204)
