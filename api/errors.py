"""How errors become responses, in one table.

Every error answers ``{"error": <code>, "detail": <message naming the bad value>}``.
The service's own errors carry their status and code (:mod:`depmap.core.errors`);
what FastAPI, Starlette and the database raise is mapped below, one function per
kind of failure and :data:`HANDLERS` listing them. Only 5xx are logged with a
traceback; messages never include secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import JSONResponse
from depmap.core.db import DatabaseNotReady
from depmap.core.errors import ServiceError

log = logging.getLogger("depmap.api")

RETRY_DATABASE = "2"  # seconds: the database is back or a connection frees up soon
RETRY_TIMEOUT = "5"
RETRY_LOAD = "30"  # a load takes a minute or two


@dataclass(frozen=True)
class Reply:
    status: int
    code: str
    detail: object
    extra: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] | None = None


def _service(exc: ServiceError) -> Reply:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if exc.status == 503 and exc.code != "assets_missing":  # that one needs an install
        retry = RETRY_DATABASE if exc.code == "database_unavailable" else RETRY_LOAD
        headers = {"Retry-After": retry}
    if exc.status >= 500:
        log.warning("service error", extra={"error": exc.code, "detail": exc.detail})
    return Reply(exc.status, exc.code, exc.detail, dict(exc.extra), headers)


def describe_validation(exc: RequestValidationError) -> tuple[str, list[dict[str, object]]]:
    """What FastAPI's validation found wrong: one line naming each bad parameter, and the
    problems one by one (parameter, message, the value given)."""
    problems: list[dict[str, object]] = []
    for e in exc.errors():
        where = tuple(e.get("loc", ()))
        if where[:1] == ("query",):  # a repeated parameter's position says nothing
            where = tuple(p for p in where if not isinstance(p, int))
        loc = ".".join(str(p) for p in where if p not in ("query", "path", "body"))
        msg = str(e.get("msg", "invalid"))
        ctx = e.get("ctx") or {}
        if "expected" in ctx:
            msg = f"must be one of {ctx['expected']}"
        problems.append({"parameter": loc, "message": msg, "input": _safe(e.get("input"))})
    text = "; ".join(f"{p['parameter']}: {p['message']}" for p in problems)
    return text, problems


def _validation(exc: RequestValidationError) -> Reply:
    text, problems = describe_validation(exc)
    return Reply(422, "invalid_parameter", text, {"problems": problems})


def _http(exc: StarletteHTTPException) -> Reply:
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http_error"
    )
    return Reply(exc.status_code, code, exc.detail, headers=getattr(exc, "headers", None))


def _not_ready(exc: DatabaseNotReady) -> Reply:
    return Reply(503, "not_loaded", str(exc))


def _db_down(exc: Exception) -> Reply:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "57014":  # query_canceled: statement timeout
        log.warning("query timed out")
        return Reply(
            503,
            "timeout",
            "the query took too long; try a smaller area",
            headers={"Retry-After": RETRY_TIMEOUT},
        )
    log.warning("database unavailable", extra={"error": type(exc).__name__})
    return Reply(
        503,
        "database_unavailable",
        "the database is unavailable; try again in a few seconds",
        headers={"Retry-After": RETRY_DATABASE},
    )


def _data_error(exc: DataError) -> Reply:
    # a value the database cannot take (a NUL in text, an out-of-range number ...)
    log.warning("value refused by the database", extra={"error": type(exc.orig).__name__})
    return Reply(
        422,
        "invalid_parameter",
        "a value in the request cannot be stored or compared: "
        "check for control characters and out-of-range numbers",
    )


def _db_error(exc: DBAPIError) -> Reply:
    if exc.connection_invalidated or _is_connection_error(exc):
        return Reply(
            503,
            "database_unavailable",
            "the database connection was lost; try again in a few seconds",
            headers={"Retry-After": RETRY_DATABASE},
        )
    log.exception("database error")
    return Reply(500, "internal_error", "a database error occurred")


def _unexpected(exc: Exception) -> Reply:
    log.exception("unexpected error", extra={"error": type(exc).__name__})
    return Reply(500, "internal_error", "an unexpected error occurred")


#: What is raised -> how it is answered. Starlette picks the handler of the closest
#: class in the exception's MRO, so the order here does not matter.
HANDLERS: tuple[tuple[type[Exception], Callable[[Any], Reply]], ...] = (
    (ServiceError, _service),
    (RequestValidationError, _validation),
    (StarletteHTTPException, _http),
    (DatabaseNotReady, _not_ready),
    (OperationalError, _db_down),
    (PoolTimeout, _db_down),
    (DataError, _data_error),
    (DBAPIError, _db_error),
    (Exception, _unexpected),
)


def error_body(code: str, detail: object, **extra: object) -> dict[str, object]:
    return {"error": code, "detail": detail, **extra}


def install(app: FastAPI) -> None:
    """Register :data:`HANDLERS` on the app."""
    for exc_type, to_reply in HANDLERS:

        async def handler(_: Request, exc: Exception, to_reply: Any = to_reply) -> JSONResponse:
            r = to_reply(exc)
            return JSONResponse(
                error_body(r.code, r.detail, **r.extra), status_code=r.status, headers=r.headers
            )

        app.add_exception_handler(exc_type, handler)


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
