"""OGC API - Features under ``/ogc``: GIS tools (QGIS, ArcGIS Pro, GDAL/OGR, R's sf,
OWSLib) add depmap's areas as layers.

Part 1 Core with GeoJSON and an OpenAPI 3.0 definition, and Part 2 (coordinate reference
systems by reference): one collection per kind of area (``queries.ogc``), items paged
with ``limit``/``offset`` and ``next`` links, ``bbox`` (in CRS84 or ``bbox-crs``),
``crs`` (CRS84 or British National Grid) and filters by property (``?code=``,
``?programme=``, ``?imd_decile=`` ...).

As the standard asks, a bad or unknown query parameter answers 400 (elsewhere the API
answers 422): the routes of this router are :class:`OgcRoute`, kept apart from the
others. The API definition at ``/ogc/api`` has its paths relative to ``/ogc``
(``/collections/{collectionId}/items``), where GDAL looks for the filters it may push to
the server, and its ``limit`` as a shared parameter with a maximum (GDAL's page size).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.responses import Response

from api.deps import answer
from api.errors import describe_validation
from api.models import (
    OgcCollection,
    OgcCollections,
    OgcConformance,
    OgcFeature,
    OgcFeatureCollection,
    OgcLanding,
    Problem,
)
from api.openapi30 import to_openapi30
from api.params import OgcCrs, OgcFormat
from api.responses import GeoJSONResponse, JSONResponse
from depmap import __version__
from depmap.core.errors import BadParameter
from depmap.core.vocab import DOMAINS
from queries.ogc import (
    COLLECTIONS,
    CRS84,
    CRSS,
    FILTERS,
    STORAGE_CRS,
    Collection,
    ItemsQuery,
    check_datetime,
    check_filters,
    crs_of,
    extents,
    get_collection,
    parse_bbox,
    read_item,
    read_items,
)

#: The page size when ``limit`` is not given, and the largest page (a larger ``limit``
#: is served as this, as the standard allows).
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000

OAS30 = "application/vnd.oai.openapi+json;version=3.0"
GEOJSON = "application/geo+json"
JSON = "application/json"
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)

TITLE = "depmap: OGC API - Features"
DESCRIPTION = (
    "England's areas as OGC API - Features collections, one per kind of area: 2021 LSOAs "
    "with their IoD 2025 deciles and health indicators; MSOAs, wards, local authorities, "
    "sub-ICB locations, ICBs, PCNs and programme areas with the IoD 2025 summary measures "
    "and their health profile. GeoJSON in CRS84 or British National Grid (crs=). Data: "
    "English Indices of Deprivation 2025 (MHCLG), Census 2021 and ONS geography (ONS), "
    "NHS England; Open Government Licence v3. Contains OS data (c) Crown copyright and "
    "database right 2025."
)


class OgcRoute(APIRoute):
    """A route answering as OGC API - Features asks: an unknown or repeated query parameter,
    or one FastAPI cannot read, is a 400 naming it (:class:`~depmap.core.errors.BadParameter`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        known = query_parameters(self.dependant)

        async def route_handler(request: Request) -> Response:
            keys = [k for k, _ in request.query_params.multi_items()]
            unknown = sorted(set(keys) - known)
            if unknown:
                raise BadParameter(
                    f"unknown query parameter {unknown[0][:60]!r}; this path takes: "
                    f"{', '.join(sorted(known)) or 'none'}",
                    parameter=unknown[0][:60],
                    allowed=sorted(known),
                )
            repeated = sorted(k for k in set(keys) if keys.count(k) > 1)
            if repeated:
                raise BadParameter(
                    f"{repeated[0]!r} is given {keys.count(repeated[0])} times: give it once "
                    "(several codes go in one code=, comma-separated)",
                    parameter=repeated[0],
                )
            try:
                return await handler(request)
            except RequestValidationError as e:
                text, problems = describe_validation(e)
                raise BadParameter(text, problems=problems) from e

        return route_handler


def query_parameters(dependant: Dependant) -> set[str]:
    """The names of the query parameters a route reads, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_parameters(sub)
    return names


ERRORS_400: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "A bad or unknown parameter (the detail says which)"},
    401: {"model": Problem, "description": "Reads need a bearer token on this server"},
    404: {"model": Problem, "description": "Unknown collection or feature"},
    503: {"model": Problem, "description": "Database unavailable or not loaded; Retry-After"},
}

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"], route_class=OgcRoute)

FormatQuery = Annotated[
    OgcFormat | None,
    Query(alias="f", description="json (the only encoding; geojson for features alike)"),
]
CollectionPath = Annotated[
    str,
    Path(
        alias="collectionId",
        description="A kind of area: " + ", ".join(COLLECTIONS),
        min_length=1,
        max_length=100,
    ),
]
CrsQuery = Annotated[
    OgcCrs | None,
    Query(description=f"CRS of the geometries answered (default {CRS84})"),
]


def base_url(request: Request) -> str:
    """``http(s)://host[:port]/ogc`` as the client reached it."""
    return str(request.base_url).rstrip("/") + router.prefix


def link(href: str, rel: str, type_: str = JSON, title: str | None = None) -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def content_crs(uri: str) -> dict[str, str]:
    return {"Content-Crs": f"<{uri}>"}


# --- landing page, conformance, API definition ------------------------------------------


@router.get("/", include_in_schema=False, response_model=OgcLanding)
@router.get(
    "",
    summary="Landing page: links to the API definition, conformance and collections",
    response_model=OgcLanding,
    responses=ERRORS_400,
)
async def landing(request: Request, f: FormatQuery = None) -> Response:
    base = base_url(request)
    return JSONResponse(
        {
            "title": TITLE,
            "description": DESCRIPTION,
            "links": [
                link(base, "self", title="This document"),
                link(f"{base}/api", "service-desc", OAS30, "The API definition (OpenAPI 3.0)"),
                link(f"{base}/conformance", "conformance", title="Conformance classes"),
                link(f"{base}/collections", "data", title="The collections"),
                link(LICENCE, "license", "text/html", "Open Government Licence v3.0"),
            ],
        }
    )


@router.get(
    "/conformance",
    summary="The conformance classes this API implements",
    response_model=OgcConformance,
    responses=ERRORS_400,
)
async def conformance(f: FormatQuery = None) -> Response:
    return JSONResponse({"conformsTo": list(CONFORMANCE)})


@router.get("/api", include_in_schema=False)
async def api_definition(request: Request, f: FormatQuery = None) -> Response:
    """The OpenAPI 3.0 definition of ``/ogc`` (paths relative to it)."""
    base = base_url(request)

    async def compute(_conn: Any) -> Any:
        return openapi(base)

    return await answer(request, ("ogc", "api", base), compute, media_type=OAS30)


def openapi(base: str) -> dict[str, Any]:
    """The API definition: FastAPI's, with paths relative to ``/ogc`` and said in
    OpenAPI 3.0, ``limit`` a shared parameter with its maximum."""
    doc = get_openapi(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        routes=router.routes,
        servers=[{"url": base, "description": "this server"}],
    )
    n = len(router.prefix)
    doc["paths"] = {(p[n:] or "/"): ops for p, ops in doc["paths"].items()}
    limit = {
        "name": "limit",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "The page size: how many features to answer (a larger value is "
        f"served as {MAX_LIMIT})",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10},
    }
    doc.setdefault("components", {})["parameters"] = {"limit": limit}
    for ops in doc["paths"].values():
        for op in ops.values():
            op["parameters"] = [
                {"$ref": "#/components/parameters/limit"} if p.get("name") == "limit" else p
                for p in op.get("parameters", [])
            ]
    return to_openapi30(doc)


