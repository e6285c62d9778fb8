"""Overlaps: whole-LSOA footprints exactly, drawn polygons against a geopandas overlay."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import text

pytestmark = [pytest.mark.db, pytest.mark.data]

# 2 km x 1.5 km across the boundary of Cheshire and Merseyside and Greater Manchester ICBs
X, Y = 374_586, 385_968
RECT = shapely.box(X - 1000, Y - 750, X + 1000, Y + 750)


def bng_feature(geom, name="across two ICBs"):
    return {
        "type": "Feature",
        "properties": {"name": name},
        "crs": {"type": "name", "properties": {"name": "EPSG:27700"}},
        "geometry": shapely.geometry.mapping(geom),
    }


@pytest.fixture(scope="module")
def drawn(client, auth):
    r = client.post("/areas", json=bng_feature(RECT), headers=auth)
    assert r.status_code == 201, r.text
    yield r.json()["id"]
    client.delete(f"/areas/{r.json()['id']}", headers=auth)


def test_icb_overlaps_its_lsoas_exactly(client):
    d = client.get("/areas/E54000008/overlaps?kind=lsoa21").json()
    assert d["count"] == 1601
    assert sum(o["share_of_area"] for o in d["overlaps"]) == pytest.approx(1, abs=1e-6)
    assert sum(o["share_of_population"] for o in d["overlaps"]) == pytest.approx(1, abs=1e-9)
    assert all(o["share_of_other_area"] == pytest.approx(1) for o in d["overlaps"])
    keys = set(d["overlaps"][0])
    assert {
        "code",
        "name",
        "kind",
        "overlap_area_m2",
        "share_of_area",
        "share_of_other_area",
        "population",
        "share_of_population",
    } <= keys


def test_a_polygon_across_two_icbs_matches_a_geopandas_overlay(
    client, auth, drawn, national_engine
):
    d = client.get(f"/areas/{drawn}/overlaps?kind=icb", headers=auth).json()
    got = {o["code"]: o for o in d["overlaps"]}
    assert set(got) == {"E54000008", "E54000057"}
    assert sum(o["share_of_area"] for o in got.values()) == pytest.approx(1, abs=1e-6)
    assert sum(o["share_of_population"] for o in got.values()) == pytest.approx(1, abs=1e-6)
    icbs = gpd.read_postgis(
        text("SELECT code, geom FROM area WHERE code = ANY(:c)"),
        national_engine,
        geom_col="geom",
        params={"c": list(got)},
    )
    ov = gpd.overlay(
        gpd.GeoDataFrame({"n": [1]}, geometry=[RECT], crs=27700), icbs, how="intersection"
    )
    for _, r in ov.iterrows():
        share = r.geometry.area / RECT.area
        assert got[r["code"]]["share_of_area"] == pytest.approx(share, rel=0.005)


def test_drawn_polygon_population_is_area_weighted(client, auth, drawn, national_engine):
    d = client.get(f"/areas/{drawn}/overlaps?kind=lsoa21", headers=auth).json()
    lsoas = gpd.read_postgis(
        text(
            "SELECT code, population, geom FROM area WHERE kind = 'lsoa21' "
            "AND ST_Intersects(geom, ST_GeomFromText(:w, 27700))"
        ),
        national_engine,
        geom_col="geom",
        params={"w": RECT.wkt},
    )
    lsoas["frac"] = lsoas.geometry.intersection(RECT).area / lsoas.geometry.area
    exp = (lsoas["frac"] * lsoas["population"]).sum()
    assert sum(o["population"] for o in d["overlaps"]) == pytest.approx(exp, rel=1e-6)
    area = client.get(f"/areas/{drawn}", headers=auth).json()
    assert area["population"] == pytest.approx(exp, rel=1e-6)
    assert area["area_m2"] == pytest.approx(RECT.area)


def test_min_share_filters_and_csv(client):
    d = client.get("/areas/E54000008/overlaps?kind=ltla&min_share=0.05").json()
    assert d["count"] >= 1
    assert all(
        o["share_of_area"] >= 0.05 or o["share_of_population"] >= 0.05 for o in d["overlaps"]
    )
    r = client.get("/areas/E54000008/overlaps?kind=sicbl&format=csv")
    assert r.text.splitlines()[0].startswith("code,name,kind,programme,overlap_area_m2")
    assert (
        len(r.text.splitlines())
        == 1 + client.get("/areas/E54000008/overlaps?kind=sicbl").json()["count"]
    )


def test_geojson_overlaps(client):
    r = client.get("/areas/E38000068/overlaps?kind=msoa21&format=geojson")
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["features"]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in fc["features"])


def test_deprivation_of_a_drawn_polygon(client, auth, drawn, national_engine, data_dir):
    d = client.get(f"/areas/{drawn}/deprivation", headers=auth).json()
    assert d["area"]["kind"] == "custom"
    assert d["ranks"] is None
    # independently: LSOAs cut by the polygon weighted by residents times the share inside
    lsoas = gpd.read_postgis(
        text(
            "SELECT code, population, geom FROM area WHERE kind = 'lsoa21' "
            "AND ST_Intersects(geom, ST_GeomFromText(:w, 27700))"
        ),
        national_engine,
        geom_col="geom",
        params={"w": RECT.wkt},
    )
    share = lsoas.geometry.intersection(RECT).area / lsoas.geometry.area
    imd = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21.csv").set_index("lsoa21_code")
    w = (share * lsoas["population"]).to_numpy()
    scores = imd.loc[lsoas["code"], "IMD_score"].to_numpy()
    ranks = imd.loc[lsoas["code"], "IMD_rank"].to_numpy()
    assert d["average_score"] == pytest.approx(np.average(scores, weights=w), rel=1e-6)
    assert d["average_rank"] == pytest.approx(np.average(33_756 - ranks, weights=w), rel=1e-6)
    in10 = (imd.loc[lsoas["code"], "IMD_decile"] == 1).to_numpy()
    assert d["proportion_most_deprived_10"] == pytest.approx(
        (share.to_numpy() * in10).sum() / share.sum(), abs=1e-9
    )
