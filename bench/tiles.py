"""Vector tiles: depmap against tipg on the same PostGIS, in the same run.

What it measures (LSOA21 layer, England, zooms 6 to 13):

* **cold** latency and size per tile: tiles at the places of randomly drawn LSOA21s (so
  dense urban tiles come up as often as the LSOAs they hold), each asked once of a service
  that has cached none of them (no disk cache), with ``Accept-Encoding: gzip``, after a few
  other tiles have opened both services' connections;
  p50/p95 per zoom band (6-9, 10-13) and per zoom, and the uncompressed tile sizes;
* **warm** throughput with ``wrk`` (2 threads, 20 connections, on this machine) on a
  z12 tile of central Liverpool and a z9 tile, 2 uvicorn workers for both services;
* the **largest tile** of every layer over London at zooms 5 to 14 (depmap's limit is
  500 KB).

tipg serves a table made for it (``bench_tipg.lsoa21_imd``: the LSOA21 BGC boundaries
in EPSG:27700 with the IMD 2025 columns, as the issue describes), with its defaults
(10,000 features per tile at most, no simplification).

Reproduce (the database loaded with ``depmap load all``)::

    DATABASE_URL=postgresql://depmap:depmap@localhost:5432/depmap \\
        python -m bench.tiles --per-zoom 30 --seconds 10

Writes ``bench/results/tiles-<time>.json`` and ``bench/results/tiles.md``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import create_engine, text

from bench.common import RESULTS, missing_tools, quantiles, write_result
from depmap.core.settings import database_settings
from tests.live import server, uvicorn_process
from tiles.grid import lonlat_to_tile

ZOOMS = list(range(6, 14))
BANDS = {"z6-9": range(6, 10), "z10-13": range(10, 14)}
LIVERPOOL = (-2.98, 53.41)
CHARING_CROSS = (-0.1246, 51.5080)
TIPG_TABLE = "bench_tipg.lsoa21_imd"
LAYERS = ("lsoa21", "msoa21", "ltla", "sicbl", "icb", "pcn", "programme")

TIPG_SQL = f"""
CREATE SCHEMA IF NOT EXISTS bench_tipg;
DROP TABLE IF EXISTS {TIPG_TABLE};
CREATE TABLE {TIPG_TABLE} AS
SELECT a.id, a.code, a.name, s.imd_score, s.imd_rank::int AS imd_rank,
       s.imd_decile::int AS imd_decile, s.income_decile::int AS income_decile,
       s.employment_decile::int AS employment_decile,
       s.education_decile::int AS education_decile, s.health_decile::int AS health_decile,
       s.crime_decile::int AS crime_decile, s.housing_decile::int AS housing_decile,
       s.environment_decile::int AS environment_decile, round(s.population)::int AS population,
       s.acute_morbidity, s.illness_disability_ratio, s.mental_health, s.years_life_lost,
       s.disability_rate, a.geom
