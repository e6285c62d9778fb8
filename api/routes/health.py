"""GET /healthz and the indicator catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.deps import DataVersionDep, ServicesDep, answer, require_read
from api.models import Health, Indicators
from api.responses import JSONResponse
from queries.areas import indicator_catalogue

router = APIRouter(tags=["service"])


@router.get(
    "/healthz",
    summary="Is the service up, and can it reach a loaded database?",
    response_model=Health,
    responses={503: {"model": Health, "description": "Database unreachable or not loaded"}},
)
async def healthz(svc: ServicesDep, dv: DataVersionDep) -> Response:
    await dv.refresh()
    body: dict[str, Any] = {
        "status": "ok" if dv.db_ok and dv.value else "unavailable",
        "database": "ok" if dv.db_ok else "unreachable",
        "data_version": dv.value,
    }
    if dv.db_ok and not dv.value:
        body["detail"] = "no data loaded: run `depmap load all`"
    elif not dv.db_ok:
        body["detail"] = "the database is unreachable"
    cache = svc.response_cache
    body["cache"] = {
        "entries": len(cache),
        "bytes": cache.size_bytes,
        "hits": cache.hits,
        "misses": cache.misses,
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


@router.get(
    "/indicators",
    summary="The indicator catalogue",
    tags=["indicators"],
    response_model=Indicators,
    dependencies=[Depends(require_read)],
)
async def indicators(request: Request) -> Response:
    return await answer(request, ("indicators",), indicator_catalogue)
