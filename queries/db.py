"""The SQL files of the query layer (``queries/sql/*.sql``)."""

from __future__ import annotations

from sqlalchemy import TextClause

from depmap.core.sqlfiles import sql as _sql


def sql(name: str) -> TextClause:
    """The statement in ``queries/sql/<name>.sql`` (values are bound parameters)."""
    return _sql(name, "queries")
