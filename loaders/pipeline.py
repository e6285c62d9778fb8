"""Running loads: parts in order, in one transaction, then the derived tables.

A load either commits everything or nothing: it runs in one transaction under a
transaction-scoped advisory lock, so a load that fails or is killed half-way
leaves the previous data as it was (and readers see the previous data until the
commit), and two loads never interleave.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from depmap.core.db import bump_data_version, init_db, orphan_counts, schema_current
from depmap.core.errors import LoadError
from loaders import (
    boundaries,
    cni,
    derive,
    footprints,
    health,
    imd,
    left_behind,
    lsoa11,
    population,
    series,
)
from loaders.base import (
    LoadContext,
    NullProgress,
    Part,
    PartResult,
    Progress,
    acquire_load_lock,
)
from loaders.pcn import derived as pcn
from loaders.pcn import supplied as pcn_footprints

log = logging.getLogger("depmap.load")

#: Every part, in the order ``load all`` runs them (each declares the files it reads).
PARTS: dict[str, Part] = {
    p.name: p
    for p in (
        boundaries.PART,
        population.PART,
        footprints.PART,
        lsoa11.PART,
        imd.PART,
        series.PART,
        health.PART,
        cni.PART,
        pcn.PART,
        pcn_footprints.PART,
        left_behind.PART,
    )
}


@dataclass
class LoadReport:
    data_version: int
    results: list[PartResult]
    counts_by_kind: dict[str, int]
    indicators: int
    seconds: float


def order_parts(parts: Sequence[str]) -> list[str]:
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise LoadError(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    return [p for p in PARTS if p in parts]


def verify(conn: Connection) -> None:
    """Invariants every committed load keeps; a violation rolls the load back."""
    row = conn.execute(
        text(
            """
            SELECT count(*) AS n,
                   count(*) FILTER (WHERE s.imd_score IS NULL OR s.imd_rank IS NULL
                                    OR s.imd_decile IS NULL) AS no_imd,
                   count(*) FILTER (WHERE a.population <= 0) AS no_pop
            FROM area a LEFT JOIN lsoa_stats s ON s.lsoa_id = a.id
            WHERE a.kind = 'lsoa21'
            """
        )
    ).one()
    has_imd = conn.execute(
        text("SELECT EXISTS (SELECT 1 FROM indicator WHERE code = 'imd2025.imd')")
    ).scalar()
    has_pop = conn.execute(
        text("SELECT EXISTS (SELECT 1 FROM indicator WHERE code = 'census2021.residents')")
    ).scalar()
    if has_imd and row.no_imd:
        raise LoadError(f"{row.no_imd} LSOA21s lack an IMD 2025 score, rank or decile")
    if has_pop and row.no_pop:
        raise LoadError(f"{row.no_pop} LSOA21s have no population")
    orphans = {k: v for k, v in orphan_counts(conn).items() if v}
    if orphans:  # a bug, not bad input: the loaders keep these consistent
        raise LoadError(f"rows left without their area: {orphans}")


def counts_by_kind(conn: Connection) -> dict[str, int]:
    return {
        k: int(n)
        for k, n in conn.execute(
            text("SELECT kind, count(*) FROM area GROUP BY kind ORDER BY kind")
        )
    }


def run_load(
    engine: Engine,
    data_dir: Path,
    parts: Sequence[str],
    *,
    progress: Progress | None = None,
    wait: bool = False,
    extra: Callable[[LoadContext], None] | None = None,
    expect_england: bool = True,
) -> LoadReport:
    """Load ``parts`` from ``data_dir`` in one transaction and rebuild what derives from them.

    ``extra`` runs inside the transaction after the parts (programme loads use it).
    """
    started = dt.datetime.now(dt.UTC)
    names = order_parts(parts)
    if not data_dir.is_dir() and names:
        raise LoadError(f"the data folder {data_dir} does not exist (set DEPMAP_DATA_DIR)")
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        conn.execute(text("SET LOCAL application_name = 'depmap-load'"))
        # if this process dies, the server notices within a second and rolls back
        conn.execute(text("SET LOCAL client_connection_check_interval = '1s'"))
        acquire_load_lock(conn, wait=wait)
        if not schema_current(conn):
            init_db(conn)
        ctx = LoadContext(
            conn=conn,
            data_dir=data_dir,
            progress=progress or NullProgress(),
            expect_england=expect_england,
        )
        for name in names:
            log.info("load part", extra={"part": name})
            ctx.results.append(PARTS[name].run(ctx))
        if extra is not None:
            extra(ctx)
        ctx.results.append(derive.run(ctx))
        verify(conn)
        version = bump_data_version(conn)
        by_kind = counts_by_kind(conn)
        n_ind = int(conn.execute(text("SELECT count(*) FROM indicator")).scalar() or 0)
        conn.execute(
            text(
                "INSERT INTO load_run (parts, started_at, counts, report) "
                "VALUES (:p, :s, CAST(:c AS jsonb), CAST(:r AS jsonb))"
            ),
            {
                "p": list(names),
                "s": started,
                "c": json.dumps(by_kind),
                "r": json.dumps(
                    [
                        {
                            "part": r.part,
                            "counts": r.counts,
                            "notes": r.notes,
                            "seconds": round(r.seconds, 2),
                        }
                        for r in ctx.results
                    ]
                ),
            },
        )
    secs = (dt.datetime.now(dt.UTC) - started).total_seconds()
    log.info("load committed", extra={"parts": names, "data_version": version, "seconds": secs})
    return LoadReport(version, ctx.results, by_kind, n_ind, secs)


def parts_present(data_dir: Path, parts: Sequence[str] | None = None) -> list[str]:
    """The parts ``load all`` runs from ``data_dir``: every part (or those named) but the
    optional ones whose files are missing, which are skipped with a warning."""
    keep = []
    for name in parts if parts is not None else PARTS:
        part = PARTS[name]
        missing = part.missing(data_dir)
        if part.optional and missing:
            log.warning("skipping part: its files are missing", extra={"part": name})
        else:
            keep.append(name)
    return keep
