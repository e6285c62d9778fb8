"""Database engines, schema creation (``depmap db init``), the data version, and
deleting areas with everything that hangs on them."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from depmap.core.schema import (
    AREA_DEPENDENTS,
    EXTRA_DDL,
    LSOA_DEPENDENTS,
    REBUILT_TABLES,
    SCHEMA_VERSION,
    metadata,
)
from depmap.core.settings import DatabaseSettings, database_settings

log = logging.getLogger(__name__)

#: pg_advisory lock key held by every load (so two loads never interleave).
LOAD_LOCK_KEY = 0x6465706D6170  # "depmap"


class DatabaseNotReady(RuntimeError):
    """The database is reachable but has not been initialised or loaded."""


def make_engine(settings: DatabaseSettings | None = None, **kw: object) -> Engine:
    """A synchronous engine (loaders, CLI, tests)."""
    s = settings or database_settings()
    return create_engine(
        s.sqlalchemy_url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": max(1, int(s.connect_timeout_s))},
        **kw,
    )


def make_async_engine(s: DatabaseSettings | None = None, url: str | None = None) -> AsyncEngine:
    """A pooled async engine (the service, and the CLI's queries); every connection gets
    the statement timeout of the settings. ``url`` (SQLAlchemy form) picks another server
    of the same settings, such as a read replica."""
    s = s or database_settings()
    eng = create_async_engine(
        url or s.sqlalchemy_url,
        pool_size=s.pool_size,
        max_overflow=s.max_overflow,
        pool_pre_ping=True,
        pool_timeout=s.pool_timeout_s,
        connect_args={
            "connect_timeout": max(1, int(s.connect_timeout_s)),
            "application_name": "depmap-api",
            # JIT compiling costs more than it saves on the service's short queries
            "options": f"-c statement_timeout={s.statement_timeout_ms} -c jit=off",
        },
    )

    return eng


@contextmanager
def connect(engine: Engine | None = None) -> Iterator[Connection]:
    eng = engine or make_engine()
    try:
        with eng.connect() as conn:
            yield conn
    finally:
        if engine is None:
            eng.dispose()


def init_db(conn: Connection) -> None:
    """Create extensions and tables if missing (idempotent); the caller commits.

    A database made by an earlier schema version gets the tables every load rebuilds
    dropped and made again in this version's shape (``REBUILT_TABLES``: derived
    statistics, series, measures, tile tables); the next load fills them. The tables of
    loaded data (areas, weights, indicators) keep their rows.
    """
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    if schema_ready(conn):
        v = conn.execute(
            text("SELECT value FROM depmap_meta WHERE key = 'schema_version'")
        ).scalar()
        if v is not None and v != str(SCHEMA_VERSION):
            log.info("schema upgrade", extra={"from": v, "to": SCHEMA_VERSION})
            metadata.drop_all(conn, tables=list(REBUILT_TABLES))
    metadata.create_all(conn)
    for ddl in EXTRA_DDL:
        conn.execute(text(ddl))
    conn.execute(
        text(
            "INSERT INTO depmap_meta(key, value) VALUES ('schema_version', :v) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ),
        {"v": str(SCHEMA_VERSION)},
    )
    # versions start at the creation time: a database made again never reuses the version
    # numbers of the one before (caches, ETags and tile folders are keyed on them)
    conn.execute(
        text(
            "INSERT INTO depmap_meta(key, value) "
            "VALUES ('data_version', floor(extract(epoch FROM now()))::bigint::text) "
            "ON CONFLICT (key) DO NOTHING"
        )
    )


def schema_current(conn: Connection) -> bool:
    """True if every table and index of this schema version is there (so that a load
    need not run DDL, which would lock tables that readers and writers use)."""
    if not schema_ready(conn):
        return False
    v = conn.execute(text("SELECT value FROM depmap_meta WHERE key = 'schema_version'")).scalar()
    if v != str(SCHEMA_VERSION):
        return False
    names = [t.name for t in metadata.sorted_tables]
    names += [i.name for t in metadata.sorted_tables for i in t.indexes if i.name]
    names += [ddl.split(" EXISTS ", 1)[1].split()[0] for ddl in EXTRA_DDL]
    missing = conn.execute(
        text("SELECT count(*) FROM unnest(CAST(:n AS text[])) n WHERE to_regclass(n) IS NULL"),
        {"n": names},
    ).scalar()
    return not missing


def drop_all(conn: Connection) -> None:
    """Drop every depmap table (``depmap db init --reset``)."""
    metadata.drop_all(conn)


def schema_ready(conn: Connection) -> bool:
    row = conn.execute(
        text("SELECT to_regclass('depmap_meta') IS NOT NULL AND to_regclass('area') IS NOT NULL")
    ).scalar()
    return bool(row)


def data_version(conn: Connection) -> int:
    if not schema_ready(conn):
        raise DatabaseNotReady("the database has no depmap schema: run `depmap db init`")
    v = conn.execute(text("SELECT value FROM depmap_meta WHERE key = 'data_version'")).scalar()
    return int(v or 0)


def bump_data_version(conn: Connection) -> int:
    """Increase the data version inside the caller's transaction; caches key on it."""
    v = conn.execute(
        text(
            "UPDATE depmap_meta SET value = (value::bigint + 1)::text "
            "WHERE key = 'data_version' RETURNING value::bigint"
        )
    ).scalar()
    return int(v or 0)


