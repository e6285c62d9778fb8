"""Static tiles: a PMTiles archive of England, and serving it without depmap.

What it measures:

* **export**: ``depmap tiles export`` of the LSOA21 layer over England at zooms 0-14
  (the service's tiles, gzipped, empty ones left out): build time, archive size, tiles and
  bytes per zoom, the largest tile;
* **warm throughput** of one tile (the z12 and z9 tiles of central Liverpool, as
  ``bench.tiles``), 20 connections of ``wrk`` for a few seconds each, on this machine:

  - depmap's own endpoint ``/tiles/lsoa21/{z}/{x}/{y}.mvt`` (2 uvicorn workers, the tile in
    the memory cache, gzip asked: the bytes a browser gets);
  - the archive behind static servers, asked the way a browser's pmtiles reader asks for a
    tile once it holds the directories: one ``Range`` request for the tile's bytes (the
    gzip stored in the archive). Servers: nginx (Debian's ``nginx-light``, 2 workers),
    the map site's ``serve.py`` (Python's standard library, threads) and Starlette's
    ``StaticFiles`` under uvicorn (2 workers).

Reproduce (a database loaded with ``depmap load all``)::

    DATABASE_URL=postgresql://depmap:depmap@localhost:5432/depmap \\
        python -m bench.pmtiles --maxzoom 14 --seconds 10

(``--archive FILE`` measures an archive already written instead of exporting.) Writes
``bench/results/pmtiles-<time>.json`` and ``bench/results/pmtiles.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import deserialize_directory, deserialize_header, find_tile, zxy_to_tileid

from bench.common import RESULTS, write_result, wrk
from tests.live import free_port, server, uvicorn_process
from tiles.export import export_pmtiles
from tiles.grid import lonlat_to_tile

LIVERPOOL = (-2.98, 53.41)
ROOT = Path(__file__).resolve().parents[1]


def tile_range(path: Path, z: int, x: int, y: int) -> tuple[int, int]:
    """The absolute byte range ``(first, last)`` of a tile in the archive (a browser's
    pmtiles reader works it out from the directories it has read)."""
    with open(path, "rb") as f:
        data = f.read()
    h = deserialize_header(data[:127])
    tid = zxy_to_tileid(z, x, y)
    off, length = h["root_offset"], h["root_length"]
    for _ in range(4):
        d = data[off : off + length]
        entries = deserialize_directory(d)  # (it gunzips)
        e = find_tile(entries, tid)
        if e is None:
            raise KeyError(f"{z}/{x}/{y} is not in the archive")
        if e.run_length > 0:
            first = h["tile_data_offset"] + e.offset
            return first, first + e.length - 1
        off, length = h["leaf_directory_offset"] + e.offset, e.length
    raise KeyError("directory too deep")


@contextmanager
def nginx(folder: Path) -> Iterator[str]:
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(exe).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    (prefix / "logs").mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(
        textwrap.dedent(
            f"""
            worker_processes 2;
            error_log {prefix}/logs/error.log;
            pid {prefix}/nginx.pid;
            {"user root;" if os.geteuid() == 0 else ""}
            events {{ worker_connections 1024; }}
            http {{
              access_log off;
              sendfile on;
              types {{ application/vnd.pmtiles pmtiles; }}
              server {{
                listen 127.0.0.1:{port};
                root {folder};
              }}
            }}
            """
        )
    )
    proc = subprocess.Popen([exe, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"])
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/")
        yield base
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(10)
        shutil.rmtree(prefix, ignore_errors=True)


@contextmanager
def serve_py(folder: Path) -> Iterator[str]:
    port = free_port()
    src = ROOT / "web" / "site_files" / "serve.py"
    proc = subprocess.Popen(
        [sys.executable, "-I", str(src), "--port", str(port), "--directory", str(folder)],
        env={"SERVE_QUIET": "1"},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def starlette_static(folder: Path) -> Iterator[str]:
    env = {**os.environ, "BENCH_STATIC_DIR": str(folder)}
    with uvicorn_process(
        ["bench.pmtiles:static_app", "--factory"], env, "/a.pmtiles", workers=2
    ) as (
        base,
        _pid,
    ):
        yield base


def static_app():  # type: ignore[no-untyped-def]
    """Starlette serving a folder (``BENCH_STATIC_DIR``): uvicorn's factory."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    d = os.environ["BENCH_STATIC_DIR"]
    return Starlette(routes=[Mount("/", StaticFiles(directory=d, html=False))])


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def range_wrk(base: str, name: str, rng: tuple[int, int], expect: bytes, seconds: int) -> dict:
    url = f"{base}/{name}"
    header = f"bytes={rng[0]}-{rng[1]}"
    r = httpx.get(url, headers={"Range": header}, timeout=10)
    assert r.status_code == 206 and r.content == expect, (base, r.status_code)
    return wrk_with(url, seconds, ["-H", f"Range: {header}"])