FROM area a JOIN lsoa_stats s ON s.lsoa_id = a.id WHERE a.kind = 'lsoa21';
ALTER TABLE {TIPG_TABLE} ADD PRIMARY KEY (id);
CREATE INDEX ON {TIPG_TABLE} USING gist (geom);
ANALYZE {TIPG_TABLE};
"""


def sample_tiles(per_zoom: int, seed: int) -> dict[int, list[tuple[int, int]]]:
    """Tiles at the places of random LSOA21s, ``per_zoom`` distinct ones per zoom."""
    eng = create_engine(database_settings().sqlalchemy_url)
    with eng.connect() as c:
        pts = c.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), "
                "4326) AS p FROM area WHERE kind = 'lsoa21' ORDER BY code) x"
            )
        ).all()
    eng.dispose()
    rng = random.Random(seed)
    out: dict[int, list[tuple[int, int]]] = {}
    for z in ZOOMS:
        seen: dict[tuple[int, int], None] = {}
        order = list(range(len(pts)))
        rng.shuffle(order)
        for i in order:
            seen.setdefault(lonlat_to_tile(pts[i][0], pts[i][1], z), None)
            if len(seen) == per_zoom:
                break
        out[z] = list(seen)
    return out


def make_tipg_table() -> None:
    eng = create_engine(database_settings().sqlalchemy_url)
    with eng.begin() as c:
        for stmt in TIPG_SQL.split(";"):
            if stmt.strip():
                c.execute(text(stmt))
    eng.dispose()


@contextmanager
def tipg_server(workers: int = 2) -> Iterator[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_settings().libpq_url,
        "TIPG_DB_SCHEMAS": '["bench_tipg"]',
        "TIPG_DB_FUNCTIONS": "[]",
    }
    app = ["tipg.main:app"]
    with uvicorn_process(app, env, f"/collections/{TIPG_TABLE}", workers, wait_s=90) as (base, _):
        yield base


def depmap_url(base: str, z: int, x: int, y: int, layer: str = "lsoa21") -> str:
    return f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt"


def tipg_url(base: str, z: int, x: int, y: int) -> str:
    return f"{base}/collections/{TIPG_TABLE}/tiles/WebMercatorQuad/{z}/{x}/{y}"


#: Places whose tiles start each service's connections before the cold run (not sampled).
WARMUP_PLACES = ((1.29, 52.63), (-4.14, 50.37), (-2.93, 54.89), (-0.33, 53.74), (-1.26, 51.75))


def warmup(kind: str, base: str, tiles: dict[int, list[tuple[int, int]]]) -> int:
    """Ask for a few tiles outside the sample, at every zoom, so that "cold" measures a tile
    that is not cached, not a service that has just started (connections, PROJ set-up)."""
    url = depmap_url if kind == "depmap" else tipg_url
    n = 0
    with httpx.Client(timeout=120, headers={"Accept-Encoding": "gzip"}) as client:
        for z in ZOOMS:
            for lon, lat in WARMUP_PLACES:
                x, y = lonlat_to_tile(lon, lat, z)
                if (x, y) not in tiles[z]:
                    client.get(url(base, z, x, y))
                    n += 1
    return n


def cold_both(
    bases: dict[str, str], tiles: dict[int, list[tuple[int, int]]]
) -> dict[str, dict[str, object]]:
    """Each sampled tile asked once of each service, the two in turn (which goes first
    alternates), so that both meet the same machine load."""
    urls = {"depmap": depmap_url, "tipg": tipg_url}
    ms: dict[str, dict[int, list[float]]] = {k: {z: [] for z in ZOOMS} for k in bases}
    sizes: dict[str, dict[int, list[int]]] = {k: {z: [] for z in ZOOMS} for k in bases}
    errors = dict.fromkeys(bases, 0)
    kinds = list(bases)
    with httpx.Client(timeout=120, headers={"Accept-Encoding": "gzip"}) as client:
        for z in ZOOMS:
            for i, (x, y) in enumerate(tiles[z]):
                for k in kinds if i % 2 == 0 else kinds[::-1]:
                    t0 = time.perf_counter()
                    r = client.get(urls[k](bases[k], z, x, y))
                    ms[k][z].append((time.perf_counter() - t0) * 1000)
                    errors[k] += r.status_code >= 400
                    sizes[k][z].append(len(r.content))  # httpx has decompressed it
    out: dict[str, dict[str, object]] = {}
    for k in kinds:

        def stats(zs: list[int], k: str = k) -> dict[str, object]:
            m = [v for z in zs for v in ms[k][z]]
            sz = sorted(v for z in zs for v in sizes[k][z])
            return {**quantiles(m), "size_p50": sz[len(sz) // 2], "size_max": sz[-1]}

        out[k] = {
            "bands": {b: stats(list(zs)) for b, zs in BANDS.items()},
            "zooms": {z: stats([z]) for z in ZOOMS},
            "errors": errors[k],
        }
    return out


def wrk(url: str, seconds: int, gzip_: bool = False) -> dict[str, object]:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    cmd = ["wrk", "-t2", "-c20", f"-d{seconds}s", "--latency"]
    if gzip_:
        cmd += ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return {"requests_per_s": rps, "non_2xx": int(non2xx.group(1)) if non2xx else 0, "latency": lat}


def warm(kind: str, base: str, seconds: int) -> dict[str, object]:
    url = depmap_url if kind == "depmap" else tipg_url
    out: dict[str, object] = {}
    for z in (12, 9):
        x, y = lonlat_to_tile(*LIVERPOOL, z)
        u = url(base, z, x, y)
        body = httpx.get(u, headers={"Accept-Encoding": "identity"}, timeout=120).content
        for _ in range(10):  # both workers have it
            httpx.get(u, timeout=120)
        res = wrk(u, seconds)
        res["tile"] = f"{z}/{x}/{y}"
        res["bytes"] = len(body)
        out[f"z{z}"] = res
        if kind == "depmap":
            out[f"z{z}_gzip"] = {
                **wrk(u, seconds, gzip_=True),
                "tile": f"{z}/{x}/{y}",
                "bytes": len(gzip.compress(body)),
            }
    return out


def london_sizes(base: str) -> dict[str, object]:
    """The largest tile of each layer over London at zooms 5-14 (2x2 tiles around it)."""
    out: dict[str, object] = {}
    with httpx.Client(timeout=120, headers={"Accept-Encoding": "identity"}) as client:
        for layer in LAYERS:
            biggest, where = 0, ""
            for z in range(5, 15):
                cx, cy = lonlat_to_tile(*CHARING_CROSS, z)
                for dx in (-1, 0):
                    for dy in (-1, 0):
                        n = len(client.get(depmap_url(base, z, cx + dx, cy + dy, layer)).content)
                        if n > biggest:
                            biggest, where = n, f"{z}/{cx + dx}/{cy + dy}"
            out[layer] = {"max_bytes": biggest, "tile": where}
    return out


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("nan")


def summary_md(res: dict) -> str:  # type: ignore[type-arg]
    d, t = res["depmap"], res["tipg"]
    lines = [
        "# Tiles: depmap against tipg (LSOA21 layer, England, zooms 6-13)",
        "",
        f"Run {res['when']} on {res['machine']['cpus']} cores; {res['per_zoom']} tiles per zoom "
        "at the places of random LSOA21s, each asked once of each service (in turn) after a "
        "warm-up on other tiles; wrk -t2 -c20 "
        f"-d{res['seconds']}s on the same machine; 2 uvicorn workers each.",
        "",
        "## Cold (not cached), per tile",
        "",
        "| zooms | depmap p50 | depmap p95 | tipg p50 | tipg p95 | p95 tipg/depmap | "
        "depmap size p50 / max | tipg size p50 / max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for b in BANDS:
        db, tb = d["cold"]["bands"][b], t["cold"]["bands"][b]
        lines.append(
            f"| {b} | {db['p50_ms']} ms | {db['p95_ms']} ms | {tb['p50_ms']} ms | "
            f"{tb['p95_ms']} ms | {ratio(tb['p95_ms'], db['p95_ms'])}x | "
            f"{db['size_p50'] / 1e3:.1f} / {db['size_max'] / 1e3:.1f} KB | "
            f"{tb['size_p50'] / 1e3:.1f} / {tb['size_max'] / 1e3:.1f} KB |"
        )
    lines += [
        "",
        "Per zoom (p50 / p95 ms, largest tile KB):",
        "",
        "| zoom | depmap | tipg |",
        "|---|---|---|",
    ]
    for z in ZOOMS:
        dz, tz = d["cold"]["zooms"][str(z)], t["cold"]["zooms"][str(z)]
        lines.append(
            f"| {z} | {dz['p50_ms']} / {dz['p95_ms']} ms, {dz['size_max'] / 1e3:.0f} KB "
            f"| {tz['p50_ms']} / {tz['p95_ms']} ms, {tz['size_max'] / 1e3:.0f} KB |"
        )
    lines += [
        "",
        "## Warm (cached for depmap; repeated for tipg), wrk",
        "",
        "| tile | depmap req/s | depmap req/s (gzip) | tipg req/s | depmap/tipg |",
        "|---|---|---|---|---|",
    ]
    for z in ("z12", "z9"):
        dw, tw = d["warm"][z], t["warm"][z]
        lines.append(
            f"| {z} {dw['tile']} ({dw['bytes'] / 1e3:.0f} KB; tipg {tw['bytes'] / 1e3:.0f} KB) "
            f"| {dw['requests_per_s']:,.0f} | {d['warm'][z + '_gzip']['requests_per_s']:,.0f} | "
            f"{tw['requests_per_s']:,.0f} | {ratio(dw['requests_per_s'], tw['requests_per_s'])}x |"
        )
    lines += ["", "## Largest depmap tile over London, zooms 5-14", ""]
    lines += [f"- {k}: {v['max_bytes'] / 1e3:.1f} KB ({v['tile']})" for k, v in d["london"].items()]
    lines += [
        "",
        "Reproduce: `DATABASE_URL=... python -m bench.tiles --per-zoom "
        f"{res['per_zoom']} --seconds {res['seconds']}` (see the module's docstring).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--per-zoom", type=int, default=30, help="cold tiles per zoom")
    ap.add_argument("--seconds", type=int, default=10, help="wrk duration")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--summary-only", action="store_true", help="rewrite tiles.md from the latest results"
    )
    args = ap.parse_args()
    if args.summary_only:
        import json

        (RESULTS / "tiles.md").write_text(
            summary_md(json.loads((RESULTS / "tiles-latest.json").read_text()))
        )
        return
    missing = missing_tools(tipg=True)
    if missing:
        sys.exit(missing)
    tiles = sample_tiles(args.per_zoom, args.seed)
    make_tipg_table()
    res: dict[str, object] = {
        "per_zoom": args.per_zoom,
        "seconds": args.seconds,
        "tiles": {str(z): [f"{z}/{x}/{y}" for x, y in v] for z, v in tiles.items()},
    }
    os.environ.pop("DEPMAP_TILE_CACHE_DIR", None)  # cold means nothing cached, on disk too
    env = {"DEPMAP_TILE_CACHE_MB": "256"}
    with server(env, workers=args.workers) as dbase, tipg_server(args.workers) as tbase:
        bases = {"depmap": dbase, "tipg": tbase}
        for k, b in bases.items():
            warmup(k, b, tiles)
        print("cold: both services, tile by tile", flush=True)
        c = cold_both(bases, tiles)
        print("warm: depmap", flush=True)
        dw = warm("depmap", dbase, args.seconds)
        print("warm: tipg", flush=True)
        tw = warm("tipg", tbase, args.seconds)
        res["depmap"] = {"cold": c["depmap"], "warm": dw, "london": london_sizes(dbase)}
        res["tipg"] = {"cold": c["tipg"], "warm": tw}
    p = write_result("tiles", res)
    import json

    md = summary_md(json.loads(p.read_text()))
    (RESULTS / "tiles.md").write_text(md)
    print(md)
    print(f"wrote {p}")


if __name__ == "__main__":
    main()
