"""Derived tables, rebuilt at the end of every load in the same transaction.

* populations of areas from their LSOA weights (Census 2021 residents);
* ``lsoa_stats``: the indicators the service aggregates, one wide row per LSOA21;
* ``lsoa_series``: the series over time (IoD editions, censuses), one wide row per LSOA21;
* ``lsoa_adjacency``: which LSOA21s touch (for hotspots), when geometry changed;
* ``area_measure`` and ``area_profile``: the IoD summary measures and health
  profile of every area, with ranks among the areas of the same kind.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from depmap.core.vocab import (
    CENSUS_TABLES,
    LSOA_STAT_COLUMNS,
    LSOA_STATS,
    NATIONAL_LSOA21,
    RANKED_KINDS,
)
from geo.measures import MEASURE_COLUMNS, rank_within
from geo.series import england_values, lsoa_series, rank_input
from geo.summary import compute_summaries
from loaders.base import LoadContext, PartResult, copy_frame, timed
from tiles import build as tiles

#: lsoa_stats column -> (indicator code, field of indicator_value)
STAT_SOURCES: dict[str, tuple[str, str]] = {c: (s.source, s.field) for c, s in LSOA_STATS.items()}


def refresh_populations(conn: Connection) -> None:
    """LSOA populations from Census 2021, then every area's from its weights.

    PCN weights from registrations carry their own populations (patients) and
    are left alone.
    """
    conn.execute(
        text(
            """
            UPDATE area a SET population = coalesce(v.value, 0)
            FROM area l
            LEFT JOIN (indicator_value v JOIN indicator i
                       ON i.id = v.indicator_id AND i.code = 'census2021.residents')
              ON v.lsoa_id = l.id
            WHERE a.id = l.id AND a.kind = 'lsoa21'
              AND a.population IS DISTINCT FROM coalesce(v.value, 0)
            """
        )
    )
    conn.execute(
        text(
            """
            UPDATE area_lsoa w SET population = w.pop_share * l.population
            FROM area l, area a
            WHERE l.id = w.lsoa_id AND a.id = w.area_id
              AND a.weight_basis IN ('lsoa', 'area')
              AND w.population IS DISTINCT FROM w.pop_share * l.population
            """
        )
    )
    conn.execute(
        text(
            """
            UPDATE area a SET population = s.p
            FROM (SELECT area_id, sum(population ORDER BY lsoa_id) AS p
                  FROM area_lsoa GROUP BY area_id) s
            WHERE a.id = s.area_id AND a.kind <> 'lsoa21'
              AND a.population IS DISTINCT FROM s.p
            """
        )
    )


def rebuild_lsoa_stats(conn: Connection) -> int:
    """Widen the indicators the service aggregates into ``lsoa_stats``."""
    codes = sorted({c for c, _ in STAT_SOURCES.values()} | {"cni2023.left_behind"})
    ids: dict[str, int] = dict(
        conn.execute(
            text("SELECT code, id FROM indicator WHERE code = ANY(:c)"), {"c": codes}
        ).all()
    )
    selects = []
    for col in LSOA_STAT_COLUMNS:  # column names and fields come from code, not input
        code, fld = STAT_SOURCES[col]
        if code in ids:
            selects.append(
                f"max(v.{fld}) FILTER (WHERE v.indicator_id = {int(ids[code])}) AS {col}"
            )
        else:
            selects.append(f"NULL::float8 AS {col}")
    lb = ids.get("cni2023.left_behind")
    left_behind = (
        f"bool_or(v.value > 0) FILTER (WHERE v.indicator_id = {int(lb)})" if lb else "NULL::boolean"
    )
    conn.execute(text("DELETE FROM lsoa_stats"))
    sql = (
        f"INSERT INTO lsoa_stats (lsoa_id, code, population, left_behind, "
        f"{', '.join(LSOA_STAT_COLUMNS)}) "
        f"SELECT a.id, a.code, a.population, {left_behind}, {', '.join(selects)} "
        f"FROM area a LEFT JOIN indicator_value v ON v.lsoa_id = a.id "
        f"AND v.indicator_id = ANY(:ids) WHERE a.kind = 'lsoa21' GROUP BY a.id"
    )
    r = conn.execute(text(sql), {"ids": [int(i) for i in ids.values()]})
    return int(r.rowcount or 0)


#: What ``lsoa_series`` is made from: input name (geo.series.lsoa_series) -> (indicator
#: code, field of indicator_value).
SERIES_INPUTS: dict[str, tuple[str, str]] = {
    rank_input(2015, "rank"): ("imd2015.imd", "rank"),
    "imd2015_score": ("imd2015.imd", "value"),
    rank_input(2019, "rank"): ("imd2019.imd", "rank"),
    rank_input(2025, "rank"): ("imd2025.imd", "rank"),
    rank_input(2025, "decile"): ("imd2025.imd", "decile"),
    **{
        t.indicator(y, c): (t.indicator(y, c), "value")
        for t in CENSUS_TABLES.values()
        for y in t.tables
        for c in (*t.categories, t.total)
    },
}


def rebuild_lsoa_series(conn: Connection) -> int:
    """Each series' parts per year, and the baseline covariates, per LSOA21
    (``lsoa_series``; columns of series whose indicators are not loaded stay NULL)."""
    codes = sorted({c for c, _ in SERIES_INPUTS.values()})
    ids: dict[str, int] = dict(
        conn.execute(
            text("SELECT code, id FROM indicator WHERE code = ANY(:c)"), {"c": codes}
        ).all()
    )
    conn.execute(text("DELETE FROM lsoa_series"))
    present = {k: v for k, v in SERIES_INPUTS.items() if v[0] in ids}
    # names and fields come from code, not input
    selects = [
        f"max(v.{fld}) FILTER (WHERE v.indicator_id = {int(ids[code])})"
        for code, fld in present.values()
    ]
    rows = conn.execute(
        text(
            f"SELECT s.lsoa_id, s.population{''.join(', ' + x for x in selects)} "
            "FROM lsoa_stats s LEFT JOIN indicator_value v ON v.lsoa_id = s.lsoa_id "
            "AND v.indicator_id = ANY(:ids) GROUP BY s.lsoa_id ORDER BY s.lsoa_id"
        ),
        {"ids": [int(ids[c]) for c, _ in present.values()]},
    ).all()
    inputs = pd.DataFrame(
        [tuple(r) for r in rows], columns=["lsoa_id", "population", *present]
    ).set_index("lsoa_id")
    frame = lsoa_series(inputs.astype(float))
    conn.execute(text("DELETE FROM series_england"))
    eng = england_values(frame.join(inputs[["population"]].astype(float)))
    copy_frame(
        conn,
        "series_england",
        eng.reset_index()[["series", "year", "value", "numerator", "denominator"]],
    )
    return copy_frame(conn, "lsoa_series", frame.reset_index())


def rebuild_adjacency(conn: Connection, lsoa: pd.DataFrame) -> int:
    """Queen contiguity of LSOA21s (polygons that touch or overlap), both directions."""
    geoms = lsoa.geometry.values
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a != b
    ids = lsoa["id"].to_numpy(dtype=np.int64)
    pairs = pd.DataFrame({"lsoa_id": ids[a[keep]], "neighbour_id": ids[b[keep]]})
    conn.execute(text("DELETE FROM lsoa_adjacency"))
    return copy_frame(conn, "lsoa_adjacency", pairs.drop_duplicates())


def read_lsoa_stats(conn: Connection) -> pd.DataFrame:
    cols = ", ".join(("lsoa_id", "population", *LSOA_STAT_COLUMNS))
    rows = conn.execute(text(f"SELECT {cols} FROM lsoa_stats ORDER BY lsoa_id")).all()
    df = pd.DataFrame(
        [tuple(r) for r in rows], columns=["lsoa_id", "population", *LSOA_STAT_COLUMNS]
    )
    return df.set_index("lsoa_id").astype(float)


def read_weights(conn: Connection, area_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Weights of the given areas, or of every area (the measures of every area are
    stored: LSOAs' too, so that a first answer is a read)."""
    if area_ids is None:
        rows = conn.execute(
            text(
                "SELECT area_id, lsoa_id, pop_share, population FROM area_lsoa "
                "ORDER BY area_id, lsoa_id"
            )
        ).all()
    else:
        rows = conn.execute(
            text(
                "SELECT area_id, lsoa_id, pop_share, population FROM area_lsoa "
                "WHERE area_id = ANY(:ids) ORDER BY area_id, lsoa_id"
            ),
            {"ids": [int(i) for i in area_ids]},
        ).all()
    # plain tuples: a frame built from SQLAlchemy rows is ten times slower
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["area_id", "lsoa_id", "pop_share", "population"]
    )


