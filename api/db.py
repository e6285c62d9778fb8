"""The service's database access: an async engine and the SQL files it runs."""

from __future__ import annotations

from sqlalchemy import TextClause
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from depmap.settings import DatabaseSettings
from depmap.sqlfiles import sql as _sql


def create_engine(s: DatabaseSettings) -> AsyncEngine:
    """Pooled async engine; every connection gets a statement timeout."""
    eng = create_async_engine(
        s.sqlalchemy_url,
        pool_size=s.pool_size,
        max_overflow=s.max_overflow,
        pool_pre_ping=True,
        pool_timeout=s.pool_timeout_s,
        connect_args={
            "connect_timeout": max(1, int(s.connect_timeout_s)),
            "application_name": "depmap-api",
            "options": f"-c statement_timeout={s.statement_timeout_ms}",
        },
    )

    return eng


def sql(name: str) -> TextClause:
    """The statement in ``api/sql/<name>.sql`` (values are bound parameters)."""
    return _sql(name, "api")