def wrk_with(url: str, seconds: int, extra: list[str]) -> dict:
    import re

    out = subprocess.run(
        ["wrk", "-t2", "-c20", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return {"requests_per_s": rps, "non_2xx": int(non2xx.group(1)) if non2xx else 0, "latency": lat}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minzoom", type=int, default=0)
    ap.add_argument("--maxzoom", type=int, default=14)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--archive", type=Path, help="measure this archive instead of exporting")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pmtiles-"))
    result: dict[str, object] = {}
    try:
        if a.archive:
            archive = a.archive
        else:
            archive = work / "england-lsoa21.pmtiles"
            zooms = list(range(a.minzoom, a.maxzoom + 1))
            t0 = time.perf_counter()
            st = asyncio.run(export_pmtiles(archive, ["lsoa21"], zooms, concurrency=a.concurrency))
            st["wall_s"] = round(time.perf_counter() - t0, 1)
            result["export"] = st
            print(
                f"exported {st['tiles']:,} tiles ({st['empty']:,} empty skipped), "
                f"{st['archive_bytes'] / 1e6:.1f} MB in {st['wall_s']:.0f} s",
                flush=True,
            )
        folder = work / "www"
        folder.mkdir()
        try:
            os.link(archive, folder / "a.pmtiles")
        except OSError:  # another file system
            os.symlink(archive.resolve(), folder / "a.pmtiles")
        with open(archive, "rb") as f:
            reader = Reader(MmapSource(f))
            stored = {}
            for z in (12, 9):
                x, y = lonlat_to_tile(*LIVERPOOL, z)
                gz = reader.get(z, x, y)
                if gz is not None:  # (an archive of other zooms)
                    stored[z] = (x, y, gz)
        warm: dict[str, object] = {}
        env = {"DEPMAP_LOG_LEVEL": "WARNING"}
        with server(env, workers=2) as base:
            for z, (x, y, gz) in stored.items():
                u = f"{base}/tiles/lsoa21/{z}/{x}/{y}.mvt"
                for _ in range(10):
                    r = httpx.get(u, headers={"Accept-Encoding": "gzip"}, timeout=120)
                # (httpx decodes the gzip)
                assert r.content == gzip.decompress(gz), "the archive's tile is not the endpoint's"
                res = wrk(u, seconds=a.seconds)  # identity
                res_gz = wrk_with(u, a.seconds, ["-H", "Accept-Encoding: gzip"])
                warm[f"depmap z{z}"] = {**res_gz, "tile": f"{z}/{x}/{y}", "bytes": len(gz)}
                warm[f"depmap z{z} (no gzip)"] = {"requests_per_s": res["requests_per_s"]}
        for name, ctx in (
            ("nginx", nginx),
            ("serve.py", serve_py),
            ("Starlette StaticFiles", starlette_static),
        ):
            try:
                with ctx(folder) as base:
                    for z, (x, y, gz) in stored.items():
                        rng = tile_range(folder / "a.pmtiles", z, x, y)
                        res = range_wrk(base, "a.pmtiles", rng, gz, a.seconds)
                        warm[f"{name} z{z}"] = {**res, "tile": f"{z}/{x}/{y}", "bytes": len(gz)}
            except RuntimeError as e:
                warm[name] = {"error": str(e)}
        result["warm"] = warm
        result["archive_bytes"] = archive.stat().st_size
        p = write_result("pmtiles", result)
        md = report(result)
        (RESULTS / "pmtiles.md").write_text(md)
        print(md)
        print(f"wrote {p}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(r: dict) -> str:
    lines = ["# Static tiles: PMTiles archive of England (LSOA21)", ""]
    ex = r.get("export")
    if ex:
        lines += [
            f"Export z{min(ex['per_zoom'])}-{max(ex['per_zoom'])}: {ex['tiles']:,} tiles "
            f"({ex['empty']:,} candidates empty, left out), archive "
            f"{ex['archive_bytes'] / 1e6:,.1f} MB, {ex['wall_s']:,.0f} s; largest tile "
            f"{ex['largest'] / 1e3:,.0f} KB ({ex['largest_tile']}).",
            "",
            "| zoom | tiles | MB (gzip) |",
            "|---|---|---|",
        ]
        for z, (n, b) in sorted(ex["per_zoom"].items(), key=lambda kv: int(kv[0])):
            lines.append(f"| {z} | {n:,} | {b / 1e6:,.1f} |")
        lines.append("")
    lines += ["| server | tile | req/s (wrk -c20) | p50 | p99 |", "|---|---|---|---|---|"]
    for k, v in r["warm"].items():
        if "requests_per_s" in v and "tile" in v:
            lat = v.get("latency", {})
            lines.append(
                f"| {k.rsplit(' ', 1)[0]} | {v['tile']} | {v['requests_per_s']:,.0f} | "
                f"{lat.get('50', '')} | {lat.get('99', '')} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
