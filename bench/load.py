"""`depmap load all` on the shared data: wall time and peak memory (issue 2).

    python -m bench.load --runs 3        # DATABASE_URL, DEPMAP_DATA_DIR set

The first run goes into a freshly created database (`<db>_benchload`, or
`<db>_<--database>`), the others
reload it (the usual case: the data changes a few times a year). Reports every
run, the median and the peak resident memory of the load process.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import write_result
from depmap.core.settings import DEV_DATABASE_URL


def fresh_database(base: str, suffix: str, create: bool = True) -> str:
    """The URL of database ``<base db>_<suffix>``, dropped and created empty if ``create``."""
    u = make_url(base)
    name = f"{u.database}_{suffix}"
    if not create:
        return u.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(
        u.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as c:
        c.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": name},
        )
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return u.set(database=name).render_as_string(hide_password=False)


def one_run(url: str, data_dir: str) -> dict[str, float]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEPMAP_PROGRESS": "false",
        "DEPMAP_LOG_LEVEL": "WARNING",
    }
    t0 = time.perf_counter()
    p = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "-m",
            "depmap",
            "load",
            "all",
            "--data-dir",
            data_dir,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-3000:])
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))  # type: ignore[union-attr]
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(rss / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data-dir", default=os.environ.get("DEPMAP_DATA_DIR"))
    ap.add_argument(
        "--database",
        default="benchload",
        help="suffix of the database made for the runs (<DATABASE_URL db>_<suffix>)",
    )
    args = ap.parse_args()
    if not args.data_dir:
        sys.exit("set DEPMAP_DATA_DIR or pass --data-dir")
    url = fresh_database(os.environ.get("DATABASE_URL") or DEV_DATABASE_URL, args.database)
    subprocess.run(
        [sys.executable, "-m", "depmap", "db", "init"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    runs = []
    for i in range(args.runs):
        r = one_run(url, args.data_dir)
        r["kind"] = "fresh database" if i == 0 else "reload"
        runs.append(r)
        print(f"run {i + 1}: {r}", flush=True)
    walls = [r["wall_s"] for r in runs]
    res = {
        "runs": runs,
        "median_wall_s": statistics.median(walls),
        "median_reload_wall_s": statistics.median(walls[1:]) if len(walls) > 1 else None,
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "target_wall_s": 90,
        "met": statistics.median(walls) <= 90,
        "command": f"depmap load all --data-dir {args.data_dir}",
    }
    print(write_result("load", res))
    print(res)


if __name__ == "__main__":
    main()
