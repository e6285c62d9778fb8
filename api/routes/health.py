"""GET /healthz and the indicator catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.deps import DatabasesDep, ServicesDep, answer, require_read
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
async def healthz(svc: ServicesDep, dbs: DatabasesDep) -> Response:
    await dbs.refresh()
    readable = dbs.version_for() if dbs.db_ok else None
    down = [b.name for b in dbs.backends if not b.up]
    status = "unavailable" if not readable else "degraded" if down else "ok"
    body: dict[str, Any] = {
        "status": status,
        "database": "ok" if dbs.primary.up else "unreachable",
        "data_version": dbs.value,
    }
    if dbs.db_ok and not readable:
        body["detail"] = "no data loaded: run `depmap load all`"
    elif not dbs.db_ok:
        body["detail"] = "the database is unreachable"
    elif down:
        body["detail"] = f"unreachable: {', '.join(down)}"
    body["databases"] = [b.state() for b in dbs.backends]
    cache = svc.response_cache
    body["cache"] = {
        "entries": len(cache),
        "bytes": cache.size_bytes,
        "hits": cache.hits,
        "misses": cache.misses,
    }
    return JSONResponse(body, status_code=503 if status == "unavailable" else 200)


@router.get(
    "/indicators",
    summary="The indicator catalogue",
    tags=["indicators"],
    response_model=Indicators,
    dependencies=[Depends(require_read)],
)
async def indicators(request: Request) -> Response:
    return await answer(request, ("indicators",), indicator_catalogue)
