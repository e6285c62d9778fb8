"""Caches keyed on the data version.

The data only changes when a load commits, and every load bumps
``depmap_meta.data_version``. A background task re-reads it every
``DEPMAP_VERSION_CHECK_INTERVAL_S``; answers are cached under the version they
were computed for, so a reload makes every older entry unreachable (and they
are dropped as the new version fills the cache).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("depmap.api")

K = TypeVar("K")
V = TypeVar("V")


class DataVersion:
    """The current data version, refreshed in the background."""

    def __init__(self, engine: AsyncEngine, interval_s: float) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.value: int | None = None
        self.db_ok = False
        self.last_error: str | None = None
        self.checked_at = 0.0
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[int], None]] = []

    def on_change(self, fn: Callable[[int], None]) -> None:
        self._listeners.append(fn)

    async def refresh(self) -> int | None:
        try:
            async with self.engine.connect() as conn:
                exists = (await conn.execute(text("SELECT to_regclass('depmap_meta')"))).scalar()
                v = None
                if exists:
                    v = (
                        await conn.execute(
                            text("SELECT value::bigint FROM depmap_meta WHERE key = 'data_version'")
                        )
                    ).scalar()
        except Exception as e:  # the database may be down: keep the last version
            if self.db_ok or self.checked_at == 0.0:
                log.warning(
                    "database unreachable",
                    extra={"error": type(e).__name__, "detail": str(e)[:300]},
                )
            self.db_ok = False
            self.last_error = type(e).__name__
            return self.value
        self.db_ok = True
        self.last_error = None
        self.checked_at = time.monotonic()
        new = int(v) if v is not None else None
        if new != self.value:
            old, self.value = self.value, new
            if old is not None and new is not None:
                log.info("data version changed", extra={"old": old, "new": new})
            for fn in self._listeners:
                fn(new or 0)
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


#: gzip level of answers: made on the request path of every first answer, so a fast level
#: (on JSON, level 3 is about twice as fast as 5 for ~10% more bytes)
GZIP_LEVEL = 3


@dataclass(frozen=True)
class Entry:
    """A rendered answer, with its gzip form made once (not on every request)."""

    body: bytes
    media_type: str
    etag: str
    headers: tuple[tuple[str, str], ...] = ()
    gzipped: bytes | None = None

    @classmethod
    def make(cls, body: bytes, media_type: str, headers: tuple[tuple[str, str], ...] = ()) -> Entry:
        gz = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0) if len(body) >= 1024 else None
        if gz is not None and len(gz) >= len(body):
            gz = None
        return cls(
            body=body, media_type=media_type, etag=etag_for(body), headers=headers, gzipped=gz
        )


class ResponseCache:
    """A bounded LRU of rendered answers (entries and bytes both bounded)."""

    def __init__(self, max_entries: int, max_bytes: int = 256 << 20) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._d: OrderedDict[tuple[object, ...], Entry] = OrderedDict()
        self._bytes = 0
        self._inflight: dict[tuple[object, ...], asyncio.Future[Entry]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[object, ...]) -> Entry | None:
        e = self._d.get(key)
        if e is not None:
            self._d.move_to_end(key)
            self.hits += 1
        return e

    @staticmethod
    def _size(e: Entry) -> int:
        return len(e.body) + (len(e.gzipped) if e.gzipped else 0)

    def put(self, key: tuple[object, ...], e: Entry) -> None:
        if self.max_entries <= 0 or self._size(e) > self.max_bytes // 4:
            return
        old = self._d.pop(key, None)
        if old is not None:
            self._bytes -= self._size(old)
        self._d[key] = e
        self._bytes += self._size(e)
        while len(self._d) > self.max_entries or self._bytes > self.max_bytes:
            _, dropped = self._d.popitem(last=False)
            self._bytes -= self._size(dropped)

    def clear(self) -> None:
        self._d.clear()
        self._bytes = 0

    async def get_or_compute(
        self, key: tuple[object, ...], compute: Callable[[], Awaitable[Entry]]
    ) -> Entry:
        """The cached entry, or compute it once even if many requests ask at the same time."""
        e = self.get(key)
        if e is not None:
            return e
        fut = self._inflight.get(key)
        if fut is not None:
            return await asyncio.shield(fut)
        self.misses += 1
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._inflight[key] = fut
        try:
            e = await compute()
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(e)
        self.put(key, e)
        return e

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._d)


class LRU(Generic[K, V]):
    """A small bounded dictionary that forgets the least recently used entry."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._d: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        v = self._d.get(key)
        if v is not None:
            self._d.move_to_end(key)
        return v

    def put(self, key: K, value: V) -> None:
        if self.max_entries <= 0:
            return
        self._d[key] = value
        self._d.move_to_end(key)
        while len(self._d) > self.max_entries:
            self._d.popitem(last=False)

    def clear(self) -> None:
        self._d.clear()


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