def write_summaries(
    conn: Connection,
    measures: pd.DataFrame,
    ranks: pd.DataFrame | None,
    profiles: pd.DataFrame,
    area_ids: Iterable[int] | None = None,
) -> int:
    """Replace ``area_measure`` / ``area_profile`` rows (all, or of the given areas)."""
    if area_ids is None:
        conn.execute(text("DELETE FROM area_measure"))
        conn.execute(text("DELETE FROM area_profile"))
    else:
        ids = [int(i) for i in area_ids]
        conn.execute(text("DELETE FROM area_measure WHERE area_id = ANY(:ids)"), {"ids": ids})
        conn.execute(text("DELETE FROM area_profile WHERE area_id = ANY(:ids)"), {"ids": ids})
    m = measures.copy()
    if ranks is not None:
        m = m.join(ranks, how="left")
    m = m.reset_index()
    m["decile_population"] = [
        "{" + ",".join(f"{x:.6f}" for x in v) + "}" for v in m["decile_population"]
    ]
    cols = ["area_id", "domain", *MEASURE_COLUMNS, "decile_population"]
    cols += [c for c in m.columns if c.startswith("rank_")]
    n = copy_frame(conn, "area_measure", m[cols])
    p = profiles.reset_index()
    copy_frame(conn, "area_profile", p[["area_id", "population", "lsoa_count", "health"]])
    return n


