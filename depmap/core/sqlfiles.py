"""SQL statements kept in ``.sql`` files beside the code that runs them.

Values are always bound parameters. Column lists that the vocabulary defines are
written as placeholders and filled in from :mod:`depmap.core.vocab`, so a new domain,
measure or health indicator needs no SQL edit:

* ``{{measures}}`` or ``{{m.measures}}``: the summary measures (optionally
  prefixed with a table alias); likewise ``{{ranks}}`` (``rank_<measure>`` of
  ``area_measure``), ``{{health}}`` (the health indicators of ``lsoa_stats``),
  ``{{deciles}}`` (the IoD domain deciles),
  ``{{tile_health}}``, ``{{tile_health_deciles}}`` and ``{{tile_changes}}`` (what tiles
  carry);
* ``{{domains}}`` (``imd``, ``income`` ...) and ``{{domain_scores}}`` (``imd_score``,
  ``income_score`` ... of ``lsoa_stats``); ``{{domain_stats}}`` (score, rank and decile of
  every domain: ``imd_score, imd_rank, imd_decile, income_score`` ...);
* ``{{by_domain(m.average_score)}}``: one column per domain, named as the domain,
  ``max(<expr>) FILTER (WHERE m.domain = '<domain>')`` (rows of ``area_measure``
  turned into columns);
* ``{{per_domain(stddev_pop)}}``: ``stddev_pop(<domain>_score ORDER BY lsoa_id) AS
  <domain>`` per domain, over ``lsoa_stats`` (in a fixed order: float sums come out the
  same every time);
* ``{{s.score_of_domain}}``: the ``lsoa_stats`` score of the domain bound as ``:domain``;
* named expressions a caller passes (the tile tables' decile ranks).

Identifiers come from the vocabulary only, never from a request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

from sqlalchemy import TextClause, text

from depmap.core.vocab import (
    DOMAIN_FIELDS,
    DOMAINS,
    HEALTH_COLUMNS,
    MEASURES,
    TILE_CHANGES,
    TILE_DECILES,
    TILE_HEALTH,
)

#: The column lists a placeholder can name.
LISTS: dict[str, tuple[str, ...]] = {
    "domains": DOMAINS,
    "domain_scores": tuple(f"{d}_score" for d in DOMAINS),
    "domain_stats": tuple(f"{d}_{f}" for d in DOMAINS for f in DOMAIN_FIELDS),
    "measures": MEASURES,
    "ranks": tuple(f"rank_{m}" for m in MEASURES),
    "deciles": TILE_DECILES,
    "health": HEALTH_COLUMNS,
    "tile_health": tuple(h for h, _ in TILE_HEALTH),
    "tile_health_deciles": tuple(f"{h}_decile" for h, _ in TILE_HEALTH),
    "tile_changes": tuple(c.code for c in TILE_CHANGES),
}

_PLACEHOLDER = re.compile(r"\{\{\s*(?:([a-z]+)\.)?([a-z_]+)(?:\(([a-z_.]+)\))?\s*\}\}")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")
_FUNCTIONS = frozenset({"stddev_pop", "avg", "min", "max", "sum", "count"})


def by_domain(expr: str) -> str:
    """One column per IoD domain from ``area_measure`` rows (see the module docstring)."""
    if not _IDENT.match(expr):
        raise ValueError(f"by_domain() takes a column, not {expr!r}")
    alias = expr.split(".")[0] + "." if "." in expr else ""
    return ",\n       ".join(
        f"max({expr}) FILTER (WHERE {alias}domain = '{d}') AS {d}" for d in DOMAINS
    )


def per_domain(fn: str) -> str:
    """``fn(<domain>_score ORDER BY lsoa_id) AS <domain>`` for every IoD domain (an
    aggregate function over ``lsoa_stats``)."""
    if fn not in _FUNCTIONS:
        raise ValueError(f"per_domain() takes an aggregate function, not {fn!r}")
    return ", ".join(f"{fn}({d}_score ORDER BY lsoa_id) AS {d}" for d in DOMAINS)


def score_of_domain(alias: str | None) -> str:
    """The score column of the domain bound as ``:domain``."""
    a = f"{alias}." if alias else ""
    whens = " ".join(f"WHEN '{d}' THEN {a}{d}_score" for d in DOMAINS)
    return f"CASE :domain {whens} END"


def fill(body: str, expressions: Mapping[str, str] | None = None) -> str:
    """``body`` with its placeholders filled in (see the module docstring)."""
    exprs = expressions or {}

    def repl(m: re.Match[str]) -> str:
        alias, name, arg = m.group(1), m.group(2), m.group(3)
        if arg is not None:
            if name == "by_domain" and alias is None:
                return by_domain(arg)
            if name == "per_domain" and alias is None:
                return per_domain(arg)
            raise KeyError(f"unknown SQL placeholder {m.group(0)}")
        if name == "score_of_domain":
            return score_of_domain(alias)
        if name in exprs and alias is None:
            return exprs[name]
        cols: Sequence[str] | None = LISTS.get(name)
        if cols is None:
            raise KeyError(f"unknown SQL placeholder {m.group(0)}")
        return ", ".join(f"{alias}.{c}" if alias else c for c in cols)

    out = _PLACEHOLDER.sub(repl, body)
    if "{{" in out:
        bad = out[out.index("{{") :].split("}}")[0] + "}}"
        raise KeyError(f"unknown SQL placeholder {bad}")
    return out


def sql_body(name: str, package: str = "depmap.core") -> str:
    """The text of ``<package>/sql/<name>.sql``, placeholders not filled."""
    return resources.files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


@cache
def sql(name: str, package: str = "depmap.core") -> TextClause:
    """The statement in ``<package>/sql/<name>.sql`` with its column lists filled in."""
    return text(fill(sql_body(name, package)))
