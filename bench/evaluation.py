"""Benchmark: a programme's evaluation, computed (not cached), bootstrap included.

Loads a programme of 150 Big Local-like areas (circles of 3,000 to 11,000 residents
around random LSOAs, as ``bench.pcn_programmes`` makes them) and times
``GET /programmes/{name}/evaluation?indicator=...`` on a service with the answer cache
off, each request with another bootstrap seed (so nothing is reused but the national
frame the service keeps per data version), one indicator at a time and all six at
once. The first request of a fresh service (the national frame read too) is reported
apart. Memory: the service's PSS before the first evaluation and after the last.

    DATABASE_URL=... DEPMAP_DATA_DIR=../shared/data python -m bench.evaluation

Results: ``bench/results/evaluation-*.json`` and ``bench/results/evaluation.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import RESULTS, process_tree_rss_mb, quantiles, write_result
from bench.pcn_programmes import make_programme
from depmap.core.db import make_engine
from loaders.pipeline import run_load
from loaders.programmes import delete_programme, load_programme
from tests.live import server_process

PROGRAMME = "Bench evaluation"
SLUG = "bench-evaluation"
ONE = "general_health_bad"
GOAL_MS = 2000
GOAL_MB = 200


def run(n_requests: int, data_dir: Path) -> dict[str, object]:
    engine = make_engine()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "programme.geojson"
            make_programme(engine, path)

            def extra(ctx):  # type: ignore[no-untyped-def]
                ctx.results.append(load_programme(ctx, path, PROGRAMME, skip_invalid=True))

            report = run_load(engine, data_dir, [], extra=extra)
        areas = next(r for r in report.results if r.part.startswith("programme")).counts.get(
            "programme areas"
        )
        out: dict[str, object] = {"areas": areas, "goal_ms": GOAL_MS, "goal_extra_mb": GOAL_MB}
        env = {"DEPMAP_RESPONSE_CACHE_ENTRIES": "0"}
        with server_process(env) as (base, pid), httpx.Client(base_url=base, timeout=120) as c:
            url = f"/programmes/{SLUG}/evaluation"
            before = process_tree_rss_mb(pid)
            t0 = time.perf_counter()
            first = c.get(url, params={"indicator": ONE, "seed": 1})
            out["first_request_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            assert first.status_code == 200, first.text[:300]
            body = first.json()
            out["lsoa21"] = body["lsoa21"]
            out["replicates"] = body["replicates"]
            for label, params in (
                ("one_indicator", {"indicator": ONE}),
                ("all_indicators", {}),
            ):
                ms, errors = [], 0
                for i in range(n_requests):
                    t = time.perf_counter()
                    r = c.get(url, params={**params, "seed": 100 + i})
                    ms.append((time.perf_counter() - t) * 1000)
                    errors += r.status_code != 200
                out[label] = {**quantiles(ms), "errors": errors}
            after = process_tree_rss_mb(pid)
            out["memory_mb"] = {"before": before, "after": after, "extra": round(after - before, 1)}
        run_load(engine, data_dir, [], extra=lambda ctx: delete_programme(ctx.conn, PROGRAMME))
        return out
    finally:
        engine.dispose()


def markdown(res: dict[str, object]) -> str:
    one, every, mem = res["one_indicator"], res["all_indicators"], res["memory_mb"]
    assert isinstance(one, dict) and isinstance(every, dict) and isinstance(mem, dict)
    return f"""# Programme evaluation: benchmark

Run: `DATABASE_URL=... DEPMAP_DATA_DIR=../shared/data python -m bench.evaluation` (national
data loaded first). {res["areas"]} Big Local-like areas ({res["lsoa21"]} LSOA21s), answer
cache off, a new bootstrap seed per request ({res["replicates"]} replicates, matched LSOAs
resampled too).

| what | result | goal |
|---|---|---|
| first request of a fresh service (national frame read), one indicator \
| {res["first_request_ms"]} ms | |
| one indicator, computed | p50 {one["p50_ms"]} ms, p95 {one["p95_ms"]} ms \
({one["n"]} requests, {one["errors"]} errors) | p95 <= {GOAL_MS} ms |
| all six indicators at once, computed | p50 {every["p50_ms"]} ms, p95 {every["p95_ms"]} ms | |
| service memory (PSS) | {mem["before"]} MB before, {mem["after"]} MB after: \
+{mem["extra"]} MB | <= +{GOAL_MB} MB |

Raw numbers: `bench/results/evaluation-latest.json`.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=20)
    args = ap.parse_args()
    res = run(args.requests, Path(os.environ["DEPMAP_DATA_DIR"]))
    p = write_result("evaluation", res)
    (RESULTS / "evaluation.md").write_text(markdown(res))
    print(json.dumps(res, indent=2))
    print(f"written {p}")


if __name__ == "__main__":
    main()
