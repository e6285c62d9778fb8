"""Record the service's answers to a fixed set of requests, and compare two recordings.

A refactoring must not change what the service says. ``record`` asks every request
of :data:`REQUESTS` (through the app in-process, on ``DATABASE_URL``) and writes,
per request, the status, media type, size and SHA-256 of the body; the bodies
themselves go to a folder beside it so that a difference can be read. ``compare``
lists the requests whose answers differ.

The data version (in tile URLs and TileJSON), the id of a posted custom area and
Folium's element ids change from run to run; they are replaced by ``<version>``,
``<custom>`` and ``<id>`` before hashing, so two runs on the same data give the
same hashes.

    python -m bench.answers record bench/tmp/answers-before
    python -m bench.answers record bench/tmp/answers-after
    python -m bench.answers compare bench/tmp/answers-before bench/tmp/answers-after

Loads since 2026-12-04 are deterministic (float sums in a fixed order, tile features in
code order), so two loads of the same data answer byte for byte alike. Earlier loads
were not: to compare across such a reload, ``compare --rel 1e-9`` compares meanings
(floats to a relative tolerance, tile features in any order).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

ICB = "E54000008"  # NHS Cheshire and Merseyside
LA = "E06000006"  # Halton
LSOA = "E01012733"
MSOA = "E02001346"
SICBL = "E38000101"
PCN = "U04901"
SUSSEX_PCN = "nhs-sussex-icb:U01092"
PROGRAMME_AREA = "left-behind-neighbourhoods:E06000002-02"
PROGRAMME = "left-behind-neighbourhoods"

#: A small polygon over Runcorn (WGS84), posted as a custom area.
POLYGON = {
    "type": "Feature",
    "properties": {"name": "Snapshot polygon"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[-2.74, 53.33], [-2.70, 53.33], [-2.70, 53.35], [-2.74, 53.35], [-2.74, 53.33]]
        ],
    },
}


def _requests() -> list[str]:
    r: list[str] = [
        "/areas?q=Liverpool",
        "/areas?kind=icb&limit=100",
        "/areas?kind=pcn&format=csv&limit=1000",
        f"/areas/{ICB}",
        f"/areas/{ICB}?format=geojson",
        f"/areas/{LA}",
        f"/areas/{LSOA}?area_kind=lsoa21",
        f"/areas/{PROGRAMME_AREA}",
        "/areas/E99999999",
        "/indicators",
    ]
    for kind in ("lsoa21", "msoa21", "lsoa11", "ward", "ltla", "sicbl", "icb", "pcn", "programme"):
        r.append(f"/areas/{ICB}/overlaps?kind={kind}")
    for kind in ("pcn", "ward", "lsoa21", "programme", "icb"):
        r.append(f"/areas/{LA}/overlaps?kind={kind}")
    r += [
        f"/areas/{ICB}/overlaps?kind=sicbl&format=csv",
        f"/areas/{ICB}/overlaps?kind=ltla&format=geojson",
        f"/areas/{ICB}/overlaps?kind=msoa21&min_share=0.5",
        f"/areas/{LSOA}/overlaps?kind=pcn",
        f"/areas/{MSOA}/overlaps?kind=ward",
        f"/areas/{PCN}/overlaps?kind=lsoa21",
        f"/areas/{PCN}/overlaps?kind=ltla",
        f"/areas/{SUSSEX_PCN}/overlaps?kind=pcn",
        f"/areas/{PROGRAMME_AREA}/overlaps?kind=lsoa21",
        f"/areas/{PROGRAMME_AREA}/overlaps?kind=pcn",
        f"/areas/{ICB}/overlaps?kind=bogus",
    ]
    for d in ("imd", "income", "employment", "education", "health", "crime", "housing"):
        r.append(f"/areas/{ICB}/deprivation?domain={d}")
    for code in (LA, LSOA, MSOA, SICBL, PCN, SUSSEX_PCN, PROGRAMME_AREA):
        r.append(f"/areas/{code}/deprivation")
    for kind in ("msoa21", "ward", "ltla", "sicbl", "icb", "pcn", "programme"):
        r.append(f"/rankings?kind={kind}")
    r += [
        "/rankings?kind=ltla&format=csv",
        "/rankings?kind=icb&domain=health&measure=extent",
        "/rankings?kind=msoa21&domain=income&measure=scale&format=csv",
        f"/rankings?kind=programme&programme={PROGRAMME}",
        f"/areas/{ICB}/hotspots",
        f"/areas/{ICB}/hotspots?format=csv",
        f"/areas/{ICB}/hotspots?unit=msoa21&format=csv",
        f"/areas/{LA}/hotspots?format=geojson",
        f"/areas/{LA}/hotspots?fdr=true&domain=health",
        f"/areas/{LSOA}/hotspots",
    ]
    for code in (ICB, LA, LSOA, SICBL, PCN, PROGRAMME_AREA):
        r.append(f"/areas/{code}/profile")
    r += [
        "/programmes",
        f"/programmes/{PROGRAMME}/summary",
        f"/programmes/{PROGRAMME}/summary?format=csv",
        "/programmes/nope/summary",
        f"/areas/{PROGRAMME_AREA}/comparators",
        f"/areas/{LA}/comparators?format=csv",
        f"/areas/{ICB}/comparators",
        "/tiles",
        "/tiles/lsoa21.json",
        "/tiles/icb.json",
        f"/map?area={ICB}",
        "/map",
    ]
    for layer, z, x, y in (
        ("lsoa21", 5, 15, 10),
        ("lsoa21", 7, 62, 41),
        ("lsoa21", 9, 251, 165),
        ("lsoa21", 12, 2014, 1300),
        ("lsoa21", 14, 8057, 5203),
        ("msoa21", 10, 503, 330),
        ("ltla", 8, 125, 82),
        ("sicbl", 7, 62, 41),
        ("icb", 6, 31, 20),
        ("pcn", 10, 505, 334),
        ("programme", 9, 251, 165),
    ):
        r.append(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    return r


REQUESTS: tuple[str, ...] = tuple(_requests())
#: After posting :data:`POLYGON`: ``{id}`` is the custom area's id.
CUSTOM_REQUESTS: tuple[str, ...] = (
    "/areas/{id}",
    "/areas/{id}/deprivation",
    "/areas/{id}/overlaps?kind=lsoa21",
    "/areas/{id}/overlaps?kind=pcn",
    "/areas/{id}/overlaps?kind=ward",
    "/areas/{id}/profile",
)


def _normalise(body: bytes, version: int, custom: str | None) -> bytes:
    b = body
    if custom:
        b = b.replace(custom.encode(), b"<custom>")
    b = re.sub(rb"(v=|\"version\":\s*\"?(?:1\.0\.)?)" + str(version).encode(), rb"\1<version>", b)
    # Folium names its elements with random ids
    return re.sub(rb"\b([a-z_]+)_[0-9a-f]{32}\b", rb"\1_<id>", b)


def record(out: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.main import create_app
    from depmap.core.settings import ApiSettings, DatabaseSettings

    token = "answers-token-0123456789"
    app = create_app(
        ApiSettings(api_token=token, env="test", response_cache_entries=0),  # type: ignore[arg-type]
        DatabaseSettings(),
    )
    bodies = out.with_suffix("")
    bodies.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {}
    with TestClient(app, raise_server_exceptions=False) as c:
        version = int(c.get("/healthz").json().get("data_version") or 0)

        auth = {"Authorization": f"Bearer {token}"}

        def ask(path: str, key: str, custom: str | None = None) -> None:
            r = c.get(path, headers=auth if custom else None)  # custom areas are private
            body = _normalise(r.content, version, custom)
            name = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")[:120]
            (bodies / f"{name}.out").write_bytes(body)
            result[key] = {
                "status": r.status_code,
                "type": r.headers.get("content-type", ""),
                "bytes": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }

        for path in REQUESTS:
            ask(path, path)
        created = c.post("/areas", json=POLYGON, headers=auth)
        if created.status_code != 201:
            raise SystemExit(f"POST /areas answered {created.status_code}: {created.text}")
        cid = created.json()["id"]
        try:
            for tmpl in CUSTOM_REQUESTS:
                ask(tmpl.format(id=cid), tmpl, cid)
        finally:
            c.delete(f"/areas/{cid}", headers=auth)
    out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    return result


def _close(u: Any, v: Any, rel: float) -> bool:
    if isinstance(u, float) or isinstance(v, float):
        if u is None or v is None:
            return u is v
        return bool(abs(float(u) - float(v)) <= rel * max(abs(float(u)), abs(float(v)), 1e-300))
    if isinstance(u, dict) and isinstance(v, dict):
        return u.keys() == v.keys() and all(_close(u[k], v[k], rel) for k in u)
    if isinstance(u, list) and isinstance(v, list):
        return len(u) == len(v) and all(_close(p, q, rel) for p, q in zip(u, v, strict=True))
    return bool(u == v)


def _number(cell: str) -> Any:
    try:
        return float(cell)
    except ValueError:
        return cell


def same_meaning(kind: str, a: bytes, b: bytes, rel: float) -> bool:
    """Whether two answers say the same: JSON and CSV with floats equal to ``rel``, tiles
    with the same features in any order."""
    if a == b:
        return True
    if "json" in kind:
        return _close(json.loads(a), json.loads(b), rel)
    if "csv" in kind:
        import csv
        import io

        ra = [[_number(c) for c in r] for r in csv.reader(io.StringIO(a.decode()))]
        rb = [[_number(c) for c in r] for r in csv.reader(io.StringIO(b.decode()))]
        return _close(ra, rb, rel)
    if "vector-tile" in kind:
        import mapbox_vector_tile

        def features(body: bytes) -> dict[str, list[str]]:
            layers = mapbox_vector_tile.decode(body) if body else {}
            return {
                name: sorted(json.dumps(f, sort_keys=True) for f in layer["features"])
                for name, layer in layers.items()
            }

        return features(a) == features(b)
    return False


def compare(a: Path, b: Path, rel: float | None = None) -> list[str]:
    """Requests whose answers differ: byte for byte, or (``rel``) in meaning."""
    x, y = json.loads(a.read_text()), json.loads(b.read_text())
    diff = []
    for k in sorted(set(x) | set(y)):
        if x.get(k) == y.get(k):
            continue
        if rel is not None and k in x and k in y and x[k]["status"] == y[k]["status"]:
            name = re.sub(r"[^A-Za-z0-9]+", "_", k).strip("_")[:120]
            body_a = (a.with_suffix("") / f"{name}.out").read_bytes()
            body_b = (b.with_suffix("") / f"{name}.out").read_bytes()
            if same_meaning(x[k]["type"], body_a, body_b, rel):
                continue
        diff.append(k)
    return diff


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record", help="record the answers (DATABASE_URL) into FILE.json")
    r.add_argument("file", type=Path)
    c = sub.add_parser("compare", help="list the requests whose answers differ")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    c.add_argument(
        "--rel",
        type=float,
        default=None,
        help="compare meanings, not bytes: floats equal to this relative tolerance, tile "
        "features in any order (answers of two loads of the same data)",
    )
    args = p.parse_args(argv)
    if args.cmd == "record":
        os.environ.setdefault("DEPMAP_LOG_LEVEL", "WARNING")
        res = record(args.file.with_suffix(".json"))
        print(f"{len(res)} answers recorded in {args.file.with_suffix('.json')}")
        return 0
    d = compare(args.a.with_suffix(".json"), args.b.with_suffix(".json"), args.rel)
    for k in d:
        print(f"differs: {k}")
    print(f"{len(d)} of the answers differ")
    return 1 if d else 0


if __name__ == "__main__":
    sys.exit(main())
