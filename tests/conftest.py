"""Test fixtures: a real PostGIS, the national data loaded once per session, and a
tiny synthetic dataset for loader tests.

Databases are derived from ``DATABASE_URL`` (default: the development DSN):
``<name>_test`` holds the national data, ``<name>_small`` the synthetic data.
``DEPMAP_DATA_DIR`` points at the shared data folder. Set ``DEPMAP_TEST_REUSE=1``
to keep an already-loaded national test database between runs (local use).
Set ``DEPMAP_FAIL_ON_SKIP=1`` (CI does) to fail the run if any test was skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from depmap.core.db import init_db
from depmap.core.settings import DEV_DATABASE_URL, ApiSettings, DatabaseSettings
from tests.synth import Synth, make_synth

TOKEN = "test-token-0123456789"

# CI runs the same hypothesis examples every time (DEPMAP_FAIL_ON_SKIP marks a CI run)
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("DEPMAP_FAIL_ON_SKIP") == "1":
    settings.load_profile("ci")


def base_url() -> str:
    return os.environ.get("DATABASE_URL") or DEV_DATABASE_URL


def derived_url(suffix: str) -> str:
    u = make_url(base_url())
    return u.set(database=f"{u.database}_{suffix}").render_as_string(hide_password=False)


def sa_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def ensure_database(url: str, fresh: bool = False) -> None:
    u = make_url(url)
    admin = create_engine(
        sa_url(u.set(database="postgres").render_as_string(hide_password=False)),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as c:
            exists = c.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": u.database}
            ).scalar()
            if exists and fresh:
                c.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :d AND pid <> pg_backend_pid()"
                    ),
                    {"d": u.database},
                )
                c.execute(text(f'DROP DATABASE "{u.database}"'))
                exists = False
            if not exists:
                c.execute(text(f'CREATE DATABASE "{u.database}"'))
    finally:
        admin.dispose()
    eng = create_engine(sa_url(url))
    try:
        with eng.begin() as c:
            init_db(c)
            assert c.execute(text("SELECT postgis_version()")).scalar()
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def postgis() -> str:
    """The base DSN, once PostGIS answers there (tests skip otherwise; CI fails on skips)."""
    try:
        eng = create_engine(sa_url(base_url()), connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as e:
        pytest.skip(f"no PostgreSQL at DATABASE_URL: {e}")
    return base_url()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = os.environ.get("DEPMAP_DATA_DIR")
    if not d or not Path(d).is_dir():
        pytest.skip("DEPMAP_DATA_DIR does not point at the shared data folder")
    return Path(d)


@pytest.fixture(scope="session")
def national_url(postgis: str, data_dir: Path) -> str:
    """A database with the national data loaded (once per session)."""
    from loaders.pipeline import parts_present, run_load

    url = derived_url("test")
    reuse = os.environ.get("DEPMAP_TEST_REUSE") == "1"
    ensure_database(url, fresh=not reuse)
    eng = create_engine(sa_url(url))
    try:
        with eng.connect() as c:
            # init_db gives a new database a data version: a load has run if load_run says so
            loaded = c.execute(text("SELECT EXISTS (SELECT 1 FROM load_run)")).scalar()
        if not (reuse and loaded):
            run_load(eng, data_dir, parts_present(data_dir))
    finally:
        eng.dispose()
    return url


@pytest.fixture(scope="session")
def national_engine(national_url: str) -> Iterator[Engine]:
    eng = create_engine(sa_url(national_url))
    yield eng
    eng.dispose()


def make_client(url: str, read_urls: list[str] | None = None, **overrides: object):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from api.main import create_app

    settings = ApiSettings(**{"api_token": TOKEN, "env": "test", **overrides})  # type: ignore[arg-type]
    dbs = DatabaseSettings(url=url, read_urls=read_urls or [])  # type: ignore[arg-type]
    app = create_app(settings, dbs)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def client(national_url: str) -> Iterator[object]:
    with make_client(national_url) as c:
        yield c


@pytest.fixture(scope="session")
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return make_synth(tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="session")
def small_url(postgis: str, synth: Synth) -> str:
    """A database with the synthetic data loaded (tests that change it must restore it)."""
    from loaders.pipeline import parts_present, run_load

    url = derived_url("small")
    ensure_database(url, fresh=True)
    eng = create_engine(sa_url(url))
    try:
        run_load(eng, synth.root, parts_present(synth.root), expect_england=False)
    finally:
        eng.dispose()
    return url


@pytest.fixture(scope="session")
def small_engine(small_url: str) -> Iterator[Engine]:
    eng = create_engine(sa_url(small_url))
    yield eng
    eng.dispose()


#: Fixtures that need PostGIS (``db``) or the shared national data (``data``): a test
#: using one of them, directly or through another fixture, gets the marker, so that
#: ``pytest -m "not db"`` runs the PostGIS-free subset.
DB_FIXTURES = {"postgis"}
DATA_FIXTURES = {"data_dir"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & DB_FIXTURES:
            item.add_marker(pytest.mark.db)
        if names & DATA_FIXTURES:
            item.add_marker(pytest.mark.data)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("DEPMAP_FAIL_ON_SKIP") != "1":
        return
    rep = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = rep.stats.get("skipped", []) if rep else []
    if skipped:
        if rep:
            rep.write_line(
                f"DEPMAP_FAIL_ON_SKIP: {len(skipped)} tests were skipped; "
                "CI needs every test to run (PostGIS, data, browser)",
                red=True,
            )
        session.exitstatus = 1


@pytest.fixture(scope="session")
def live_server(national_url: str) -> Iterator[str]:
    """The service in its own process (uvicorn) on the national test database."""
    from tests.live import server

    env = {
        "DATABASE_URL": national_url,
        "DEPMAP_API_TOKEN": TOKEN,
        "DEPMAP_HOTSPOT_PERMUTATIONS": "99",
    }
    with server(env) as base:
        yield base
