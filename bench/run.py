"""All the benchmarks, in one command, on a database of their own.

    DEPMAP_DATA_DIR=../shared/data python -m bench.run            # ~15 minutes
    python -m bench.run --quick                                    # shorter, for a check

1. `depmap load all` three times into a fresh database `<DATABASE_URL db>_bench`
   (the first run into the empty database, then two reloads): wall time, peak memory;
2. the service (bench/api.py): p50/p95/p99 of overlaps, deprivation, rankings,
   hotspots, custom-area upload, cold (answer cache off) and warm; wrk throughput;
3. tiles (bench/tiles.py): cold per zoom band and warm throughput, against tipg;
4. PCN registrations (the data folder's real extracts) and programme summaries
   (bench/pcn_programmes.py);
5. a mixed workload at 50 and 200 concurrent clients for 60 s (bench/mixed.py): errors,
   status codes, the server's memory.

Each step writes `bench/results/<name>-<time>.json` (and `-latest.json`); this command
then writes `bench/results/summary.md` with the headline figures, the ratio to the
previous run of each and, for tiles, to tipg.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import RESULTS, machine, missing_tools
from bench.load import fresh_database
from depmap.core.settings import DEV_DATABASE_URL


def latest(name: str) -> dict[str, Any] | None:
    p = RESULTS / f"{name}-latest.json"
    return json.loads(p.read_text()) if p.exists() else None


def previous(name: str, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """The run of ``name`` before ``current`` (by time stamp), whether or not this
    invocation re-ran it."""
    if current is None:
        return None
    older = sorted(
        p
        for p in RESULTS.glob(f"{name}-2*.json")
        if p.stem.split("-", 1)[1] < str(current.get("when", ""))
    )
    return json.loads(older[-1].read_text()) if older else None


def step(module: str, args: list[str], env: dict[str, str]) -> None:
    print(f"==> python -m {module} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", module, *args], env=env, check=True)


#: (label, result file, json path, unit, better: "lower" or "higher", goal)
HEADLINES: list[tuple[str, str, str, str, str, str]] = [
    ("load all, median of 3 (s)", "load", "median_wall_s", "s", "lower", "≤ 90"),
    ("load all, peak memory (MB)", "load", "peak_rss_mb", "MB", "lower", ""),
    (
        "overlaps ICB with LSOAs p95, warm (ms)",
        "api",
        "warm.overlaps_icb_lsoa21.p95_ms",
        "ms",
        "lower",
        "≤ 20",
    ),
    (
        "overlaps ICB with LSOAs p95, cold (ms)",
        "api",
        "cold.overlaps_icb_lsoa21.p95_ms",
        "ms",
        "lower",
        "",
    ),
    ("deprivation ICB p95, warm (ms)", "api", "warm.deprivation_icb.p95_ms", "ms", "lower", "≤ 30"),
    ("deprivation ICB p95, cold (ms)", "api", "cold.deprivation_icb.p95_ms", "ms", "lower", ""),
    (
        "new 2 km² polygon, full profile p95 (ms)",
        "api",
        "cold.custom_polygon_profile.p95_ms",
        "ms",
        "lower",
        "≤ 150",
    ),
    (
        "rankings?kind=ltla p95, warm (ms)",
        "api",
        "warm.rankings_ltla.p95_ms",
        "ms",
        "lower",
        "≤ 100",
    ),
    ("rankings?kind=ltla p95, cold (ms)", "api", "cold.rankings_ltla.p95_ms", "ms", "lower", ""),
    (
        "hotspots ICB (MSOA) p95, cold (ms)",
        "api",
        "cold.hotspots_icb_msoa21.p95_ms",
        "ms",
        "lower",
        "",
    ),
    (
        "ICB overlaps throughput, wrk -c20 (req/s)",
        "api",
        "throughput_icb_overlaps.requests_per_s",
        "req/s",
        "higher",
        "≥ 500",
    ),
    (
        "PCN registrations, national size (s)",
        "pcn_programmes",
        "registrations.load_total_s",
        "s",
        "lower",
        "≤ 60",
    ),
    (
        "programme summary, 150 areas p95 (ms)",
        "pcn_programmes",
        "summary.uncached.p95_ms",
        "ms",
        "lower",
        "≤ 300",
    ),
    ("mixed 50 clients (req/s)", "mixed", "runs.0.requests_per_s", "req/s", "higher", ""),
    ("mixed 200 clients (req/s)", "mixed", "runs.1.requests_per_s", "req/s", "higher", ""),
    ("mixed 200 clients, 5xx", "mixed", "runs.1.server_errors_5xx", "", "lower", "0"),
    (
        "mixed 200 clients again, memory growth over the minute (MB)",
        "mixed",
        "soak_growth_mb",
        "MB",
        "lower",
        "",
    ),
    (
        "mixed 200 clients, server peak memory (MB)",
        "mixed",
        "runs.1.server_pss_mb.peak",
        "MB",
        "lower",
        "",
    ),
]


def lookup(d: dict[str, Any] | None, path: str) -> Any:
    parts = path.split(".")
    cur: Any = d
    for p in parts:
        if isinstance(cur, list):
            i = int(p)
            cur = cur[i] if i < len(cur) else None
        elif isinstance(cur, dict):
            cur = cur.get(p)
        else:
            return None
    return cur


def summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = [
        "# Benchmark summary",
        "",
        f"Machine: {machine()}. Reproduce: `DEPMAP_DATA_DIR=... python -m bench.run`.",
        "Ratio = this run / the run before it (for 'lower is better' figures, < 1 is an "
        "improvement). Each figure comes from the latest run of its benchmark.",
        "",
        "| figure | this run | previous | ratio | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for label, name, path, _unit, _better, goal in HEADLINES:
        now, prev = lookup(after.get(name), path), lookup(before.get(name), path)
        ratio = (
            f"{now / prev:.2f}"
            if isinstance(now, int | float) and isinstance(prev, int | float) and prev
            else ""
        )
        lines.append(f"| {label} | {_fmt(now)} | {_fmt(prev)} | {ratio} | {goal} |")
    tiles = after.get("tiles")
    if tiles:
        lines += ["", "## Tiles against tipg (same run, same PostGIS)", ""]
        md = RESULTS / "tiles.md"
        if md.exists():
            lines.append(md.read_text().split("\n", 1)[1].strip())
    mixed = after.get("mixed")
    if mixed:
        lines += [
            "",
            "## Mixed workload",
            "",
            f"{mixed.get('distinct_requests', mixed.get('mix_size'))} distinct requests, a fresh "
            "service (2 workers) per level; memory is the workers' PSS.",
            "",
            "| clients | req/s | statuses | socket errors | memory start / peak / end (MB) "
            "| mean first / last third (MB) |",
            "|---|---:|---|---|---|---|",
        ]
        runs = [(str(r["clients"]), r) for r in mixed["runs"]]
        if mixed.get("soak"):
            runs.append((f"{mixed['soak']['clients']}, again (same service)", mixed["soak"]))
        for label, r in runs:
            m = r.get("server_pss_mb") or r.get("server_rss_mb") or {}
            lines.append(
                f"| {label} | {r['requests_per_s']:.0f} | {r['statuses']} | "
                f"{r['socket_errors']} | {m.get('start')} / {m.get('peak')} / {m.get('end')} "
                f"| {m.get('mean_first_third')} / {m.get('mean_last_third')} |"
            )
    return "\n".join(lines) + "\n"


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.1f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer runs and shorter loads")
    ap.add_argument(
        "--skip", nargs="*", default=[], choices=["load", "api", "tiles", "pcn_programmes", "mixed"]
    )
    args = ap.parse_args()
    data = os.environ.get("DEPMAP_DATA_DIR")
    if not data or not Path(data).is_dir():
        sys.exit("set DEPMAP_DATA_DIR to the data folder")
    missing = missing_tools(tipg="tiles" not in args.skip)
    if missing:
        sys.exit(missing)
    names = ["load", "api", "tiles", "pcn_programmes", "mixed"]
    base = os.environ.get("DATABASE_URL") or DEV_DATABASE_URL
    env = dict(os.environ)
    if "load" not in args.skip:
        step("bench.load", ["--runs", "1" if args.quick else "3", "--database", "bench"], env)
    url = fresh_database(base, "bench", create=False)
    env["DATABASE_URL"] = url
    if "api" not in args.skip:
        step(
            "bench.api",
            ["-n", "50" if args.quick else "200", "--seconds", "5" if args.quick else "10"],
            env,
        )
    if "tiles" not in args.skip:
        step(
            "bench.tiles",
            ["--per-zoom", "10" if args.quick else "30", "--seconds", "5" if args.quick else "10"],
            env,
        )
    if "pcn_programmes" not in args.skip:
        step("bench.pcn_programmes", ["--requests", "20" if args.quick else "50"], env)
    if "mixed" not in args.skip:
        step(
            "bench.mixed",
            ["--clients", "50", "200", "--seconds", "15" if args.quick else "60"],
            env,
        )
    after = {n: latest(n) for n in names}
    prior = {n: previous(n, after[n]) for n in names}
    out = RESULTS / "summary.md"
    out.write_text(summary(prior, after))
    print(out.read_text())


if __name__ == "__main__":
    main()
