"""JSON rendering: what is not JSON (NaN, infinities) becomes null, at any depth."""

from __future__ import annotations

import json

import numpy as np

from queries.formats import dumps, to_csv


def test_nan_and_infinities_are_null_at_any_depth() -> None:
    body = {
        "a": float("nan"),
        "b": [1.5, float("inf"), {"c": -float("inf")}],
        "d": (float("nan"), 2),
        "e": np.array([np.nan, 0.25, np.inf]),
        "f": np.float64("nan"),
        "g": np.float32(np.inf),
        "h": {1: np.int64(7)},
    }
    assert json.loads(dumps(body)) == {
        "a": None,
        "b": [1.5, None, {"c": None}],
        "d": [None, 2],
        "e": [None, 0.25, None],
        "f": None,
        "g": None,
        "h": {"1": 7},
    }


def test_csv_cells_are_plain_numbers() -> None:
    """Found by a newcomer: numpy floats were written as ``np.float64(58.874)``."""
    rows = [
        {
            "a": np.float64(58.874),
            "b": 1706.0,
            "c": np.int64(3),
            "d": float("nan"),
            "e": None,
            "f": 0.1 + 0.2,
            "g": np.float32(0.5),
            "h": True,
            "i": "=SUM(A1)",
            "j": -2.5,
            "k": 0.99999999999,
        }
    ]
    assert to_csv(rows, list(rows[0])).splitlines() == [
        "a,b,c,d,e,f,g,h,i,j,k",
        "58.874,1706,3,,,0.3,0.5,true,'=SUM(A1),-2.5,1",
    ]


# --- GeoPackage and workbook writers (no database) -----------------------------------------


def test_every_exported_column_is_defined_by_the_vocabulary() -> None:
    from depmap.core.vocab import column_definition
    from queries import comparators, deprivation, hotspots, lsoas, overlaps, profile, programmes

    tables = {
        "overlaps": overlaps.columns("pcn"),
        "rankings": deprivation.ranking_columns("pcn"),
        "hotspot units (lsoa21)": hotspots.UNIT_COLUMNS["lsoa21"],
        "hotspot units (msoa21)": hotspots.UNIT_COLUMNS["msoa21"],
        "msoa_concentration": hotspots.MSOA_COLUMNS,
        "programme_summary": programmes.SUMMARY_COLUMNS,
        "programme_pcns": programmes.PCN_COLUMNS,
        "lsoas": lsoas.COLUMNS,
        "comparators": comparators.COLUMNS,
        "profile area": profile.AREA_COLUMNS,
        "deprivation": profile.DEPRIVATION_COLUMNS,
        "deciles": profile.DECILE_COLUMNS,
        "health": profile.HEALTH_COLUMNS,
        "routes": profile.ROUTE_COLUMNS,
    }
    undefined = [(t, c) for t, cols in tables.items() for c in cols if not column_definition(c, t)]
    assert undefined == []


def test_gpkg_columns_are_typed_by_their_values(tmp_path) -> None:
    import pyogrio
    import shapely

    from queries.geopackage import to_gpkg

    box = shapely.to_wkb(shapely.MultiPolygon([shapely.box(400_000, 300_000, 401_000, 301_000)]))
    rows = [
        {"code": "E1", "rank": 1, "share": np.float64(0.25), "none": None, "flag": True},
        {"code": "E2", "rank": None, "share": 2, "none": None, "flag": None},
    ]
    cols = ["code", "rank", "share", "none", "flag"]
    f = tmp_path / "t.gpkg"
    f.write_bytes(to_gpkg(rows, cols, [box, box], layer="t_layer", description="what it holds"))
    info = pyogrio.read_info(f)
    assert pyogrio.list_layers(f).tolist() == [["t_layer", "MultiPolygon"]]
    assert info["crs"] == "EPSG:27700"
    assert info["layer_metadata"] == {"DESCRIPTION": "what it holds"}
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types == {
        "code": "OFTString",
        "rank": "OFTInteger64",
        "share": "OFTReal",
        "none": "OFTString",
        "flag": "OFTInteger",
    }
    df = pyogrio.read_dataframe(f)
    assert df["share"].tolist() == [0.25, 2.0]
    assert df.geometry.area.tolist() == [1e6, 1e6]


def test_gpkg_needs_a_geometry_per_row() -> None:
    import pytest

    from queries.geopackage import to_gpkg

    with pytest.raises(ValueError, match="2 rows but 1 geometries"):
        to_gpkg([{"code": "a"}, {"code": "b"}], ["code"], [None], layer="x")


def test_xlsx_cells_are_numbers_and_text_is_never_a_formula() -> None:
    import io

    import openpyxl

    from queries.workbook import Provenance, Sheet, to_xlsx

    rows = [
        {"code": "E1", "name": '=HYPERLINK("x")', "population": np.int64(1601), "extent": 0.3},
        {"code": "E2", "name": "B", "population": 12, "extent": float("nan")},
    ]
    body = to_xlsx(
        [Sheet("Rankings", "areas ranked", ["code", "name", "population", "extent"], rows)],
        title="t.xlsx",
        provenance=Provenance(
            data_version=7,
            sources=[{"source": "S", "vintage": "2025", "geography": "lsoa21", "indicators": 3}],
        ),
        facts=[("kind", "ltla")],
    )
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["About", "Rankings"]
    ws = wb["Rankings"]
    assert [c.value for c in ws[1]] == ["code", "name", "population", "extent"]
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D3"
    assert ws["B2"].data_type == "s" and ws["B2"].value.startswith("=HYPERLINK")
    assert ws["C2"].value == 1601 and ws["C2"].data_type == "n"
    assert ws["D2"].value == 0.3 and ws["D3"].value is None
    about = [r for r in wb["About"].iter_rows(values_only=True)]
    assert ("Rankings", "extent") in {(r[0], r[1]) for r in about}
    assert ("S", "2025", "lsoa21", 3) in about
