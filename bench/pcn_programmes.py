"""Benchmark: PCNs from the national registrations, and a programme's summary.

1. Times ``run_load(..., ["pcn"])`` on the shared data folder: every registrations
   extract there (the July 2022 national file, 865,965 rows on 2011 LSOAs carried to
   2021 LSOAs, and the October 2025 Staffordshire and Stoke-on-Trent file, latest
   extract winning per practice), read, combined, weighted by the attribution rule,
   drawn and written: the pcn part and the whole load (derived tables included), with
   the part's own steps.
2. Loads a programme of 150 Big Local-like areas (circles of 3,000 to 11,000
   residents around random LSOAs, GeoJSON in WGS84) and times
   ``GET /programmes/{name}/summary``: uncached (response cache off) and cached.

Needs a database with the national data loaded (DATABASE_URL) and DEPMAP_DATA_DIR::

    DATABASE_URL=postgresql://depmap:depmap@localhost:5432/depmap \\
    DEPMAP_DATA_DIR=../shared/data python -m bench.pcn_programmes [--rows 800000]

Results: ``bench/results/pcn_programmes-*.json`` and ``bench/results/pcn_programmes.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import shapely
from sqlalchemy import text

from bench.common import RESULTS, quantiles, time_requests, write_result
from depmap.core.db import make_engine
from loaders.pipeline import run_load
from loaders.programmes import delete_programme, load_programme
from tests.live import server

PROGRAMME = "Bench Big Local"


def bench_registrations(engine, data_dir: Path) -> dict[str, object]:
    files = sorted((data_dir / "nhs").glob("gp-reg-pat-prac-lsoa-all*.csv"))
    t0 = time.perf_counter()
    report = run_load(engine, data_dir, ["pcn"])
    total = time.perf_counter() - t0
    parts = {r.part: r for r in report.results}
    pcn = parts["pcn"]
    steps = next((n for n in pcn.notes if n.startswith("steps: ")), "")
    return {
        "files": [f.name for f in files],
        "rows": pcn.counts.get("registration rows read"),
        "file_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "load_total_s": round(total, 2),
        "pcn_part_s": round(pcn.seconds, 2),
        "pcn_steps": steps.removeprefix("steps: "),
        "derived_s": round(parts["derived"].seconds, 2),
        "pcns": pcn.counts.get("pcn"),
        "weights": pcn.counts.get("PCN-LSOA weights"),
        "practices": pcn.counts.get("practices"),
        "patients_placed": pcn.counts.get("patients placed in English LSOAs"),
        "goal_s": 60,
    }


def make_programme(engine, path: Path, n: int = 150, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)), "
                "population / nullif(area_m2, 0) FROM area WHERE kind = 'lsoa21' "
                "AND population > 0 ORDER BY code"
            )
        ).all()
    pick = rng.choice(len(rows), size=n, replace=False)
    geoms, codes, names = [], [], []
    for k, i in enumerate(pick):
        x, y, dens = rows[i]
        target = rng.uniform(3000, 11000)
        r = min(3000.0, float(np.sqrt(target / max(dens, 1e-6) / np.pi)))
        geoms.append(shapely.Point(x, y).buffer(r, 16))
        codes.append(f"BL{k + 1:03d}")
        names.append(f"Bench area {k + 1}")
    gpd.GeoDataFrame({"code": codes, "name": names}, geometry=geoms, crs=27700).to_crs(
        4326
    ).to_file(path, driver="GeoJSON")


def bench_summary(engine, data_dir: Path, n_requests: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big_local.geojson"
        make_programme(engine, path)

        def extra(ctx):
            ctx.results.append(load_programme(ctx, path, PROGRAMME, skip_invalid=True))

        t0 = time.perf_counter()
        report = run_load(engine, data_dir, [], extra=extra)
        load_s = time.perf_counter() - t0
    prog = next(r for r in report.results if r.part.startswith("programme"))
    out: dict[str, object] = {
        "areas": prog.counts.get("programme areas"),
        "programme_load_total_s": round(load_s, 2),
        "programme_part_s": round(prog.seconds, 2),
        "goal_ms": 300,
    }
    url = "/programmes/bench-big-local/summary"
    for label, env in (("uncached", {"DEPMAP_RESPONSE_CACHE_ENTRIES": "0"}), ("cached", {})):
        with server(env) as base, httpx.Client(base_url=base, timeout=60) as client:
            first = client.get(url)
            assert first.status_code == 200, first.text
            assert first.json()["count"] == out["areas"]
            ms, errors = time_requests(
                client, lambda _i: client.build_request("GET", url), n_requests
            )
            out[label] = {**quantiles(ms), "errors": errors}
            csv = client.get(url + "?format=csv")
            out[f"{label}_csv_bytes"] = len(csv.content)

    def drop(ctx):
        delete_programme(ctx.conn, PROGRAMME)

    run_load(engine, data_dir, [], extra=drop)
    return out


def markdown(res: dict[str, object]) -> str:
    reg = res["registrations"]
    s = res["summary"]
    assert isinstance(reg, dict) and isinstance(s, dict)
    rows = [
        (
            f"national registrations ({reg['rows']:,} rows of {len(reg['files'])} extracts, "
            f"{reg['file_mb']} MB)",
            f"pcn part {reg['pcn_part_s']} s ({reg['pcn_steps']}); whole load "
            f"{reg['load_total_s']} s with the derived tables ({reg['derived_s']} s)",
            "<= 60 s",
        ),
        ("PCNs / PCN-LSOA weights from it", f"{reg['pcns']:,} / {reg['weights']:,}", ""),
        (
            f"programme of {s['areas']} Big Local-like areas (GeoJSON)",
            f"load {s['programme_load_total_s']} s (part {s['programme_part_s']} s)",
            "",
        ),
        (
            f"`/programmes/{{name}}/summary`, {s['areas']} areas, uncached",
            f"p50 {s['uncached']['p50_ms']} ms, p95 {s['uncached']['p95_ms']} ms",
            "<= 300 ms",
        ),
        (
            "same, cached (per data version)",
            f"p50 {s['cached']['p50_ms']} ms, p95 {s['cached']['p95_ms']} ms",
            "",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    return f"""# PCNs and programme areas: benchmark

Run: `DATABASE_URL=... DEPMAP_DATA_DIR=../shared/data python -m bench.pcn_programmes`
(national data loaded first with `depmap load all`). Machine: 2 cores; the run's commit and
whether the tree had uncommitted changes are in the JSON result.

| what | result | goal |
|---|---|---|
{table}

Machine load (1-minute average, before and after the run; 2 cores):
{res.get("load_average")}.

Raw numbers: `bench/results/pcn_programmes-latest.json`.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=50)
    args = ap.parse_args()
    data_dir = Path(os.environ["DEPMAP_DATA_DIR"])
    engine = make_engine()
    # the machine may be shared: its load (1-minute average) before and after, to read by
    load_before = round(os.getloadavg()[0], 2)
    try:
        res: dict[str, object] = {
            "registrations": bench_registrations(engine, data_dir),
            "summary": bench_summary(engine, data_dir, args.requests),
        }
    finally:
        engine.dispose()
    res["load_average"] = [load_before, round(os.getloadavg()[0], 2)]
    p = write_result("pcn_programmes", res)
    (RESULTS / "pcn_programmes.md").write_text(markdown(res))
    print(json.dumps(res, indent=2))
    print(f"written {p}")


if __name__ == "__main__":
    main()
