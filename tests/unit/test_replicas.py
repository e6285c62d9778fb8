"""Read routing without a database: settings, the order reads try the databases in, the
version a read is served at, and which errors mean "try another database"."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from depmap.core.db import make_async_engine
from depmap.core.replicas import Databases, failure
from depmap.core.settings import DatabaseSettings

URL = "postgresql://u:p@127.0.0.1:1/db"


def test_read_urls_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv(
        "DEPMAP_READ_DATABASE_URLS",
        " postgresql://u:p@replica1:5432/db, postgresql://u:p@replica2:5433/db ,",
    )
    s = DatabaseSettings()
    assert [u.hosts()[0]["host"] for u in s.read_urls] == ["replica1", "replica2"]
    assert s.sqlalchemy_read_urls[1] == "postgresql+psycopg://u:p@replica2:5433/db"
    monkeypatch.delenv("DEPMAP_READ_DATABASE_URLS")
    assert DatabaseSettings().read_urls == []


def databases(n: int) -> Databases:
    s = DatabaseSettings(url=URL)  # type: ignore[arg-type]
    return Databases(make_async_engine(s), [make_async_engine(s) for _ in range(n)])


def test_reads_prefer_replicas_at_the_newest_version():
    dbs = databases(3)
    p, r1, r2, r3 = dbs.backends
    changes: list[int] = []
    dbs.on_change(changes.append)
    dbs._seen(p, 11)
    assert dbs.value == 11 and dbs.readers() == [p]  # no replica yet: the primary
    dbs._seen(r1, 10)
    dbs._seen(r2, 11)
    dbs._seen(r3, 11)
    assert dbs.value == 11
    firsts = {dbs.readers()[0].name for _ in range(4)}
    assert firsts == {r2.name, r3.name}  # in turn; r1 lags behind a load: not asked
    assert dbs.readers()[-1] is p and r1 not in dbs.readers()
    assert dbs.readers(primary=True) == [p]  # custom areas: read your writes
    dbs._down(r2, OperationalError("connect", {}, Exception("refused")))
    dbs._down(r3, OperationalError("connect", {}, Exception("refused")))
    assert dbs.readers()[0] is r1 and dbs.value == 10  # the lagging one, whole, until...
    dbs._seen(r1, 11)
    assert dbs.value == 11 and changes == [11, 10, 11, 10, 11]
    dbs._down(r1, OperationalError("connect", {}, Exception("refused")))
    assert dbs.readers() == [p] and dbs.version_for() == 11  # the primary answers
    dbs._down(p, OperationalError("connect", {}, Exception("refused")))
    assert dbs.readers() == [] and not dbs.db_ok  # all waiting to be retried
    assert dbs.version_for() == 11  # cached answers still answered
    dbs.retry_s = 0
    dbs._down(p, OperationalError("connect", {}, Exception("refused")))
    assert dbs.readers() == [p]  # its wait is over: a read may try it
    asyncio.run(dbs.dispose())


class _Err(Exception):
    def __init__(self, sqlstate: str | None, msg: str = "") -> None:
        super().__init__(msg)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("exc", "why"),
    [
        (OperationalError("x", {}, _Err(None, "connection refused")), "down"),
        (OperationalError("x", {}, _Err("57P01", "terminating connection")), "down"),
        (OperationalError("x", {}, _Err("08006")), "down"),
        (OperationalError("x", {}, _Err("57014", "statement timeout")), None),
        (OperationalError("x", {}, _Err("40001", "conflict with recovery")), "conflict"),
        (ProgrammingError("x", {}, _Err("42P01")), None),
        (ValueError("not a database error"), None),
    ],
)
def test_which_failures_try_another_database(exc, why):
    assert failure(exc) == why


def test_a_lost_connection_is_down():
    e = DBAPIError("x", {}, _Err("XX000"), connection_invalidated=True)
    assert failure(e) == "down"