# --- collections ------------------------------------------------------------------------


def collection_doc(base: str, c: Collection, extent: dict[str, Any] | None) -> dict[str, Any]:
    here = f"{base}/collections/{c.id}"
    doc: dict[str, Any] = {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "links": [
            link(here, "self", title="This collection"),
            link(f"{here}/items", "items", GEOJSON, f"{c.title} (GeoJSON)"),
            link(LICENCE, "license", "text/html", "Open Government Licence v3.0"),
        ],
        "crs": list(CRSS),
        "storageCrs": STORAGE_CRS,
    }
    if extent:
        doc["extent"] = {"spatial": {"bbox": [extent["lonlat"]], "crs": CRS84}}
    return doc


@router.get(
    "/collections",
    summary="The collections: one per kind of area",
    response_model=OgcCollections,
    responses=ERRORS_400,
)
async def collections(request: Request, f: FormatQuery = None) -> Response:
    base = base_url(request)

    async def compute(conn: Any) -> Any:
        ext = await extents(conn)
        return {
            "links": [link(f"{base}/collections", "self", title="The collections")],
            "collections": [collection_doc(base, c, ext.get(c.id)) for c in COLLECTIONS.values()],
            "crs": list(CRSS),
        }

    return await answer(request, ("ogc", "collections", base), compute)


@router.get(
    "/collections/{collectionId}",
    summary="One collection: what it holds, its extent and CRSs",
    response_model=OgcCollection,
    responses=ERRORS_400,
)
async def collection(
    request: Request, collection_id: CollectionPath, f: FormatQuery = None
) -> Response:
    c = get_collection(collection_id)
    base = base_url(request)

    async def compute(conn: Any) -> Any:
        return collection_doc(base, c, (await extents(conn, [c.id])).get(c.id))

    return await answer(request, ("ogc", "collection", c.id, base), compute)


# --- items ------------------------------------------------------------------------------


