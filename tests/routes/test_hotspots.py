"""Hotspots: Gi* clusters of deprivation inside an area."""

import pytest

pytestmark = [pytest.mark.db, pytest.mark.data]


def test_lsoa_hotspots_in_an_icb(client):
    d = client.get("/areas/E54000008/hotspots?unit=lsoa21&alpha=0.05").json()
    assert len(d["units"]) == 1601
    hot = [u for u in d["units"] if u["cluster"] == "hot"]
    assert d["hotspot_count"] == len(hot) > 0
    assert all(u["gi_z"] > 0 and u["p_value"] <= 0.05 for u in hot)
    mean_hot = sum(u["value"] for u in hot) / len(hot)
    mean_all = sum(u["value"] for u in d["units"]) / len(d["units"])
    assert mean_hot > mean_all  # hot spots are where deprivation is high
    assert d["msoa_concentration"][0]["rank"] == 1
    scores = [m["average_score"] for m in d["msoa_concentration"]]
    assert scores == sorted(scores, reverse=True)


def test_fdr_is_stricter(client):
    a = client.get("/areas/E54000008/hotspots?unit=msoa21").json()
    b = client.get("/areas/E54000008/hotspots?unit=msoa21&fdr=true").json()
    assert b["p_threshold"] <= a["p_threshold"]
    assert b["hotspot_count"] <= a["hotspot_count"]


def test_geojson_hotspots(client):
    fc = client.get("/areas/E38000068/hotspots?format=geojson").json()
    assert fc["type"] == "FeatureCollection"
    assert {f["properties"]["cluster"] for f in fc["features"]} <= {"hot", "cold", "none"}
    assert all(f["geometry"] for f in fc["features"])


def test_too_few_units_is_a_clear_422(client):
    r = client.get("/areas/E01012392/hotspots")
    assert r.status_code == 422
    assert "at least 3" in r.json()["detail"]


def test_other_significance_levels_reuse_one_permutation_run(client):
    """The permutation p-values do not depend on alpha: one run serves every level."""
    a = client.get("/areas/E38000068/hotspots?alpha=0.05").json()
    b = client.get("/areas/E38000068/hotspots?alpha=0.0123").json()
    pa = {u["code"]: u["p_value"] for u in a["units"]}
    pb = {u["code"]: u["p_value"] for u in b["units"]}
    assert pa == pb
    assert b["hotspot_count"] == sum(
        1 for u in b["units"] if u["gi_z"] > 0 and u["p_value"] <= 0.0123
    )
    assert b["hotspot_count"] <= a["hotspot_count"]


def test_hotspot_population_counts_only_the_people_inside(client):
    d = client.get("/areas/E54000008/hotspots").json()
    hot = [u for u in d["units"] if u["cluster"] == "hot"]
    assert d["hotspot_population"] == sum(u["population_in_area"] for u in hot)
    assert all(u["population_in_area"] == u["population"] for u in hot)  # whole LSOAs
