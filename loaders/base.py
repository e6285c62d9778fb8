"""What every loader shares: the load context, errors, locking and bulk copy."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from depmap.core.db import LOAD_LOCK_KEY
from depmap.core.errors import LoadError
from depmap.core.schema import SRID

log = logging.getLogger("depmap.load")


class LoadBusy(RuntimeError):
    """Another load holds the load lock."""


class Progress(Protocol):
    def start(self, label: str, total: float | None = None) -> None: ...
    def advance(self, n: float = 1) -> None: ...
    def done(self) -> None: ...


class NullProgress:
    """Progress that shows nothing (tests, API)."""

    def start(self, label: str, total: float | None = None) -> None:
        log.debug("step", extra={"step": label})

    def advance(self, n: float = 1) -> None:
        pass

    def done(self) -> None:
        pass


@dataclass
class PartResult:
    """What a part loaded, for the closing table and ``load_run.counts``."""

    part: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Part:
    """A part of ``depmap load``: what it loads, and the files it reads.

    ``needs`` are keys of :data:`sources.layout.SOURCES` (the files under the data
    folder); ``load all`` skips an ``optional`` part whose files are missing and
    says so. Parts run in the order :data:`loaders.pipeline.PARTS` lists them.
    """

    name: str
    run: Callable[[LoadContext], PartResult]
    needs: tuple[str, ...]
    doc: str
    optional: bool = False

    def missing(self, folder: Path) -> list[str]:
        """The files this part needs that ``folder`` lacks (any candidate will do)."""
        from sources.layout import SOURCES

        return [SOURCES[k].path for k in self.needs if not SOURCES[k].present(folder)]


@dataclass
class LoadContext:
    """One load: a connection inside one transaction, the data folder and a progress sink."""

    conn: Connection
    data_dir: Path
    progress: Progress = field(default_factory=NullProgress)
    results: list[PartResult] = field(default_factory=list)
    #: check national counts (33,755 LSOA21s ...); off for extracts and test data
    expect_england: bool = True
    #: set by parts that change LSOA geometry (derived steps rebuild adjacency then)
    geometry_changed: bool = False
    _lsoa_ids: dict[str, int] | None = None
    _lsoa_frame: gpd.GeoDataFrame | None = None

    def expected(self, kind: str) -> int | None:
        """The national count of ``kind`` to check against, or None for extracts."""
        from sources.layout import EXPECTED_COUNTS

        return EXPECTED_COUNTS.get(kind) if self.expect_england else None

    def path(self, rel: str) -> Path:
        p = self.data_dir / rel
        if not p.exists():
            raise LoadError(f"missing file {p} (expected under the data folder {self.data_dir})")
        return p

    def lsoa_ids(self, refresh: bool = False) -> dict[str, int]:
        """LSOA21 code -> area.id for the LSOAs loaded so far in this transaction."""
        if self._lsoa_ids is None or refresh:
            rows = self.conn.execute(text("SELECT code, id FROM area WHERE kind = 'lsoa21'"))
            self._lsoa_ids = {c: int(i) for c, i in rows}
        return self._lsoa_ids

    def set_lsoa_frame(self, gdf: gpd.GeoDataFrame) -> None:
        self._lsoa_frame = gdf[["code", "id", "geometry"]].reset_index(drop=True)
        self._lsoa_ids = dict(zip(gdf["code"], gdf["id"].astype(int), strict=True))

    def lsoa_frame(self) -> gpd.GeoDataFrame:
        """LSOA21 ``code, id, geometry`` (EPSG:27700), as loaded in this transaction."""
        if self._lsoa_frame is None:
            rows = self.conn.execute(
                text(
                    "SELECT code, id, ST_AsBinary(geom) FROM area "
                    "WHERE kind = 'lsoa21' ORDER BY code"
                )
            ).all()
            if not rows:
                raise LoadError(
                    "no LSOA21 boundaries are loaded: run `depmap load boundaries` first"
                )
            codes, ids, wkb = zip(*rows, strict=True)
            self._lsoa_frame = gpd.GeoDataFrame(
                {"code": list(codes), "id": np.asarray(ids, dtype=np.int64)},
                geometry=shapely.from_wkb([bytes(b) for b in wkb]),
                crs=SRID,
            )
        return self._lsoa_frame

    def lsoa_population(self) -> pd.Series | None:
        """Census 2021 residents by LSOA21 area id, if loaded (in this transaction or before)."""
        rows = self.conn.execute(
            text(
                "SELECT v.lsoa_id, v.value FROM indicator_value v JOIN indicator i "
                "ON i.id = v.indicator_id AND i.code = 'census2021.residents'"
            )
        ).all()
        if not rows:
            return None
        ids, vals = zip(*rows, strict=True)
        return pd.Series(np.asarray(vals, dtype=float), index=np.asarray(ids, dtype=np.int64))

    def require_lsoas(self) -> dict[str, int]:
        ids = self.lsoa_ids()
        if not ids:
            raise LoadError("no LSOA21 boundaries are loaded: run `depmap load boundaries` first")
        return ids


def acquire_load_lock(conn: Connection, wait: bool = False) -> None:
    """Take the transaction-scoped load lock, or raise :class:`LoadBusy`.

    The lock is released when the transaction ends (commit, rollback or a lost
    connection), so a killed load never leaves it held.
    """
    if wait:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOAD_LOCK_KEY})
        return
    got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOAD_LOCK_KEY}).scalar()
    if not got:
        holder = conn.execute(
            text(
                "SELECT a.pid, a.application_name, a.query_start FROM pg_locks l "
                "JOIN pg_stat_activity a USING (pid) "
                "WHERE l.locktype = 'advisory' AND l.objid = (:k)::bigint % 4294967296 "
                "AND l.granted LIMIT 1"
            ),
            {"k": LOAD_LOCK_KEY},
        ).first()
        who = f" (server pid {holder[0]}, started {holder[2]:%H:%M:%S})" if holder else ""
        raise LoadBusy(f"another load is running{who}; wait for it or pass --wait")


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> int:
    """COPY a DataFrame whose columns are named as the table's (CSV; empty = NULL)."""
    if frame.empty:
        return 0
    data = frame.to_csv(index=False, header=False, na_rep="").encode()
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(frame.columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as cp:
        step = 1 << 20
        for i in range(0, len(data), step):
            cp.write(data[i : i + step])
    return len(frame)


def temp_table(conn: Connection, name: str, ddl: str) -> None:
    """A scratch table dropped at commit (names and DDL come from code)."""
    conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    conn.execute(text(f"CREATE TEMP TABLE {name} ({ddl}) ON COMMIT DROP"))


@contextmanager
def timed(result: PartResult) -> Iterator[PartResult]:
    t0 = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - t0


_PG_BINARY_TYPES: dict[str, tuple[str, int]] = {
    "int2": (">i2", 2),
    "int4": (">i4", 4),
    "int8": (">i8", 8),
    "float8": (">f8", 8),
}


def copy_binary(conn: Connection, table: str, columns: dict[str, tuple[str, np.ndarray]]) -> int:
    """COPY fixed-width columns without NULLs in PostgreSQL's binary format.

    ``columns`` maps a column name to (PostgreSQL type, values); the types are
    ``int2``, ``int4``, ``int8``, ``float8``, or ``text`` for byte strings that all
    have the same length (a constant such as an area kind). Much faster than text
    COPY for millions of rows: numpy lays the rows out, nothing is formatted.
    """
    names = list(columns)
    n = len(next(iter(columns.values()))[1]) if columns else 0
    if n == 0:
        return 0
    fields: list[tuple[str, str]] = [("nfields", ">i2")]
    sizes: dict[str, tuple[str, int]] = {}
    for c in names:
        pgtype, values = columns[c]
        if pgtype == "text":
            v = np.asarray(values, dtype=bytes)
            width = v.dtype.itemsize
            if len(v) and (np.char.str_len(v) != width).any():
                raise ValueError(f"copy_binary: text column {c} must have equal-length values")
            sizes[c] = (f"S{width}", width)
        else:
            sizes[c] = _PG_BINARY_TYPES[pgtype]
        fields += [(f"len_{c}", ">i4"), (f"val_{c}", sizes[c][0])]
    rec = np.empty(n, dtype=np.dtype(fields))
    rec["nfields"] = len(names)
    for c in names:
        pgtype, values = columns[c]
        v = np.asarray(values)
        if v.dtype.kind == "f" and np.isnan(v).any():
            raise ValueError(f"copy_binary: column {c} has missing values")
        rec[f"len_{c}"] = sizes[c][1]
        rec[f"val_{c}"] = v.astype(bytes) if pgtype == "text" else v
    payload = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    payload += rec.tobytes() + (-1).to_bytes(2, "big", signed=True)
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(names)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT binary)") as cp:
        step = 1 << 22
        for i in range(0, len(payload), step):
            cp.write(payload[i : i + step])
    return n
