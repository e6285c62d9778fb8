"""What LSOA21 tile features carry, as SQL column lists made from the vocabulary.

The tile SQL files name the lists of :mod:`depmap.core.sqlfiles` (``{{deciles}}``,
``{{tile_health}}``, ``{{tile_health_deciles}}``, optionally prefixed with a table
alias) and two expressions made here: ``{{health_decile_ranks}}`` ranks each health
indicator into national deciles (higher or lower worse, as the vocabulary says) and
``{{cell_deciles}}`` pools deciles into cells. Identifiers come from the vocabulary
only, never from a request.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import TextClause, text

from depmap.core.sqlfiles import LISTS, fill, sql_body
from depmap.core.vocab import NATIONAL_LSOA11, SERIES, TILE_CHANGES, TILE_HEALTH, TileChange

#: Every decile an LSOA21 feature or cell carries, in order.
ALL_DECILES: tuple[str, ...] = LISTS["deciles"] + LISTS["tile_health_deciles"]


def _national_decile(col: str, higher_is_worse: bool) -> str:
    order = "DESC" if higher_is_worse else "ASC"
    return (
        f"CASE WHEN s.{col} IS NOT NULL THEN least(10, 1 + floor(10.0 *\n"
        f"         (rank() OVER (ORDER BY s.{col} {order} NULLS LAST) - 1)\n"
        f"         / count(s.{col}) OVER ())) END"
    )


def _change(c: TileChange) -> str:
    """An LSOA's change of ``c`` from ``lsoa_series`` (x) and ``lsoa_stats`` (s)."""
    if c.series == "imd_decile":
        return f"s.imd_decile - ceil(x.imd2015_rank * 10.0 / {NATIONAL_LSOA11})"
    ser = SERIES[c.series]
    b, f = ser.baseline, ser.followup

    def share(y: int) -> str:
        return f"x.{ser.code}_{y}_num / nullif(x.{ser.code}_{y}_den, 0)"

    # one decimal: enough for a map class, and few distinct values keep tiles small
    return f"round(({ser.scale:g} * ({share(f)} - {share(b)}))::numeric, 1)"


def _cell_mean(col: str, optional: bool) -> str:
    filt = f" FILTER (WHERE {col} IS NOT NULL)" if optional else ""
    return f"round(sum({col} * w) / sum(w){filt})"


#: SQL expressions the tile tables are built with.
EXPRESSIONS: dict[str, str] = {
    # 1 = the worst 10% of the LSOAs that have a value (ties share a decile)
    "health_decile_ranks": ",\n       ".join(_national_decile(h, hiw) for h, hiw in TILE_HEALTH),
    # the population-weighted mean decile of the LSOAs a cell pools
    "cell_deciles": ",\n       ".join(
        [_cell_mean(c, False) for c in LISTS["deciles"]]
        + [_cell_mean(c, True) for c in LISTS["tile_health_deciles"]]
    ),
    # each LSOA's changes over time, and a cell's population-weighted mean of them
    "tile_change_values": ",\n       ".join(_change(c) for c in TILE_CHANGES),
    "cell_changes": ",\n       ".join(
        f"round((sum({c.code} * w ORDER BY lsoa_id) FILTER (WHERE {c.code} IS NOT NULL) / "
        f"sum(w) FILTER (WHERE {c.code} IS NOT NULL))::numeric, 1)"
        for c in TILE_CHANGES
    ),
}


@cache
def tile_sql(name: str) -> TextClause:
    """The statement in ``tiles/sql/<name>.sql`` with its column lists filled in."""
    return text(fill(sql_body(name, "tiles"), EXPRESSIONS))