def _filter_parameters() -> Callable[..., Any]:
    """A dependency taking every filter of :data:`queries.ogc.FILTERS` as a query
    parameter (the property's name), returning those given."""
    describe = {
        "code": "Only the areas with this code (or any of several, comma-separated)",
        "name": "Only the areas with this name (exactly)",
        "programme": "Only the areas of this programme (its name; programme collection)",
        **{
            f"{d}_decile": f"Only the LSOAs in this national decile of the {d} domain "
            "(1 = most deprived 10%; lsoa21 collection)"
            for d in DOMAINS
        },
    }
    params = []
    for name, kind in FILTERS.items():
        if kind == "integer":
            q = Query(description=describe.get(name, name), ge=1, le=10)
            ann: Any = Annotated[int | None, q]
        else:
            ann = Annotated[
                str | None, Query(description=describe.get(name, name), max_length=2000)
            ]
        params.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ann)
        )

    async def given(**kw: Any) -> dict[str, Any]:
        out = {k: v for k, v in kw.items() if v is not None}
        if "code" in out:
            out["code"] = tuple(c.strip() for c in out["code"].split(",") if c.strip())
        return out

    given.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return given


FiltersDep = Annotated[dict[str, Any], Depends(_filter_parameters())]


@router.get(
    "/collections/{collectionId}/items",
    summary="The features of a collection, a page at a time",
    response_model=OgcFeatureCollection,
    response_class=GeoJSONResponse,
    responses=ERRORS_400,
)
async def items(
    request: Request,
    collection_id: CollectionPath,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, description="The page size")] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=10_000_000, description="Features to skip (next links set it)")
    ] = 0,
    bbox: Annotated[
        str | None,
        Query(
            description="minx,miny,maxx,maxy: only features whose boundary intersects the box "
            "(longitude/latitude unless bbox-crs says otherwise)",
            max_length=400,
        ),
    ] = None,
    bbox_crs: Annotated[
        OgcCrs | None, Query(alias="bbox-crs", description=f"CRS of bbox (default {CRS84})")
    ] = None,
    crs: CrsQuery = None,
    dt: Annotated[
        str | None,
        Query(
            alias="datetime",
            description="An RFC 3339 date-time or interval. The areas carry no time, so it "
            "does not filter them",
            max_length=100,
        ),
    ] = None,
    f: FormatQuery = None,
) -> Response:
    """Each feature is an area: its code as ``id``, its boundary in the CRS asked for
    (``Content-Crs`` says which), and its properties (see the collection's
    description). Pages are in code order; ``next`` links carry every parameter."""
    c = get_collection(collection_id)
    check_filters(c, filters)
    if dt is not None:
        check_datetime(dt)
    out_crs = crs_of(crs.value if crs else None, "crs")
    box = (
        parse_bbox(bbox, crs_of(bbox_crs.value if bbox_crs else None, "bbox-crs")) if bbox else None
    )
    q = ItemsQuery(c, min(limit, MAX_LIMIT), offset, out_crs, box, filters)
    base = base_url(request)
    here = f"{base}/collections/{c.id}/items"
    given = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]

    def page_url(off: int) -> str:
        return f"{here}?{urlencode([*given, ('limit', q.limit), ('offset', off)])}"

    async def compute(conn: Any) -> Any:
        matched, feats = await read_items(conn, q)
        links = [
            link(page_url(q.offset), "self", GEOJSON, "This page"),
            link(f"{base}/collections/{c.id}", "collection", JSON, c.title),
        ]
        if q.offset + len(feats) < matched:
            links.append(link(page_url(q.offset + q.limit), "next", GEOJSON, "Next page"))
        if q.offset > 0:
            links.append(
                link(page_url(max(0, q.offset - q.limit)), "prev", GEOJSON, "Previous page")
            )
        return {
            "type": "FeatureCollection",
            "features": feats,
            "links": links,
            "numberMatched": matched,
            "numberReturned": len(feats),
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }

    return await answer(
        request,
        ("ogc", "items", base, *q.key(), tuple(given)),
        compute,
        media_type=GEOJSON,
        headers=content_crs(out_crs.uri),
    )


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    summary="One feature: an area by its code",
    response_model=OgcFeature,
    response_class=GeoJSONResponse,
    responses=ERRORS_400,
)
async def item(
    request: Request,
    collection_id: CollectionPath,
    feature_id: Annotated[
        str,
        Path(alias="featureId", description="The area's code", min_length=1, max_length=200),
    ],
    crs: CrsQuery = None,
    f: FormatQuery = None,
) -> Response:
    c = get_collection(collection_id)
    out_crs = crs_of(crs.value if crs else None, "crs")
    base = base_url(request)

    async def compute(conn: Any) -> Any:
        feat = await read_item(conn, c, feature_id, out_crs)
        here = f"{base}/collections/{c.id}/items"
        return {
            **feat,
            "links": [
                link(f"{here}/{feat['id']}", "self", GEOJSON, "This feature"),
                link(f"{base}/collections/{c.id}", "collection", JSON, c.title),
            ],
        }

    return await answer(
        request,
        ("ogc", "item", base, c.id, feature_id, out_crs.uri),
        compute,
        media_type=GEOJSON,
        headers=content_crs(out_crs.uri),
    )
