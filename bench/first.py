"""First answers (issue 10): answers computed with the answer cache off, over many areas.

    DATABASE_URL=... python -m bench.first [--sample 150] [--seed 1]

Every request is computed (``DEPMAP_RESPONSE_CACHE_ENTRIES=0``) and the areas vary from
request to request, so the percentiles are over many different areas, not one repeated:

* ``overlaps_icb_lsoa21``: every ICB's LSOA21 overlaps, three rounds in a shuffled order;
* ``overlaps_ltla`` / ``overlaps_sicbl`` / ``overlaps_msoa21``: a sample of areas of that
  kind, each asked for the overlaps with another kind in turn (every kind of area);
* ``hotspots_ltla``: every local authority's LSOA hotspots (the default unit; the Isles
  of Scilly, one LSOA, have none);
* ``deprivation``: a sample of areas of every official kind.

One client, one service worker. Results: ``bench/results/first-*.json`` and
``bench/results/first.md``, with the goals and the slowest areas of each case.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import httpx
from sqlalchemy import text

from bench.common import RESULTS, quantiles, write_result
from depmap.core.db import make_engine
from tests.live import server_process

#: p95 goals (ms), from the issue
GOALS_MS = {
    "overlaps_icb_lsoa21": 20,
    "overlaps_ltla": 15,
    "overlaps_sicbl": 15,
    "overlaps_msoa21": 15,
    "hotspots_ltla": 500,
    "deprivation": 10,
}
OTHER_KINDS = ("lsoa21", "msoa21", "lsoa11", "ward", "ltla", "sicbl", "icb", "pcn", "programme")
DEPRIVATION_KINDS = ("icb", "sicbl", "ltla", "msoa21", "ward", "lsoa21", "lsoa11", "pcn")


def codes(kind: str, min_lsoas: int = 0) -> list[str]:
    """The codes of the areas of a kind (with at least ``min_lsoas`` LSOA21s)."""
    engine = make_engine()
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT a.code FROM area a WHERE a.kind = :k AND (SELECT count(*) "
                    "FROM area_lsoa w WHERE w.area_id = a.id) >= :n ORDER BY a.code"
                ),
                {"k": kind, "n": min_lsoas},
            )
            return [r[0] for r in rows]
    finally:
        engine.dispose()


def plan(sample: int, seed: int) -> dict[str, list[str]]:
    """The paths of every case, in the order they are asked."""
    rnd = random.Random(seed)
    cases: dict[str, list[str]] = {}
    icbs = codes("icb")
    rounds = [c for _ in range(3) for c in rnd.sample(icbs, len(icbs))]
    cases["overlaps_icb_lsoa21"] = [f"/areas/{c}/overlaps?kind=lsoa21" for c in rounds]
    for kind in ("ltla", "sicbl", "msoa21"):
        chosen = rnd.sample(codes(kind), min(sample, len(codes(kind))))
        cases[f"overlaps_{kind}"] = [
            f"/areas/{c}/overlaps?kind={OTHER_KINDS[i % len(OTHER_KINDS)]}"
            for i, c in enumerate(chosen)
        ]
    ltlas = codes("ltla", min_lsoas=3)  # hotspots need 3 units (not the Isles of Scilly)
    cases["hotspots_ltla"] = [f"/areas/{c}/hotspots" for c in rnd.sample(ltlas, len(ltlas))]
    dep: list[str] = []
    for kind in DEPRIVATION_KINDS:
        pool = codes(kind)
        dep += [f"/areas/{c}/deprivation" for c in rnd.sample(pool, min(sample // 4, len(pool)))]
    rnd.shuffle(dep)
    cases["deprivation"] = dep
    return cases


def run(sample: int, seed: int) -> dict[str, object]:
    cases = plan(sample, seed)
    out: dict[str, object] = {"sample": sample, "seed": seed, "goals_p95_ms": GOALS_MS}
    env = {"DEPMAP_RESPONSE_CACHE_ENTRIES": "0"}
    with server_process(env) as (base, _pid), httpx.Client(base_url=base, timeout=120) as c:
        # connections, the first query of each statement, the per-version frames: not timed
        for paths in cases.values():
            c.get(paths[0])
        for name, paths in cases.items():
            ms: list[float] = []
            errors = 0
            for p in paths:
                t0 = time.perf_counter()
                r = c.get(p)
                ms.append((time.perf_counter() - t0) * 1000)
                errors += r.status_code != 200
            slowest = sorted(zip(ms, paths, strict=True), reverse=True)[:3]
            q = quantiles(ms)
            out[name] = {
                **q,
                "errors": errors,
                "goal_p95_ms": GOALS_MS[name],
                "met": q["p95_ms"] <= GOALS_MS[name],
                "slowest": [{"ms": round(m, 1), "path": p} for m, p in slowest],
            }
    return out


def markdown(res: dict[str, object]) -> str:
    lines = [
        "# First answers: benchmark",
        "",
        "Run: `DATABASE_URL=... python -m bench.first` (national data loaded). Answer cache",
        "off, one client, one worker; every case asks many different areas (see the module",
        "docstring).",
        "",
        "| case | requests | p50 ms | p95 ms | max ms | goal p95 | met | slowest |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in GOALS_MS:
        r = res[name]
        assert isinstance(r, dict)
        slow = r["slowest"][0]
        lines.append(
            f"| {name} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} "
            f"| {r['goal_p95_ms']} | {'yes' if r['met'] else 'no'} | `{slow['path']}` |"
        )
    lines += ["", "Raw numbers: `bench/results/first-latest.json`.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=150, help="areas per sampled case")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    res = run(args.sample, args.seed)
    p = write_result("first", res)
    (RESULTS / "first.md").write_text(markdown(res))
    print((RESULTS / "first.md").read_text())
    print(json.dumps({k: v for k, v in res.items() if isinstance(v, dict)}, indent=1)[:3000])
    print(f"written {p}")


if __name__ == "__main__":
    main()
