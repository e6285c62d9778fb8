"""SQL statements kept in ``.sql`` files beside the code that runs them."""

from __future__ import annotations

from functools import cache
from importlib import resources

from sqlalchemy import TextClause, text


@cache
def sql(name: str, package: str = "depmap.core") -> TextClause:
    """The statement in ``<package>/sql/<name>.sql``; values are bound parameters."""
    body = resources.files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")
    return text(body)
