"""Vector tiles (MVT) of LSOA21s and footprints, and their TileJSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.deps import TilesDep, TileSettingsDep, answer, cache_scope, data_version
from api.models import TileJSON, TileLayers
from depmap.core.replicas import snapshot_version
from tiles.cache import Tile
from tiles.layers import LAYERS, get_layer
from tiles.render import MVT_MEDIA_TYPE
from tiles.tilejson import layer_bounds, tilejson

router = APIRouter(tags=["tiles"])

LayerPath = Annotated[
    str, Path(description="Tile layer: " + ", ".join(LAYERS), min_length=1, max_length=100)
]


def tile_response(request: Request, t: Tile) -> Response:
    headers = dict((k.decode(), v.decode()) for k, v in t.headers_raw)
    headers.pop("content-length")
    headers.pop("content-type")
    if cache_scope(request) == "private":
        headers["cache-control"] = headers["cache-control"].replace("public", "private")
    inm = request.headers.get("if-none-match")
    if inm and t.etag in {x.strip() for x in inm.split(",")}:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(t.gz, media_type=MVT_MEDIA_TYPE, headers=headers)
    return Response(t.raw, media_type=MVT_MEDIA_TYPE, headers=headers)


TILE_PATH = "/tiles/{layer}/{z}/{x}/{y}.mvt"
TILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {MVT_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "description": "The tile (empty when no area meets it); gzip when asked",
    },
    304: {"description": "Not modified (If-None-Match)"},
    404: {"description": "Unknown layer, or no such tile (zoom, x or y out of range)"},
}


@router.head(TILE_PATH, operation_id="head_tile", response_class=Response, responses=TILE_RESPONSES)
@router.get(
    TILE_PATH,
    operation_id="get_tile",
    summary="A vector tile (Mapbox Vector Tile) of a layer",
    response_class=Response,
    responses=TILE_RESPONSES,
)
async def get_tile(
    request: Request,
    layer: LayerPath,
    z: Annotated[int, Path(description="Zoom")],
    x: Annotated[int, Path(description="Column, 0 at the west, up to 2^z - 1")],
    y: Annotated[int, Path(description="Row, 0 at the north, up to 2^z - 1")],
    v: Annotated[
        str | None,
        Query(
            description="The data version (TileJSON tile URLs carry it, so that caches keep "
            "tiles per version); any value is accepted",
            max_length=40,
        ),
    ] = None,
    *,
    s: TileSettingsDep,
    tiles: TilesDep,
) -> Response:
    """LSOA21 features carry deciles of the IMD, its seven domains and the main health
    indicators at every zoom (cells pool LSOAs too small to see at low zooms), and from
    zoom 12 their name, IMD score and rank, population and health indicator values.
    Footprint layers carry code, name, population and their IMD 2025 summary. The
    tile's layer is named as the layer; see ``/tiles/{layer}.json`` for its fields."""
    lyr = get_layer(layer)
    lyr.check(z, x, y, s)
    version = data_version(request)
    return tile_response(request, await tiles.get(version, lyr, z, x, y))


@router.get("/tiles/{layer}.json", summary="TileJSON 3.0 of a tile layer", response_model=TileJSON)
async def get_tilejson(request: Request, layer: LayerPath, s: TileSettingsDep) -> Response:
    lyr = get_layer(layer)
    base = str(request.base_url)

    async def compute(conn: Any) -> Any:
        return tilejson(lyr, base, snapshot_version(conn), await layer_bounds(conn, lyr), s)

    return await answer(request, ("tilejson", lyr.name, base), compute)


@router.get("/tiles", summary="The tile layers", response_model=TileLayers)
async def list_layers(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    return {
        "layers": [
            {"name": name, "title": lyr.title, "tilejson": f"{base}/tiles/{name}.json"}
            for name, lyr in LAYERS.items()
        ]
    }