def delete_area_rows(conn: Connection, ids: Sequence[int]) -> int:
    """Delete the areas with these ids and every row that refers to them (the columns
    the schema declares with ``area_ref``). Returns the number of areas deleted."""
    ids = [int(i) for i in ids]
    if not ids:
        return 0
    conn.execute(text("DROP TABLE IF EXISTS tmp_gone"))
    conn.execute(
        text(
            "CREATE TEMP TABLE tmp_gone ON COMMIT DROP AS "
            "SELECT DISTINCT a.id FROM area a WHERE a.id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    conn.execute(text("ANALYZE tmp_gone"))
    n, lsoas = conn.execute(
        text(
            "SELECT count(*), count(*) FILTER (WHERE a.kind = 'lsoa21') "
            "FROM tmp_gone g JOIN area a ON a.id = g.id"
        )
    ).one()
    if n:
        # table and column names come from the schema, not from input
        for table, col in AREA_DEPENDENTS:
            if lsoas or (table, col) not in LSOA_DEPENDENTS:
                conn.execute(text(f"DELETE FROM {table} t USING tmp_gone g WHERE t.{col} = g.id"))
        conn.execute(text("DELETE FROM area a USING tmp_gone g WHERE a.id = g.id"))
    conn.execute(text("DROP TABLE tmp_gone"))
    return int(n)


def orphan_counts(conn: Connection) -> dict[str, int]:
    """Rows of dependent tables whose area no longer exists (should all be 0)."""
    out: dict[str, int] = {}
    for table, col in AREA_DEPENDENTS:
        n = conn.execute(
            text(
                f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
                f"(SELECT 1 FROM area a WHERE a.id = t.{col})"
            )
        ).scalar()
        out[f"{table}.{col}"] = int(n or 0)
    n = conn.execute(
        text(
            "SELECT count(*) FROM indicator_value v WHERE NOT EXISTS "
            "(SELECT 1 FROM indicator i WHERE i.id = v.indicator_id)"
        )
    ).scalar()
    out["indicator_value.indicator_id"] = int(n or 0)
    return out


@dataclass(frozen=True)
class Status:
    """What is loaded (``depmap status``)."""

    data_version: int
    last_load: tuple[dt.datetime, list[str]] | None
    kinds: list[tuple[str, int, float]]  # kind, areas, population
    indicators: list[tuple[str, str, int, int, int, int]]  # code, vintage, LSOAs, values ...


def database_status(conn: Connection) -> Status:
    """Areas per kind, values per indicator and the last load."""
    if not schema_ready(conn):
        raise DatabaseNotReady("the database has no depmap schema: run `depmap db init`")
    kinds = conn.execute(
        text("SELECT kind, count(*), sum(population) FROM area GROUP BY kind ORDER BY kind")
    ).all()
    inds = conn.execute(
        text(
            "SELECT i.code, i.vintage, count(v.lsoa_id), count(v.value), "
            "count(v.rank), count(v.decile) FROM indicator i "
            "LEFT JOIN indicator_value v ON v.indicator_id = i.id "
            "GROUP BY i.id ORDER BY i.code"
        )
    ).all()
    last = conn.execute(
        text("SELECT finished_at, parts FROM load_run ORDER BY id DESC LIMIT 1")
    ).first()
    return Status(
        data_version=data_version(conn),
        last_load=(last[0], list(last[1])) if last else None,
        kinds=[(str(k), int(n), float(p or 0)) for k, n, p in kinds],
        indicators=[(str(c), str(v), int(a), int(b), int(r), int(d)) for c, v, a, b, r, d in inds],
    )
