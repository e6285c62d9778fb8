"""Rendered tiles, kept per data version: in memory (bounded in bytes) and on disk.

A tile is stored as its MVT bytes and their gzip, with the response headers made
once, so that serving it from memory is a dictionary look-up and two ``send``s.
The key holds the data version: when a load commits, the service clears memory
and removes older versions' folders from the disk cache.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import os
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from tiles.render import MVT_MEDIA_TYPE

log = logging.getLogger("depmap.tiles")

#: (data version, layer, z, x, y)
TileKey = tuple[int, str, int, int, int]


def gzip_tile(raw: bytes) -> bytes:
    """A tile's gzip, as the service sends it and the PMTiles export stores it (the same
    bytes for the same tile: no time stamp)."""
    return gzip.compress(raw, compresslevel=6, mtime=0)


@dataclass(frozen=True, slots=True)
class Tile:
    """One rendered tile, ready to send."""

    raw: bytes
    gz: bytes
    etag: str
    headers_raw: list[tuple[bytes, bytes]] = field(repr=False)
    headers_gz: list[tuple[bytes, bytes]] = field(repr=False)

    @property
    def nbytes(self) -> int:
        return len(self.raw) + len(self.gz) + 256

    @classmethod
    def make(cls, raw: bytes, max_age: int, gz: bytes | None = None) -> Tile:
        gz = gz if gz is not None else gzip_tile(raw)
        etag = '"' + hashlib.blake2b(raw, digest_size=12).hexdigest() + '"'
        common = [
            (b"content-type", MVT_MEDIA_TYPE.encode()),
            (b"etag", etag.encode()),
            (b"cache-control", f"public, max-age={max_age}".encode()),
            (b"vary", b"Accept-Encoding"),
        ]
        return cls(
            raw=raw,
            gz=gz,
            etag=etag,
            headers_raw=[*common, (b"content-length", str(len(raw)).encode())],
            headers_gz=[
                *common,
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(gz)).encode()),
            ],
        )


class TileCache:
    """An LRU of tiles bounded in bytes, with an optional folder behind it.

    The folder holds ``<version>/<layer>/<z>/<x>/<y>.mvt`` (and ``.mvt.gz``), the
    layout a static file server can serve as it is.
    """

    def __init__(self, max_bytes: int, disk_dir: Path | None = None) -> None:
        self.max_bytes = max_bytes
        self.disk_dir = disk_dir
        self._d: OrderedDict[TileKey, Tile] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        self.disk_hits = 0

    def get(self, key: TileKey) -> Tile | None:
        t = self._d.get(key)
        if t is not None:
            self._d.move_to_end(key)
            self.hits += 1
        return t

    def put(self, key: TileKey, tile: Tile) -> None:
        if tile.nbytes > self.max_bytes // 8:
            return
        old = self._d.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes
        self._d[key] = tile
        self._bytes += tile.nbytes
        while self._bytes > self.max_bytes and self._d:
            _, dropped = self._d.popitem(last=False)
            self._bytes -= dropped.nbytes

    def clear(self) -> None:
        self._d.clear()
        self._bytes = 0

    def drop_older(self, version: int) -> None:
        """Forget the tiles of data versions before ``version``."""
        for k in [k for k in self._d if k[0] < version]:
            self._bytes -= self._d.pop(k).nbytes

    def __len__(self) -> int:
        return len(self._d)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    # --- disk -------------------------------------------------------------------
    def path(self, key: TileKey) -> Path | None:
        if self.disk_dir is None:
            return None
        v, layer, z, x, y = key
        return self.disk_dir / str(v) / layer / str(z) / str(x) / f"{y}.mvt"

    def read_disk(self, key: TileKey, max_age: int) -> Tile | None:
        p = self.path(key)
        if p is None:
            return None
        try:
            raw = p.read_bytes()
            gz = p.with_suffix(".mvt.gz").read_bytes()
        except OSError:
            return None
        self.disk_hits += 1
        return Tile.make(raw, max_age, gz=gz)

    def write_disk(self, key: TileKey, tile: Tile) -> None:
        p = self.path(key)
        if p is None:
            return
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            # gzip first: a reader that finds the .mvt finds its .gz too
            for target, data in ((p.with_suffix(".mvt.gz"), tile.gz), (p, tile.raw)):
                fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-")
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, target)
        except OSError as e:  # a full or read-only disk must not fail the request
            log.warning("tile cache write failed", extra={"path": str(p), "error": str(e)})

    def drop_versions_below(self, version: int) -> None:
        """Remove older data versions' folders from the disk cache."""
        if self.disk_dir is None or not self.disk_dir.is_dir():
            return
        for d in self.disk_dir.iterdir():
            if d.is_dir() and d.name.isdigit() and int(d.name) < version:
                with contextlib.suppress(OSError):
                    shutil.rmtree(d, ignore_errors=True)
