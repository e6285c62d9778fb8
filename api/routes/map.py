"""GET /map: the commissioners' web map (Folium), and the static files it loads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from api.deps import (
    AreaKindQuery,
    TileSettingsDep,
    answer,
    check_readable,
    is_custom_code,
)
from depmap.core.replicas import snapshot_version
from queries.maps import focus, pcn_note
from web.assets import STATIC_DIR, STATIC_URL
from web.map import base_config, render_map

router = APIRouter(tags=["map"])


@router.get(
    "/map",
    summary="The web map: LSOA deprivation and health, NHS footprints, search, hotspots",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
async def get_map(
    request: Request,
    area: Annotated[
        str | None,
        Query(
            description="Focus on this area (GSS code such as E54000008, or a programme id) "
            "and mark its hotspots",
            max_length=100,
        ),
    ] = None,
    area_kind: AreaKindQuery = None,
    *,
    tile_settings: TileSettingsDep,
) -> Response:
    """Everything the page loads is served here (``/static``); OpenStreetMap is used as a
    basemap only when it answers, otherwise the background is plain with local-authority
    outlines."""
    check_readable(request, area)
    maxzoom = tile_settings.max_zoom

    async def compute(conn: Any) -> Any:
        cfg = base_config("tiles", version=snapshot_version(conn), maxzoom=maxzoom)
        cfg["pcn_note"] = await pcn_note(conn)
        title = "depmap: deprivation and health in England"
        if area:
            cfg["focus"] = await focus(conn, area, area_kind)
            title = f"depmap: {cfg['focus']['name']}"
        return render_map(cfg, title=title, inline_assets=False)

    return await answer(
        request,
        ("map", area, area_kind),
        compute,
        media_type="text/html; charset=utf-8",
        render=lambda html: str(html).encode(),
        cacheable=not is_custom_code(area or ""),
    )


def mount_static(app: FastAPI) -> None:
    """Serve ``web/static`` (the map's script, style and vendored npm packages)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
