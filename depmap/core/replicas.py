"""Where reads go: the primary and its read replicas, each with the data version it serves.

Writes (custom areas, loads) go to the primary (``DATABASE_URL``). Reads go to the read
replicas (``DEPMAP_READ_DATABASE_URLS``, PostgreSQL streaming replicas of the primary),
to the primary when no replica can answer, or to the primary when they must see a write
just made (:meth:`Databases.read` with ``primary=True``).

An answer never mixes two data versions: :meth:`Databases.read` runs a query function in
one ``REPEATABLE READ`` transaction, whose first statement reads the data
version, so every statement of the answer sees the data of that version and the answer is
cached under it. A replica that lags behind a load keeps serving its older version, whole,
until it has replayed the load.

Each database's version and health are re-read in the background
(:meth:`Databases.start`); a database that fails a read is marked down at once, the read
is tried on the next one, and the background check (or, without it, a read after
``DEPMAP_DB_REPLICA_RETRY_S``) tries it again. Reads prefer the replicas at the newest
version among those up, so that one process does not move back and forth between two
versions while a replica catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from depmap.core.db import DatabaseNotReady, make_async_engine
from depmap.core.errors import DatabaseUnavailable
from depmap.core.settings import DatabaseSettings

log = logging.getLogger("depmap.db")

T = TypeVar("T")

_VERSION = text("SELECT value::bigint FROM depmap_meta WHERE key = 'data_version'")
_SCHEMA = text("SELECT to_regclass('depmap_meta') IS NOT NULL")
#: Where :meth:`Databases.read` puts the version of the snapshot (``conn.info``).
_INFO_KEY = "depmap_data_version"
#: SQLSTATEs that mean the server is going away or not accepting work yet.
_GONE = {"57P01", "57P02", "57P03"}  # admin_shutdown, crash_shutdown, cannot_connect_now


@dataclass(eq=False)
class Backend:
    """One database server: its engine, the data version last seen there, its health."""

    name: str
    engine: AsyncEngine
    primary: bool
    version: int | None = None
    up: bool = False
    checked: bool = False
    retry_at: float = 0.0
    last_error: str | None = None
    reads: int = 0

    @property
    def where(self) -> str:
        """Host, port and database (for logs; never the password)."""
        u = self.engine.url
        return f"{u.host}:{u.port or 5432}/{u.database}"

    def state(self) -> dict[str, Any]:
        """What ``/healthz`` says about it (no host names: the route is public)."""
        return {
            "name": self.name,
            "role": "primary" if self.primary else "replica",
            "state": "up" if self.up else "down",
            "data_version": self.version,
            "reads": self.reads,
            **({"error": self.last_error} if not self.up and self.last_error else {}),
        }


def failure(e: BaseException) -> str | None:
    """How a database error concerns the server: ``"down"`` (it cannot be reached or is
    going away: try another), ``"conflict"`` (a replica cancelled the query to replay WAL:
    try another) or None (the query's own failure, such as a statement timeout)."""
    if not isinstance(e, DBAPIError):
        return None
    if e.connection_invalidated:
        return "down"
    state = getattr(e.orig, "sqlstate", None)
    if state is None:
        # connecting failed (refused, timed out, unknown host): no SQLSTATE
        return "down" if isinstance(e, OperationalError | InterfaceError) else None
    if state.startswith("08") or state in _GONE:
        return "down"
    if state == "40001" and "recovery" in str(e.orig):
        return "conflict"
    return None


def snapshot_version(conn: AsyncConnection) -> int:
    """The data version the snapshot of ``conn`` sees (inside :meth:`Databases.read`)."""
    v = conn.info.get(_INFO_KEY)
    if v is None:
        raise RuntimeError("snapshot_version() outside Databases.read()")
    return int(v)


class Databases:
    """The primary and the read replicas; reads routed, versions tracked."""

    def __init__(
        self,
        primary: AsyncEngine,
        replicas: Sequence[AsyncEngine] = (),
        *,
        interval_s: float = 1.0,
        retry_s: float = 1.0,
    ) -> None:
        self.primary = Backend("primary", primary, True)
        self.replicas = [Backend(f"replica {i}", e, False) for i, e in enumerate(replicas, 1)]
        self.interval_s = interval_s
        self.retry_s = retry_s
        #: the data version reads are served at now (the last one while nothing answers)
        self.value: int | None = None
        self._listeners: list[Callable[[int], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._turn = itertools.count()

    @classmethod
    def from_settings(cls, s: DatabaseSettings, interval_s: float = 1.0) -> Databases:
        return cls(
            make_async_engine(s),
            [make_async_engine(s, u) for u in s.sqlalchemy_read_urls],
            interval_s=interval_s,
            retry_s=s.replica_retry_s,
        )

    @property
    def backends(self) -> list[Backend]:
        return [self.primary, *self.replicas]

    @property
    def db_ok(self) -> bool:
        """Some database answers."""
        return any(b.up for b in self.backends)

    def on_change(self, fn: Callable[[int], None]) -> None:
        """Call ``fn(version)`` when reads move to another data version (caches keyed on
        older versions can drop them)."""
        self._listeners.append(fn)

    # --- routing ----------------------------------------------------------------
    def _order(self, primary: bool) -> list[Backend]:
        if primary:
            return [self.primary]
        up = [b for b in self.replicas if b.up and b.version is not None]
        order: list[Backend] = []
        if up:
            newest = max(b.version or 0 for b in up)
            best = [b for b in up if b.version == newest]
            k = next(self._turn) % len(best)
            order = best[k:] + best[:k]
        return [*order, self.primary]

    def readers(self, primary: bool = False) -> list[Backend]:
        """The databases a read tries, in order: replicas at the newest version (in turn),
        then the primary; only those up, or, when none is, those whose wait is over."""
        order = self._order(primary)
        ok = [b for b in order if b.up]
        if ok:
            return ok
        now = time.monotonic()
        return [b for b in order if now >= b.retry_at]

    def version_for(self, primary: bool = False) -> int | None:
        """The data version a read would be served at now (cache look-ups use it)."""
        for b in self._order(primary):
            if b.up:
                return b.version
        return self.value

    async def read(
        self, fn: Callable[[AsyncConnection], Awaitable[T]], *, primary: bool = False
    ) -> tuple[int, T]:
        """``fn(conn)`` in a REPEATABLE READ transaction on a reader, and the data
        version that transaction sees (also :func:`snapshot_version`). A database that
        cannot be reached is marked down and the next one tried; when none is left,
        :class:`DatabaseUnavailable` (503)."""
        last: BaseException | None = None
        for b in self.readers(primary):
            try:
                return await self._read_on(b, fn)
            except DBAPIError as e:
                why = failure(e)
                if why is None:
                    raise
                if why == "down":
                    self._down(b, e)
                last = e
        raise DatabaseUnavailable(
            "the database is unavailable; try again in a few seconds"
        ) from last

    async def _read_on(
        self, b: Backend, fn: Callable[[AsyncConnection], Awaitable[T]]
    ) -> tuple[int, T]:
        async with b.engine.connect() as conn:
            # the isolation level is set by the driver with the BEGIN (no round trip); not
            # READ ONLY: the pool would reset it to READ WRITE, which a standby refuses
            await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                try:
                    v = (await conn.execute(_VERSION)).scalar()
                except DBAPIError as e:
                    if getattr(e.orig, "sqlstate", None) == "42P01":  # undefined_table
                        raise DatabaseNotReady(
                            "the database has no depmap schema: run `depmap db init`"
                        ) from e
                    raise
                version = int(v or 0)
                self._seen(b, version)
                conn.info[_INFO_KEY] = version
                try:
                    out = await fn(conn)
                finally:
                    # a connection the server dropped mid-answer is invalidated, and
                    # reading its info would raise PendingRollbackError over the
                    # OperationalError that tells read() to try another database
                    with contextlib.suppress(PendingRollbackError):
                        conn.info.pop(_INFO_KEY, None)
        b.reads += 1
        return version, out

    # --- state --------------------------------------------------------------------
    def _seen(self, b: Backend, version: int | None) -> None:
        if not b.up and b.checked:
            log.info("database reachable again", extra={"database": b.name, "at": b.where})
        b.up, b.checked, b.last_error = True, True, None
        if version != b.version:
            b.version = version
        self._update()

    def _down(self, b: Backend, e: BaseException) -> None:
        if b.up or not b.checked:
            log.warning(
                "database unreachable",
                extra={
                    "database": b.name,
                    "at": b.where,
                    "error": type(e).__name__,
                    "detail": str(e)[:300],
                },
            )
        b.up, b.checked, b.last_error = False, True, type(e).__name__
        b.retry_at = time.monotonic() + self.retry_s
        self._update()

    def _update(self) -> None:
        """Recompute the version reads are served at; tell the listeners if it moved."""
        new = next((b.version for b in self._order(False) if b.up), self.value)
        if new == self.value:
            return
        old, self.value = self.value, new
        if old is not None and new is not None:
            log.info("data version changed", extra={"old": old, "new": new})
        for fn in self._listeners:
            fn(new or 0)

    async def _probe(self, b: Backend) -> None:
        try:
            async with b.engine.connect() as conn:
                v = None
                if (await conn.execute(_SCHEMA)).scalar():
                    v = (await conn.execute(_VERSION)).scalar()
        except Exception as e:  # down: keep its last version, try again next time
            self._down(b, e)
            return
        self._seen(b, int(v) if v is not None else None)

    async def refresh(self) -> int | None:
        """Re-read every database's version and health (at once); the version served."""
        await asyncio.gather(*(self._probe(b) for b in self.backends))
        return self.value

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.refresh()

    def start(self) -> None:
        if self.interval_s > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="data-version")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def dispose(self) -> None:
        for b in self.backends:
            await b.engine.dispose()
