"""Service latency and throughput (issue 3), on the national data already loaded.

    python -m bench.api            # DATABASE_URL points at a loaded database

Latency: one client, 200 requests per endpoint, p50/p95/p99, with the answer cache OFF
(every request computed: `cold`) and ON (`warm`). The custom polygon is a new ~2 km²
polygon every time (POST + deprivation + overlaps with ICB/sub-ICB/LA/PCN, then DELETE).
Throughput: wrk, 20 connections, 10 s, on the ICB overlaps, 2 workers.
"""

from __future__ import annotations

import argparse
import json
import random

import httpx

from bench.common import quantiles, time_requests, write_result, wrk
from tests.live import server

TOKEN = "bench-token-0123456789"
ICB = "E54000008"

TARGETS_MS = {
    "overlaps_icb_lsoa21": 20,
    "deprivation_icb": 30,
    "custom_polygon_profile": 150,
    "rankings_ltla": 100,
}


def polygon(i: int) -> dict[str, object]:
    """A ~2 km² square somewhere in Greater Manchester/Merseyside, different each time."""
    rnd = random.Random(i)
    x, y = rnd.uniform(334_000, 395_000), rnd.uniform(385_000, 410_000)
    s = 1414.0
    ring = [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
    return {
        "type": "Feature",
        "properties": {"name": f"bench {i}"},
        "crs": {"type": "name", "properties": {"name": "EPSG:27700"}},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def latencies(base: str, n: int) -> dict[str, object]:
    out: dict[str, object] = {}
    with httpx.Client(base_url=base, timeout=60) as c:
        cases = {
            "overlaps_icb_lsoa21": f"/areas/{ICB}/overlaps?kind=lsoa21",
            "deprivation_icb": f"/areas/{ICB}/deprivation",
            "rankings_ltla": "/rankings?kind=ltla",
            "hotspots_icb_msoa21": f"/areas/{ICB}/hotspots?unit=msoa21",
        }
        for name, path in cases.items():
            c.get(path)  # connection and first-use warm-up
            reps = n if not name.startswith("hotspots") else max(20, n // 10)
            ms, errors = time_requests(c, lambda _i, p=path: c.build_request("GET", p), reps)
            out[name] = {**quantiles(ms), "errors": errors, "path": path}
        import time as _t

        ms, errors = [], 0
        for i in range(n):
            t0 = _t.perf_counter()
            r = c.post("/areas", json=polygon(i), headers={"Authorization": f"Bearer {TOKEN}"})
            if r.status_code != 201:
                errors += 1
                continue
            cid = r.json()["id"]
            for path in (
                f"/areas/{cid}/deprivation",
                f"/areas/{cid}/overlaps?kind=icb",
                f"/areas/{cid}/overlaps?kind=sicbl",
                f"/areas/{cid}/overlaps?kind=ltla",
                f"/areas/{cid}/overlaps?kind=pcn",
            ):
                if c.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code != 200:
                    errors += 1
            ms.append((_t.perf_counter() - t0) * 1000)
            c.delete(f"/areas/{cid}", headers={"Authorization": f"Bearer {TOKEN}"})
        out["custom_polygon_profile"] = {
            **quantiles(ms),
            "errors": errors,
            "path": "POST /areas + deprivation + 4 overlaps",
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    env = {"DEPMAP_API_TOKEN": TOKEN}
    res: dict[str, object] = {}
    with server({**env, "DEPMAP_RESPONSE_CACHE_ENTRIES": "0"}) as base:
        res["cold"] = latencies(base, args.n)
    with server(env) as base:
        res["warm"] = latencies(base, args.n)
    with server(env, workers=2) as base:
        httpx.get(f"{base}/areas/{ICB}/overlaps?kind=lsoa21", timeout=60)
        res["throughput_icb_overlaps"] = wrk(
            f"{base}/areas/{ICB}/overlaps?kind=lsoa21", connections=20, seconds=args.seconds
        )
    with server({**env, "DEPMAP_RESPONSE_CACHE_ENTRIES": "0"}, workers=2) as base:
        res["throughput_icb_overlaps_uncached"] = wrk(
            f"{base}/areas/{ICB}/overlaps?kind=lsoa21", connections=20, seconds=args.seconds
        )
    res["targets_p95_ms"] = TARGETS_MS
    res["met"] = {
        k: res["cold"][k]["p95_ms"] <= v  # type: ignore[index]
        for k, v in TARGETS_MS.items()
    }
    p = write_result("api", res)
    print(json.dumps(res, indent=2))
    print(f"written {p}")


if __name__ == "__main__":
    main()