def rebuild_summaries(conn: Connection) -> int:
    """Measures and profiles of every area, ranked within its kind."""
    stats = read_lsoa_stats(conn)
    if stats.empty or stats["imd_rank"].isna().all():
        conn.execute(text("DELETE FROM area_measure"))
        conn.execute(text("DELETE FROM area_profile"))
        return 0
    weights = read_weights(conn)
    kinds = pd.Series(dict(conn.execute(text("SELECT id, kind FROM area")).all()))
    measures, profiles = compute_summaries(weights, stats, n_lsoa=NATIONAL_LSOA21)
    ranked = kinds[kinds.isin(RANKED_KINDS)]
    ranks = rank_within(measures[measures.index.get_level_values(0).isin(ranked.index)], ranked)
    return write_summaries(conn, measures, ranks, profiles)


def run(ctx: LoadContext) -> PartResult:
    res = PartResult("derived")
    with timed(res):
        ctx.progress.start(
            "derived tables: populations, LSOA stats, adjacency, measures, tiles", total=5
        )
        refresh_populations(ctx.conn)
        ctx.progress.advance()
        res.counts["lsoa_stats"] = rebuild_lsoa_stats(ctx.conn)
        res.counts["lsoa_series"] = rebuild_lsoa_series(ctx.conn)
        ctx.progress.advance()
        has_adj = ctx.conn.execute(text("SELECT EXISTS (SELECT 1 FROM lsoa_adjacency)")).scalar()
        if ctx.geometry_changed or not has_adj:
            res.counts["adjacent pairs"] = rebuild_adjacency(ctx.conn, ctx.lsoa_frame())
        ctx.progress.advance()
        res.counts["area measures"] = rebuild_summaries(ctx.conn)
        ctx.progress.advance()
        res.counts.update(tiles.rebuild(ctx.conn))  # tile tables (issue 4)
        ctx.progress.advance()
        ctx.progress.done()
    return res
