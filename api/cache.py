"""Caches keyed on the data version.

The data only changes when a load commits, and every load bumps
``depmap_meta.data_version``. Answers are cached under the version of the snapshot
they were computed on (:meth:`depmap.core.replicas.Databases.read`), so a reload makes
every older entry unreachable; they are dropped when reads move to the new version.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger("depmap.api")

K = TypeVar("K")
V = TypeVar("V")


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

    def drop_older(self, version: int) -> None:
        """Forget the answers of data versions before ``version`` (keys start with it)."""
        for k in [k for k in self._d if isinstance(k[0], int) and k[0] < version]:
            self._bytes -= self._size(self._d.pop(k))

    async def get_or_compute(
        self,
        version: int | None,
        key: tuple[object, ...],
        compute: Callable[[], Awaitable[tuple[int, Entry]]],
    ) -> Entry:
        """The entry cached under ``(version, *key)``, or compute it once even if many
        requests ask at the same time. ``compute()`` says which version its answer is of
        (the one its snapshot saw, which may be newer than ``version``) and the entry is
        cached under that one."""
        if version is not None:
            e = self.get((version, *key))
            if e is not None:
                return e
        fkey = (version, *key)
        fut = self._inflight.get(fkey)
        if fut is not None:
            return await asyncio.shield(fut)
        self.misses += 1
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._inflight[fkey] = fut
        try:
            seen, e = await compute()
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            self._inflight.pop(fkey, None)
        fut.set_result(e)
        self.put((seen, *key), e)
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
