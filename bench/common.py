"""Shared helpers for the benchmarks: start the service, time requests, write results."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def missing_tools(tipg: bool) -> str | None:
    """What the benchmarks need and this machine lacks, as a message, or None."""
    import importlib.util

    if tipg and importlib.util.find_spec("tipg") is None:
        return "the tiles benchmark runs tipg beside depmap: pip install -e '.[bench]'"
    if shutil.which("wrk") is None:
        return "the benchmarks measure throughput with wrk: apt-get install -y wrk"
    return None


def quantiles(ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 (numpy's linear interpolation), mean and max of timings in ms; ``n`` says
    how many there were (a p99 of 30 samples is close to the maximum)."""
    import numpy as np

    xs = sorted(ms)

    def q(p: float) -> float:
        return round(float(np.percentile(xs, p * 100)), 2)

    return {
        "n": len(xs),
        "p50_ms": q(0.5),
        "p95_ms": q(0.95),
        "p99_ms": q(0.99),
        "mean_ms": round(statistics.fmean(xs), 2),
        "max_ms": round(xs[-1], 2),
    }


def process_tree_rss_mb(pid: int) -> float:
    """Memory of a process and its children (MB): the sum of their proportional set sizes
    (PSS, from /proc/<pid>/smaps_rollup), so pages the workers share count once."""
    total = 0
    pids = [pid]
    try:
        out = subprocess.run(
            ["pgrep", "-g", str(os.getpgid(pid))], capture_output=True, text=True
        ).stdout
        pids = [int(p) for p in out.split()] or [pid]
    except (ProcessLookupError, ValueError):
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
    return round(total / 1024, 1)


def time_requests(
    client: httpx.Client, make: Callable[[int], httpx.Request], n: int
) -> tuple[list[float], int]:
    ms, errors = [], 0
    for i in range(n):
        req = make(i)
        t0 = time.perf_counter()
        r = client.send(req)
        ms.append((time.perf_counter() - t0) * 1000)
        if r.status_code >= 400:
            errors += 1
    return ms, errors


def wrk(url: str, connections: int = 20, seconds: int = 10, threads: int = 2) -> dict[str, object]:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    lat = dict(re.findall(r"\s+(50|75|90|99)%\s+([\d.]+\w+)", out))
    return {
        "requests_per_s": rps,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errs.group(1) if errs else None,
        "latency": lat,
        "connections": connections,
        "seconds": seconds,
    }


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_result(name: str, data: dict[str, object]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    data = {"benchmark": name, "when": stamp, "machine": machine(), **git_state(), **data}
    p = RESULTS / f"{name}-{stamp}.json"
    p.write_text(json.dumps(data, indent=2) + "\n")
    (RESULTS / f"{name}-latest.json").write_text(json.dumps(data, indent=2) + "\n")
    return p


def git_state() -> dict[str, object]:
    """The commit the benchmark ran on, and whether the tree had uncommitted changes."""

    def run(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    return {
        "commit": run("rev-parse", "--short", "HEAD") or None,
        "uncommitted_changes": bool(run("status", "--porcelain", "--untracked-files=no")),
    }
