"""Every CSV the service writes, on the national data: it parses with a CSV reader and
with pandas, its columns are the JSON rows' fields, and every column the JSON gives as
numbers is read as numbers (no numpy reprs, no text) with the JSON's values."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from pandas.api.types import is_numeric_dtype

from queries.evaluation import evaluation_rows
from queries.series import change_rows

pytestmark = [pytest.mark.db, pytest.mark.data]

ICB, STAFFS, LA, PROGRAMME_AREA = (
    "E54000008",
    "E54000010",
    "E06000006",
    ("left-behind-neighbourhoods:E06000002-02"),
)

#: (path with its query, the key of the JSON answer that holds the rows, or for the
#: answers whose CSV is a long table made from nested JSON, the function that makes it)
CSV_REQUESTS: list[tuple[str, str | Callable[[dict[str, Any]], list[dict[str, Any]]]]] = [
    ("/areas?q=Liverpool&limit=200", "areas"),
    ("/areas?kind=icb&limit=100", "areas"),
    *((f"/areas/{ICB}/overlaps?kind={k}", "overlaps") for k in ("lsoa21", "sicbl", "ward")),
    (f"/areas/{STAFFS}/overlaps?kind=pcn", "overlaps"),
    *(
        (f"/rankings?kind={k}", "areas")
        for k in ("icb", "ltla", "sicbl", "pcn", "programme", "msoa21", "ward")
    ),
    ("/rankings?kind=ltla&domain=income&measure=scale", "areas"),
    (f"/areas/{ICB}/hotspots", "units"),
    (f"/areas/{ICB}/hotspots?unit=msoa21", "units"),
    (f"/areas/{STAFFS}/hotspots", "units"),
    (f"/areas/{ICB}/hotspots?table=msoas&measure=extent", "msoa_concentration"),
    (f"/areas/{ICB}/lsoas", "lsoas"),
    (f"/areas/{STAFFS}/lsoas?domain=health", "lsoas"),
    ("/programmes/left-behind-neighbourhoods/summary", "areas"),
    (f"/areas/{PROGRAMME_AREA}/comparators", "comparators"),
    (f"/areas/{LA}/comparators?kind=ltla", "comparators"),
    (f"/areas/{ICB}/change", change_rows),
    (f"/areas/{PROGRAMME_AREA}/change?indicator=imd_decile1_share", change_rows),
    ("/programmes/left-behind-neighbourhoods/evaluation?replicates=199", evaluation_rows),
]

NUMBER = re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")


def _with(path: str, **params: str) -> str:
    sep = "&" if "?" in path else "?"
    return path + sep + "&".join(f"{k}={v}" for k, v in params.items())


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def test_every_csv_route_is_walked(client):
    """A route that can answer CSV is in CSV_REQUESTS (a new one must be added here)."""
    spec = client.get("/openapi.json").json()
    csv_paths = {
        p
        for p, ops in spec["paths"].items()
        for op in ops.values()
        if "text/csv" in op["responses"].get("200", {}).get("content", {})
    }
    paths = {p.split("?")[0] for p, _ in CSV_REQUESTS}
    walked = {re.sub(r"/areas/[^/]+", "/areas/{area_id}", p) for p in paths}
    walked = {re.sub(r"/programmes/[^/]+/", "/programmes/{name}/", p) for p in walked}
    assert csv_paths <= walked, csv_paths - walked


@pytest.mark.parametrize(("path", "rows_key"), CSV_REQUESTS)
def test_csv_parses_with_numbers_where_the_json_has_numbers(client, path, rows_key):
    r = client.get(_with(path, format="csv"))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    text = r.text
    assert "np.float" not in text and "np.int" not in text and "numpy" not in text
    lines = list(csv.reader(io.StringIO(text)))
    header, body = lines[0], lines[1:]
    assert body, "no rows"
    assert all(len(row) == len(header) for row in body)
    answer = client.get(path).json()
    rows = answer[rows_key] if isinstance(rows_key, str) else rows_key(answer)
    assert len(rows) == len(body)
    scalar = [k for k, v in rows[0].items() if not isinstance(v, list | dict)]
    assert header == scalar, (set(header) ^ set(scalar), "CSV columns are the JSON fields")
    df = pd.read_csv(io.StringIO(text), dtype={"code": str}, keep_default_na=False, na_values=[""])
    for col in header:
        values = [row[col] for row in rows]
        present = [v for v in values if v is not None]
        if not present or not all(_is_number(v) for v in present):
            continue
        assert is_numeric_dtype(df[col]), (col, df[col].head().tolist())
        cells = [row[header.index(col)] for row in body]
        assert all(c == "" or NUMBER.match(c) for c in cells), (col, cells[:5])
        # whole numbers (counts, ranks, populations) are written whole: 1601, not 1601.0
        whole = [c for c, v in zip(cells, values, strict=True) if _is_number(v) and v == int(v)]
        assert all("." not in c for c in whole), (col, whole[:5])
        for got, want in zip(df[col].tolist(), values, strict=True):
            if want is None or (isinstance(want, float) and not math.isfinite(want)):
                assert got is None or math.isnan(got), col
            else:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), col


def test_hotspots_csv_names_the_places_of_each_unit(client):
    """The analyst's question in one export: where do the hotspots fall."""
    df = pd.read_csv(io.StringIO(client.get(f"/areas/{ICB}/hotspots?format=csv").text))
    for col in (
        "population_in_area",
        "msoa21_code",
        "ward_code",
        "ward_name",
        "ltla_code",
        "ltla_name",
        "sicbl_code",
        "sicbl_name",
        "icb_code",
        "pcn_coverage",
        "pcn_extracts",
        "pcn_1_code",
        "pcn_1_name",
        "pcn_1_share",
    ):
        assert col in df.columns, col
    hot = df[df["cluster"] == "hot"]
    assert len(hot) > 0 and hot["ward_code"].str.match(r"^E05\d{6}$").all()
    assert set(hot["icb_code"]) == {ICB}
    assert hot["ltla_name"].notna().all() and hot["sicbl_code"].str.startswith("E38").all()
    wirral = df[df["code"] == "E01007269"].iloc[0]  # Wirral 010C: its ward and authority
    assert (wirral["ltla_code"], wirral["ward_name"]) == ("E08000015", "Seacombe")
    # PCNs: registrations are loaded for every ICB (Staffordshire's from October 2025)
    assert df["pcn_1_code"].notna().mean() > 0.99
    # (a Staffordshire PCN also serves some border LSOAs: "2025-10-01; 2022-07-01")
    assert (df["pcn_extracts"] == "2022-07-01").mean() > 0.95
    assert df["pcn_extracts"].str.endswith("2022-07-01").all()
    staffs = pd.read_csv(io.StringIO(client.get(f"/areas/{STAFFS}/hotspots?format=csv").text))
    assert staffs["pcn_1_code"].notna().mean() > 0.99
    assert staffs["pcn_coverage"].between(0, 1).all()
    assert staffs["pcn_extracts"].str.startswith("2025-10-01").mean() > 0.9
