"""Files analysts open, on the national data: every GeoPackage (``format=gpkg``) read back
with pyogrio, every Excel workbook (``format=xlsx``) with openpyxl, each compared with the
JSON answer of the same request: the same rows, codes and numbers, boundaries in British
National Grid, every column defined on the About sheet."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from pandas.api.types import is_numeric_dtype

from depmap.core.vocab import DOMAIN_TABLE, HEALTH_TABLE, MEASURE_TABLE, MEASURES

pytestmark = [pytest.mark.db, pytest.mark.data]

GPKG = "application/geopackage+sqlite3"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICB, STAFFS, LA = "E54000008", "E54000010", "E06000006"
PROGRAMME = "left-behind-neighbourhoods"
PROGRAMME_AREA = "left-behind-neighbourhoods:E06000002-02"
#: England in British National Grid metres (Isles of Scilly to Berwick, Land's End to
#: Lowestoft), with a margin
ENGLAND_BNG = (80_000.0, 5_000.0, 660_000.0, 660_000.0)

#: (path with its query, the key of the JSON answer holding the rows, the file's name)
GPKG_REQUESTS: list[tuple[str, str, str]] = [
    (f"/areas/{ICB}/overlaps?kind=lsoa21", "overlaps", f"{ICB}-overlaps-lsoa21.gpkg"),
    (f"/areas/{ICB}/overlaps?kind=sicbl", "overlaps", f"{ICB}-overlaps-sicbl.gpkg"),
    (f"/areas/{STAFFS}/overlaps?kind=pcn", "overlaps", f"{STAFFS}-overlaps-pcn.gpkg"),
    ("/rankings?kind=icb", "areas", "rankings-icb-imd.gpkg"),
    ("/rankings?kind=ltla&domain=income&measure=scale", "areas", "rankings-ltla-income.gpkg"),
    ("/rankings?kind=pcn", "areas", "rankings-pcn-imd.gpkg"),
    (
        "/rankings?kind=programme&programme=Left-behind%20neighbourhoods",
        "areas",
        f"rankings-programme-imd-{PROGRAMME}.gpkg",
    ),
    (f"/areas/{ICB}/hotspots", "units", f"{ICB}-hotspots-lsoa21-imd.gpkg"),
    (f"/areas/{ICB}/hotspots?unit=msoa21&domain=health", "units", None),
    (
        f"/areas/{ICB}/hotspots?table=msoas&measure=extent",
        "msoa_concentration",
        f"{ICB}-hotspots-msoas-imd-extent.gpkg",
    ),
    (f"/programmes/{PROGRAMME}/summary", "areas", f"{PROGRAMME}-summary.gpkg"),
]


def _with(path: str, **params: str) -> str:
    sep = "&" if "?" in path else "?"
    return path + sep + "&".join(f"{k}={v}" for k, v in params.items())


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _filename(r: Any) -> str:
    m = re.search(r'attachment; filename="([^"]+)"', r.headers["content-disposition"])
    assert m, r.headers["content-disposition"]
    return m.group(1)


def _walked(paths: list[str]) -> set[str]:
    out = {re.sub(r"/areas/[^/]+", "/areas/{area_id}", p.split("?")[0]) for p in paths}
    return {re.sub(r"/programmes/[^/]+/", "/programmes/{name}/", p) for p in out}


def _routes_with(spec: dict[str, Any], media: str) -> set[str]:
    return {
        p
        for p, ops in spec["paths"].items()
        for op in ops.values()
        if media in op["responses"].get("200", {}).get("content", {})
    }


def test_every_gpkg_and_xlsx_route_is_walked(client):
    """A route that can write a GeoPackage or a workbook is in GPKG_REQUESTS or
    XLSX_REQUESTS (a new one must be added here), and a route declares the media type in
    its OpenAPI responses exactly when its ``format`` takes the value."""
    spec = client.get("/openapi.json").json()
    assert _routes_with(spec, GPKG) <= _walked([p for p, _, _ in GPKG_REQUESTS])
    assert _routes_with(spec, XLSX) <= _walked([p for p, _ in XLSX_REQUESTS])
    assert _routes_with(spec, GPKG) and _routes_with(spec, XLSX)
    schemas = spec["components"]["schemas"]
    for path, ops in spec["paths"].items():
        for op in ops.values():
            content = op["responses"].get("200", {}).get("content", {})
            fmt = next((p for p in op.get("parameters", []) if p["name"] == "format"), None)
            if fmt is None:
                assert GPKG not in content and XLSX not in content, path
                continue
            ref = fmt["schema"].get("$ref") or fmt["schema"]["allOf"][0]["$ref"]
            allowed = schemas[ref.rsplit("/", 1)[1]]["enum"]
            assert ("gpkg" in allowed) == (GPKG in content), path
            assert ("xlsx" in allowed) == (XLSX in content), path


@pytest.mark.parametrize(("path", "rows_key", "filename"), GPKG_REQUESTS)
def test_gpkg_holds_the_answer_with_its_boundaries_in_british_national_grid(
    client, tmp_path: Path, path, rows_key, filename
):
    r = client.get(_with(path, format="gpkg"))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == GPKG
    name = _filename(r)
    assert name.endswith(".gpkg") and (filename is None or name == filename)
    f = tmp_path / name
    f.write_bytes(r.content)

    layers = pyogrio.list_layers(f)
    assert len(layers) == 1, layers
    layer, geometry_type = layers[0]
    assert layer == re.sub(r"[^A-Za-z0-9]+", "_", name.removesuffix(".gpkg")), layer
    assert geometry_type == "MultiPolygon"
    info = pyogrio.read_info(f, layer=layer)
    assert info["crs"] == "EPSG:27700"

    rows = client.get(path).json()[rows_key]
    csv_header = client.get(_with(path, format="csv")).text.splitlines()[0].split(",")
    df = pyogrio.read_dataframe(f, layer=layer)
    assert list(df.columns) == [*csv_header, "geometry"], "attributes are the CSV's columns"
    assert len(df) == len(rows) > 0
    assert df["code"].tolist() == [x["code"] for x in rows]
    for col in csv_header:
        values = [x[col] for x in rows]
        present = [v for v in values if v is not None]
        if not present or not all(_is_number(v) for v in present):
            continue
        assert is_numeric_dtype(df[col]), (col, df[col].dtype)
        for got, want in zip(df[col].tolist(), values, strict=True):
            if want is None:
                assert _missing(got), col
            else:
                assert got == pytest.approx(want, rel=1e-12, abs=1e-9), col

    geoms = df.geometry.to_numpy()
    assert df.crs.to_epsg() == 27700
    assert not shapely.is_missing(geoms).any()
    assert shapely.is_valid(geoms).all()
    assert set(shapely.get_type_id(geoms)) <= {3, 6}  # Polygon, MultiPolygon
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    e0, n0, e1, n1 = ENGLAND_BNG
    assert e0 <= x0 < x1 <= e1 and n0 <= y0 < y1 <= n1, (x0, y0, x1, y1)


def test_gpkg_boundaries_are_the_stored_ones(client, tmp_path: Path):
    """The programme areas' boundaries, as stored: their areas in m² are the answer's km²."""
    r = client.get(f"/programmes/{PROGRAMME}/summary?format=gpkg")
    (tmp_path / "p.gpkg").write_bytes(r.content)
    df = pyogrio.read_dataframe(tmp_path / "p.gpkg")
    for area_m2, km2 in zip(df.geometry.area, df["area_km2"], strict=True):
        assert area_m2 / 1e6 == pytest.approx(km2, abs=2e-6)


def test_gpkg_of_a_private_custom_area_needs_the_token_and_is_not_shared(
    client, auth, tmp_path: Path
):
    polygon = {
        "type": "Feature",
        "properties": {"name": "File export test"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[-2.99, 53.40], [-2.97, 53.40], [-2.97, 53.41], [-2.99, 53.41], [-2.99, 53.40]]
            ],
        },
    }
    made = client.post("/areas", json=polygon, headers=auth)
    assert made.status_code == 201
    cid = made.json()["id"]
    try:
        path = f"/areas/{cid}/overlaps?kind=lsoa21&format=gpkg"
        assert client.get(path).status_code == 401
        r = client.get(path, headers=auth)
        assert r.status_code == 200 and r.headers["content-type"] == GPKG
        assert r.headers["cache-control"].startswith("private")
        assert _filename(r) == f"{cid}-overlaps-lsoa21.gpkg"
        n = client.get(path.replace("&format=gpkg", ""), headers=auth).json()["count"]
        (tmp_path / "c.gpkg").write_bytes(r.content)
        assert len(pyogrio.read_dataframe(tmp_path / "c.gpkg")) == n > 0
    finally:
        client.delete(f"/areas/{cid}", headers=auth)


def test_a_gpkg_answer_is_cached_with_an_etag(client):
    path = "/rankings?kind=icb&format=gpkg"
    r1 = client.get(path)
    r2 = client.get(path, headers={"If-None-Match": r1.headers["etag"]})
    assert r2.status_code == 304
    assert client.get(path).content == r1.content


# --- Excel workbooks ----------------------------------------------------------------------


def _summary_tables(answer: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    pcns = [
        {
            "area_code": a["code"],
            "area_name": a["name"],
            "pcn_code": p["code"],
            "pcn_name": p["name"],
            **p,
        }
        for a in answer["areas"]
        for p in a["pcns"]
    ]
    return {"Areas": answer["areas"], "PCNs": pcns}


def _profile_tables(answer: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    dep = []
    deciles = []
    for d, x in answer["deprivation"].items():
        ranks = x["ranks"] or {}
        dep.append(
            {
                "domain": d,
                **x,
                **{f"rank_{m}": ranks.get(m) for m in MEASURES},
                "rank_of": ranks.get("of"),
            }
        )
        deciles += [{"domain": d, **y, "share_of_population": y["share"]} for y in x["deciles"]]
    overlaps = [{"kind": k, **o} for k, items in answer["overlaps"].items() for o in items]
    return {
        "Area": [answer["area"]],
        "Deprivation": dep,
        "Deciles": deciles,
        "Health": answer["health"],
        "Overlaps": overlaps,
    }


#: (path with its query, how the JSON answer's tables are found by sheet)
XLSX_REQUESTS: list[tuple[str, Any]] = [
    ("/rankings?kind=ltla", lambda a: {"Rankings": a["areas"]}),
    ("/rankings?kind=icb&domain=income&measure=scale", lambda a: {"Rankings": a["areas"]}),
    (f"/programmes/{PROGRAMME}/summary", _summary_tables),
    (f"/areas/{ICB}/profile", _profile_tables),
    (f"/areas/{PROGRAMME_AREA}/profile", _profile_tables),
    (f"/areas/{STAFFS}/profile", _profile_tables),
]
XLSX_NAMES = {
    "/rankings?kind=ltla": "rankings-ltla-imd.xlsx",
    f"/programmes/{PROGRAMME}/summary": f"{PROGRAMME}-summary.xlsx",
    f"/areas/{ICB}/profile": f"{ICB}-profile.xlsx",
}


def _about(ws: Any) -> dict[str, Any]:
    """The About sheet's sections: the sheets it lists, the columns it defines, the
    sources it names."""
    rows = [tuple(c for c in r) for r in ws.iter_rows(values_only=True)]
    out: dict[str, Any] = {"sheets": [], "columns": {}, "sources": set()}
    section = None
    for r in rows:
        head = tuple(v for v in r if v is not None)
        if head == ("Sheet", "Holds"):
            section = "sheets"
        elif head == ("Sheet", "Column", "Definition"):
            section = "columns"
        elif head[:2] == ("Source", "Vintage"):
            section = "sources"
        elif not head:
            section = None
        elif section == "sheets":
            out["sheets"].append(r[0])
        elif section == "columns":
            out["columns"][(r[0], r[1])] = r[2]
        elif section == "sources":
            out["sources"].add((r[0], r[1]))
    return out


@pytest.mark.parametrize(("path", "tables"), XLSX_REQUESTS)
def test_xlsx_holds_the_answer_as_numbers_with_every_column_defined(client, path, tables):
    r = client.get(_with(path, format="xlsx"))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == XLSX
    name = _filename(r)
    assert name.endswith(".xlsx") and name == XLSX_NAMES.get(path, name)
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    about = _about(wb["About"])
    assert wb.sheetnames == ["About", *about["sheets"]], "the sheets it says"
    expected = tables(client.get(path).json())
    assert set(expected) == set(about["sheets"])

    # the sources and vintages are the ones the loaders recorded
    catalogue = client.get("/indicators").json()["indicators"]
    assert about["sources"] == {(i["source"], i["vintage"]) for i in catalogue}

    for sheet, rows in expected.items():
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        assert header and all(c.font.b for c in ws[1]), "a bold header row"
        assert ws.freeze_panes == "A2"
        for i, col in enumerate(header, start=1):
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
            assert (width and len(col) + 2 <= width <= 60) or width == 60, (sheet, col, width)
            definition = about["columns"].get((sheet, col))
            assert definition, f"About defines {sheet}.{col}"
            # in the vocabulary's words
            if col in MEASURE_TABLE:
                assert MEASURE_TABLE[col].label in definition
            if col in HEALTH_TABLE:
                assert HEALTH_TABLE[col].label in definition
            if col.removesuffix("_average_score") in DOMAIN_TABLE:
                assert DOMAIN_TABLE[col.removesuffix("_average_score")].name in definition
        assert set(about["columns"]) >= {(sheet, c) for c in header}
        body = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(body) == len(rows), sheet
        for col_i, col in enumerate(header):
            values = [x.get(col) for x in rows]
            present = [v for v in values if v is not None]
            if not present or not all(_is_number(v) for v in present):
                continue
            for cells, want in zip(body, values, strict=True):
                got = cells[col_i]
                if want is None:
                    assert got is None, (sheet, col)
                else:
                    assert _is_number(got), (sheet, col, got)  # a number, not text
                    assert got == pytest.approx(want, rel=1e-12, abs=1e-9), (sheet, col)
        if "code" in header:
            assert [b[header.index("code")] for b in body] == [x["code"] for x in rows]


def test_profile_workbook_names_the_area_and_its_domains(client):
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/areas/{ICB}/profile?format=xlsx").content))
    area = dict(
        zip([c.value for c in wb["Area"][1]], [c.value for c in wb["Area"][2]], strict=True)
    )
    assert area["code"] == ICB and area["lsoa21_count"] == 1601 and area["kind"] == "icb"
    domains = [r[0] for r in wb["Deprivation"].iter_rows(min_row=2, values_only=True)]
    assert domains == list(DOMAIN_TABLE)
    kinds = {r[0] for r in wb["Overlaps"].iter_rows(min_row=2, values_only=True)}
    assert {"sicbl", "ltla", "pcn"} <= kinds


# --- formats a route cannot write ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (f"/areas/{ICB}/lsoas?format=gpkg", ("json", "csv", "geojson")),
        (f"/areas/{ICB}/profile?format=gpkg", ("json", "xlsx")),
        (f"/areas/{ICB}/profile?format=csv", ("json", "xlsx")),
        (f"/areas/{ICB}/overlaps?kind=icb&format=xlsx", ("json", "csv", "geojson", "gpkg")),
        (f"/areas/{ICB}/hotspots?format=xlsx", ("json", "csv", "geojson", "gpkg")),
        (f"/areas/{LA}/comparators?format=gpkg", ("json", "csv")),
        (f"/areas/{ICB}/change?format=xlsx", ("json", "csv")),
        ("/rankings?kind=icb&format=shp", ("json", "csv", "gpkg", "xlsx")),
        (f"/programmes/{PROGRAMME}/summary?format=geojson", ("json", "csv", "gpkg", "xlsx")),
        ("/areas?q=Liverpool&format=xlsx", ("json", "csv")),
    ],
)
def test_a_format_the_route_cannot_write_is_a_422_listing_the_allowed_ones(client, path, allowed):
    r = client.get(path)
    assert r.status_code == 422, r.text[:200]
    body = r.json()
    assert body["error"] == "invalid_parameter"
    assert "format" in body["detail"]
    listed = re.findall(r"'(\w+)'", body["detail"])
    assert tuple(listed) == allowed, body["detail"]
