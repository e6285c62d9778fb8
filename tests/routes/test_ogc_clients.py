"""Real OGC API - Features clients that nobody here wrote, against the running service:
GDAL's OAPIF driver (through pyogrio, as QGIS and R's sf use GDAL) and OWSLib's
``Features``. They list the collections, read every collection's first page and all 42
ICBs, page through LSOAs in a box, and ask for British National Grid as QGIS does."""

from __future__ import annotations

import pyogrio
import pytest
from owslib.ogcapi.features import Features

from depmap.core.vocab import OGC_COLLECTIONS
from queries.ogc import BNG

pytestmark = [pytest.mark.db, pytest.mark.data]

#: Liverpool city centre, lon/lat and British National Grid
BOX_LONLAT = [-3.00, 53.38, -2.95, 53.42]
BOX_BNG = (333_000, 388_000, 337_000, 392_000)


@pytest.fixture(scope="module")
def oapif(live_server):
    return f"OAPIF:{live_server}/ogc"


@pytest.fixture
def gdal_requests(capfd):
    """The URLs GDAL has fetched so far (its debug messages, which it writes to stderr)."""
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON"})
    seen: list[str] = []

    def fetched() -> list[str]:
        err = capfd.readouterr().err
        seen.extend(
            line.split("Fetch(", 1)[1].rstrip(")") for line in err.splitlines() if "Fetch(" in line
        )
        return list(seen)

    yield fetched
    pyogrio.set_gdal_config_options({"CPL_DEBUG": None})


def test_gdal_lists_the_collections(oapif):
    layers = pyogrio.list_layers(oapif)
    assert [name for name, _ in layers] == list(OGC_COLLECTIONS)
    assert {geom for _, geom in layers} == {"MultiPolygon"}


def test_gdal_reads_all_42_icbs_with_their_average_score(oapif):
    icb = pyogrio.read_dataframe(oapif, layer="icb")
    assert len(icb) == 42 and icb["code"].is_unique
    assert icb["average_score"].notna().all() and icb["average_score"].between(5, 60).all()
    # the layer's CRS is the collections' storage CRS: British National Grid
    assert icb.crs.to_epsg() == 27700
    xmin, ymin, xmax, ymax = icb.total_bounds
    assert 80_000 < xmin < xmax < 660_000 and 5_000 < ymin < ymax < 660_000


def test_gdal_reads_every_collections_first_page(oapif):
    for name in OGC_COLLECTIONS:
        info = pyogrio.read_info(oapif, layer=name)
        assert info["features"] > 0, name
        first = pyogrio.read_dataframe(oapif, layer=name, max_features=10)
        assert len(first) == 10 or len(first) == info["features"], name
        assert "code" in first.columns and first.geometry.notna().all(), name
    assert pyogrio.read_info(oapif, layer="lsoa21")["features"] == 33_755


def test_gdal_bbox_crs_and_filters_reach_the_server(oapif, gdal_requests):
    lsoa = pyogrio.read_dataframe(oapif, layer="lsoa21", bbox=BOX_BNG)
    assert 20 < len(lsoa) < 1000 and lsoa.crs.to_epsg() == 27700
    urls = gdal_requests()
    assert any("bbox=" in u and "27700" in u for u in urls), urls
    # pyogrio's where: the equality goes to the server, the rest is evaluated by GDAL
    worst = pyogrio.read_dataframe(
        oapif, layer="lsoa21", where="imd_decile = 1 AND imd_score > 60", bbox=BOX_BNG
    )
    assert len(worst) > 0 and (worst.imd_decile == 1).all() and (worst.imd_score > 60).all()
    assert any("imd_decile=1" in u for u in gdal_requests())
    # CRS84 asked for explicitly
    ll = pyogrio.read_dataframe(oapif, layer="icb", CRS="OGC:CRS84", max_features=5)
    assert -7 < ll.total_bounds[0] < 2 and 49 < ll.total_bounds[1] < 56


def test_owslib_lists_collections_and_pages_through_lsoas_in_a_box(live_server):
    w = Features(f"{live_server}/ogc")
    assert any("ogcapi-features-2" in c for c in w.conformance()["conformsTo"])
    ids = [c["id"] for c in w.collections()["collections"]]
    assert ids == list(OGC_COLLECTIONS)
    assert w.collection("icb")["storageCrs"] == BNG
    assert w.api()["openapi"].startswith("3.0")
    codes: list[str] = []
    matched = None
    pages = 0
    while matched is None or len(codes) < matched:
        page = w.collection_items("lsoa21", bbox=BOX_LONLAT, limit=25, offset=len(codes))
        matched = page["numberMatched"]
        assert page["numberReturned"] == len(page["features"]) > 0
        codes += [f["id"] for f in page["features"]]
        pages += 1
    assert pages >= 3 and len(set(codes)) == len(codes) == matched
    icbs = w.collection_items("icb", limit=100)
    assert len(icbs["features"]) == 42
    assert all(f["properties"]["average_score"] is not None for f in icbs["features"])


def test_owslib_with_british_national_grid_as_qgis_asks(live_server):
    w = Features(f"{live_server}/ogc")
    page = w.collection_items(
        "lsoa21", limit=5, bbox=list(BOX_BNG), **{"bbox-crs": BNG, "crs": BNG}
    )
    assert page["numberReturned"] == 5
    x, y = page["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 320_000 < x < 350_000 and 375_000 < y < 405_000
    assert w.response_headers["Content-Crs"] == f"<{BNG}>"
    one = w.collection_item("icb", "E54000008")
    assert one["properties"]["code"] == "E54000008"
