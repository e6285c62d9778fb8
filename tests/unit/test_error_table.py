"""The error table maps database failures to the right 5xx/4xx, with Retry-After."""

import psycopg
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError, OperationalError

from api import errors


def app_raising(exc: Exception) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.get("/x")
    async def x() -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


def test_statement_timeout_is_a_503_timeout():
    exc = OperationalError("SELECT ...", {}, psycopg.errors.QueryCanceled("canceling statement"))
    r = app_raising(exc).get("/x")
    assert r.status_code == 503 and r.json()["error"] == "timeout"
    assert r.headers["retry-after"]


def test_connection_failure_is_a_503_database_unavailable():
    exc = OperationalError("connect", {}, psycopg.OperationalError("connection refused"))
    r = app_raising(exc).get("/x")
    assert r.status_code == 503 and r.json()["error"] == "database_unavailable"
    assert r.headers["retry-after"] == "2"


def test_a_value_the_database_refuses_is_a_422():
    exc = DataError("INSERT ...", {}, psycopg.errors.DataError("invalid byte sequence"))
    r = app_raising(exc).get("/x")
    assert r.status_code == 422 and r.json()["error"] == "invalid_parameter"


def test_load_in_progress_says_when_to_retry():
    from depmap.core.errors import LoadInProgress

    r = app_raising(LoadInProgress("a data load is running")).get("/x")
    assert r.status_code == 503 and r.headers["retry-after"] == "30"
