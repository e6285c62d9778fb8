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


@pytest.mark.parametrize("measure", ["local_concentration", "average_score", "extent"])
def test_msoa_concentration_is_complete_and_ordered_by_the_measure_asked(client, measure):
    """Found by a newcomer: the top 50 of 325 MSOAs, ordered by average score."""
    d = client.get(f"/areas/E54000008/hotspots?unit=msoa21&measure={measure}").json()
    assert d["measure"] == measure
    assert d["msoa_count"] == len(d["msoa_concentration"]) == len(d["units"]) == 325
    values = [m[measure] for m in d["msoa_concentration"]]
    assert values == sorted(values, reverse=True)
    assert [m["rank"] for m in d["msoa_concentration"]] == list(range(1, 326))
    assert all(m["ltla_code"] and m["icb_code"] == "E54000008" for m in d["msoa_concentration"])


def test_a_single_unit_is_told_to_ask_for_a_larger_area_not_for_its_own_unit(client):
    """Found by a newcomer: an LSOA's hotspots suggested unit=lsoa21, the unit asked for."""
    detail = client.get("/areas/E01012733/hotspots").json()["detail"]
    assert "unit=lsoa21" not in detail and "larger area" in detail
    assert "E01012733/profile" in detail
    msoa = client.get("/areas/E02001346/hotspots?unit=msoa21").json()["detail"]
    assert "unit=lsoa21" in msoa


def test_every_unit_row_says_where_it_lies(client):
    d = client.get("/areas/E54000010/hotspots").json()
    u = d["units"][0]
    for k in ("msoa21", "ward", "ltla", "sicbl", "icb"):
        assert u[f"{k}_code"] and u[f"{k}_name"] and u[f"{k}_share"] == 1.0
    assert u["pcns"] and u["pcn_1_code"] == u["pcns"][0]["code"]
    assert 0.99 <= u["pcn_coverage"] <= 1.0
    assert sum(p["share"] for p in u["pcns"]) <= 1.0 + 1e-9


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
    assert "larger area" in r.json()["detail"]


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
