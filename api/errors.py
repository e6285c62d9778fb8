"""The one error table: domain exceptions, their status codes and how they are shown.

Every error answers ``{"error": <code>, "detail": <message naming the bad value>}``.
Only 5xx are logged with a traceback; messages never include secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.formats import JSONResponse
from depmap.db import DatabaseNotReady

log = logging.getLogger("depmap.api")


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class UnknownArea(ApiError):
    status, code = 404, "unknown_area"


class UnknownProgramme(ApiError):
    status, code = 404, "unknown_programme"


class UnknownLayer(ApiError):
    status, code = 404, "unknown_layer"


class TileOutOfRange(ApiError):
    status, code = 404, "tile_out_of_range"


class InvalidParameter(ApiError):
    status, code = 422, "invalid_parameter"

    @classmethod
    def choice(cls, name: str, value: object, allowed: Sequence[str]) -> InvalidParameter:
        return cls(
            f"{name}={value!r} is not allowed; use one of: {', '.join(allowed)}",
            parameter=name,
            allowed=list(allowed),
        )


class InvalidGeometry(ApiError):
    status, code = 422, "invalid_geometry"


class TooLarge(ApiError):
    status, code = 413, "too_large"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class DatabaseUnavailable(ApiError):
    status, code = 503, "database_unavailable"


class NotLoaded(ApiError):
    status, code = 503, "not_loaded"


def _body(code: str, detail: object, **extra: object) -> dict[str, object]:
    return {"error": code, "detail": detail, **extra}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if exc.status == 503:
            headers = {"Retry-After": "2" if exc.code == "database_unavailable" else "30"}
        if exc.status >= 500:
            log.warning("service error", extra={"error": exc.code, "detail": exc.detail})
        return JSONResponse(
            _body(exc.code, exc.detail, **exc.extra), status_code=exc.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
            msg = str(e.get("msg", "invalid"))
            ctx = e.get("ctx") or {}
            if "expected" in ctx:
                msg = f"must be one of {ctx['expected']}"
            problems.append({"parameter": loc, "message": msg, "input": _safe(e.get("input"))})
        text = "; ".join(f"{p['parameter']}: {p['message']}" for p in problems)
        return JSONResponse(_body("invalid_parameter", text, problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            _body(code, exc.detail),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DatabaseNotReady)
    async def _not_ready(_: Request, exc: DatabaseNotReady) -> JSONResponse:
        return JSONResponse(_body("not_loaded", str(exc)), status_code=503)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _db_down(_: Request, exc: Exception) -> JSONResponse:
        orig = getattr(exc, "orig", None)
        if getattr(orig, "sqlstate", None) == "57014":  # query_canceled: statement timeout
            log.warning("query timed out")
            return JSONResponse(
                _body("timeout", "the query took too long; try a smaller area"),
                status_code=503,
                headers={"Retry-After": "5"},
            )
        log.warning("database unavailable", extra={"error": type(exc).__name__})
        return JSONResponse(
            _body(
                "database_unavailable", "the database is unavailable; try again in a few seconds"
            ),
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", extra={"error": type(exc).__name__})
        return JSONResponse(
            _body("internal_error", "an unexpected error occurred"), status_code=500
        )

    @app.exception_handler(DataError)
    async def _data_error(_: Request, exc: DataError) -> JSONResponse:
        # a value the database cannot take (a NUL in text, an out-of-range number ...)
        log.warning("value refused by the database", extra={"error": type(exc.orig).__name__})
        return JSONResponse(
            _body(
                "invalid_parameter",
                "a value in the request cannot be stored or compared: "
                "check for control characters and out-of-range numbers",
            ),
            status_code=422,
        )

    @app.exception_handler(DBAPIError)
    async def _db_error(_: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated or _is_connection_error(exc):
            return JSONResponse(
                _body(
                    "database_unavailable",
                    "the database connection was lost; try again in a few seconds",
                ),
                status_code=503,
                headers={"Retry-After": "2"},
            )
        log.exception("database error")
        return JSONResponse(_body("internal_error", "a database error occurred"), status_code=500)


def _is_connection_error(exc: DBAPIError) -> bool:
    name = type(exc.orig).__name__ if exc.orig is not None else ""
    return name in {
        "OperationalError",
        "InterfaceError",
        "AdminShutdown",
        "ConnectionFailure",
        "CannotConnectNow",
        "ConnectionException",
    }


def _safe(v: object) -> object:
    if isinstance(v, str | int | float | bool) or v is None:
        return v if not isinstance(v, str) else v[:200]
    return str(v)[:200]
