"""Mixed workload at 50 and 200 concurrent clients for 60 s (issue 6).

    python -m bench.mixed --clients 50 200 --seconds 60

wrk drives the service (2 uvicorn workers) with a Lua script that picks each
request at random from a mix: overlaps, deprivation and profiles of random
ICBs, sub-ICBs, local authorities and MSOAs, rankings, searches, hotspots,
vector tiles over England, and custom-area uploads (POST /areas). It records
status codes and errors, and samples the server's memory every second. The last
level then runs again on the same service (``--soak-seconds``): its caches have
seen most of the mix by then and are bounded (DEPMAP_RESPONSE_CACHE_MB,
DEPMAP_TILE_CACHE_MB), so memory that kept growing there would be a leak. Custom areas made
by the run are deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import process_tree_rss_mb, write_result
from depmap.core.settings import database_settings
from tests.live import server_process

TOKEN = "bench-token-0123456789"


def codes(kind: str, n: int) -> list[str]:
    eng = create_engine(database_settings().sqlalchemy_url)
    with eng.connect() as c:
        rows = (
            c.execute(
                text("SELECT code FROM area WHERE kind = :k ORDER BY code LIMIT :n"),
                {"k": kind, "n": n},
            )
            .scalars()
            .all()
        )
    eng.dispose()
    return list(rows)


def tile_paths(n: int) -> list[str]:
    """Random LSOA tiles over England at zooms 8-13 (x, y from England's lon/lat box)."""
    import math

    rnd = random.Random(7)
    out = []
    for _ in range(n):
        z = rnd.randint(8, 13)
        lon, lat = rnd.uniform(-3.0, 0.5), rnd.uniform(50.8, 54.5)
        x = int((lon + 180) / 360 * 2**z)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
        out.append(f"/tiles/lsoa21/{z}/{x}/{y}.mvt")
    return out


def build_mix() -> list[tuple[str, str]]:
    """About 20,000 distinct requests: more than the 4,096 answers a worker caches, so the
    cache evicts and its bounds are what keep memory flat."""
    icb, sicbl, ltla, msoa = (
        codes("icb", 42),
        codes("sicbl", 106),
        codes("ltla", 296),
        codes("msoa21", 7000),
    )
    mix: list[tuple[str, str]] = []
    for c in icb:
        mix += [
            ("GET", f"/areas/{c}/overlaps?kind=lsoa21"),
            ("GET", f"/areas/{c}/deprivation"),
            ("GET", f"/areas/{c}/overlaps?kind=pcn"),
            ("GET", f"/areas/{c}/hotspots?unit=msoa21"),
        ]
    for c in sicbl + ltla:
        mix += [
            ("GET", f"/areas/{c}/deprivation?domain=health"),
            ("GET", f"/areas/{c}/overlaps?kind=msoa21"),
            ("GET", f"/areas/{c}/profile"),
        ]
    for c in msoa:
        mix += [("GET", f"/areas/{c}/deprivation"), ("GET", f"/areas/{c}/overlaps?kind=ward")]
    mix += [
        ("GET", f"/rankings?kind={k}&domain={d}")
        for k in ("icb", "ltla", "sicbl")
        for d in ("imd", "health", "income")
    ]
    mix += [("GET", f"/areas?q={q}") for q in ("liverpool", "manch", "E0600", "north", "leeds")]
    mix += [("GET", p) for p in tile_paths(3000)]
    mix += [("POST", "/areas")] * 20
    return mix


LUA = r"""
local threads = {}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
init = function(args)
  paths = {}
  methods = {}
  statuses = {}
  for line in io.lines("%(file)s") do
    local m, p = line:match("^(%%S+) (.+)$")
    methods[#methods + 1] = m
    paths[#paths + 1] = p
  end
  math.randomseed(1000 + id)  -- the same requests in the same order every run
end
request = function()
  local i = math.random(#paths)
  if methods[i] == "POST" then
    local x = 340000 + math.random(0, 60000)
    local y = 385000 + math.random(0, 25000)
    local s = 1400
    local body = string.format('{"type":"Feature","properties":{"name":"mixed bench"},' ..
      '"crs":{"type":"name","properties":{"name":"EPSG:27700"}},' ..
      '"geometry":{"type":"Polygon","coordinates":[[[%%d,%%d],[%%d,%%d],[%%d,%%d],[%%d,%%d],[%%d,%%d]]]}}',
      x, y, x + s, y, x + s, y + s, x, y + s, x, y)
    return wrk.format("POST", paths[i], {["Authorization"] = "Bearer %(token)s",
                                         ["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", paths[i])
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%%d": %%d', k, v) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end
"""


def run_wrk(
    base: str, mix_file: Path, clients: int, seconds: int, threads: int = 2
) -> dict[str, object]:
    lua = Path(tempfile.mkstemp(suffix=".lua")[1])
    lua.write_text(LUA % {"file": mix_file, "token": TOKEN})
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(lua),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lua.unlink()
    st = re.search(r"STATUSES (\{.*\})", out)
    statuses = json.loads(st.group(1)) if st else {}
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    lat = dict(re.findall(r"\s+(50|75|90|99)%\s+([\d.]+\w+)", out))
    return {
        "clients": clients,
        "seconds": seconds,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "statuses": statuses,
        "server_errors_5xx": sum(v for k, v in statuses.items() if k.startswith("5")),
        "socket_errors": {
            k: int(v)
            for k, v in zip(("connect", "read", "write", "timeout"), errs.groups(), strict=True)
        }
        if errs
        else {},
        "latency": lat,
    }


def sample_memory(pid: int, stop: threading.Event, out: list[float]) -> None:
    while not stop.is_set():
        out.append(process_tree_rss_mb(pid))
        stop.wait(1.0)


def cleanup() -> int:
    eng = create_engine(database_settings().sqlalchemy_url)
    with eng.begin() as c:
        n = c.execute(
            text("""
            WITH gone AS (DELETE FROM area WHERE kind = 'custom' AND name = 'mixed bench'
                          RETURNING id),
                 w AS (DELETE FROM area_lsoa WHERE area_id IN (SELECT id FROM gone)),
                 m AS (DELETE FROM area_measure WHERE area_id IN (SELECT id FROM gone)),
                 p AS (DELETE FROM area_profile WHERE area_id IN (SELECT id FROM gone))
            SELECT count(*) FROM gone""")
        ).scalar()
    eng.dispose()
    return int(n or 0)


def measured(base: str, pid: int, mix_file: Path, clients: int, seconds: int) -> dict[str, object]:
    """One wrk run, with the server's memory sampled every second."""
    mem: list[float] = []
    stop = threading.Event()
    t = threading.Thread(target=sample_memory, args=(pid, stop, mem), daemon=True)
    t.start()
    t0 = time.time()
    r = run_wrk(base, mix_file, clients, seconds)
    stop.set()
    t.join()
    r["wall_s"] = round(time.time() - t0, 1)
    third = max(1, len(mem) // 3)
    r["server_pss_mb"] = {
        "start": mem[0] if mem else None,
        "peak": max(mem) if mem else None,
        "end": mem[-1] if mem else None,
        "mean_first_third": round(sum(mem[:third]) / third, 1) if mem else None,
        "mean_last_third": round(sum(mem[-third:]) / third, 1) if mem else None,
        "samples": len(mem),
    }
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--soak-seconds",
        type=int,
        default=60,
        help="then run the last level again for this long on the same service",
    )
    args = ap.parse_args()
    mix = build_mix()
    mix_file = Path(tempfile.mkstemp(suffix=".txt")[1])
    mix_file.write_text("\n".join(f"{m} {p}" for m, p in mix) + "\n")
    results = []
    soak: dict[str, object] | None = None
    for n, clients in enumerate(args.clients):
        # a fresh service per level: each starts with empty caches
        with server_process({"DEPMAP_API_TOKEN": TOKEN}, workers=args.workers) as (base, pid):
            r = measured(base, pid, mix_file, clients, args.seconds)
            results.append(r)
            print(json.dumps(r), flush=True)
            if n == len(args.clients) - 1 and args.soak_seconds > 0:
                # the same load again on the same service, its caches warm: memory that
                # kept growing here would be a leak, not caches filling
                soak = measured(base, pid, mix_file, clients, args.soak_seconds)
                print("soak", json.dumps(soak), flush=True)
    removed = cleanup()
    mix_file.unlink()
    res = {
        "runs": results,
        "soak": soak,
        "soak_growth_mb": (
            round(soak["server_pss_mb"]["end"] - soak["server_pss_mb"]["start"], 1)  # type: ignore[index]
            if soak and soak["server_pss_mb"]["start"] is not None  # type: ignore[index]
            else None
        ),
        "mix_size": len(mix),
        "distinct_requests": len(set(mix)),
        "response_cache_entries_per_worker": 4096,
        "custom_areas_removed": removed,
        "workers": args.workers,
        "ok": all(
            r["server_errors_5xx"] == 0 and not any(r["socket_errors"].values())
            for r in [*results, *([soak] if soak else [])]
        ),
    }
    print(write_result("mixed", res))


if __name__ == "__main__":
    os.environ.setdefault("DEPMAP_LOG_LEVEL", "WARNING")
    main()
