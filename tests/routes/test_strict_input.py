"""Strict, friendly input: what a newcomer met in silence now has an answer. Unknown or
repeated query parameters, codes in lower case, polygons mostly outside England or written
[latitude, longitude], unclosed rings, long names, and the wording of a few messages."""

from __future__ import annotations

import copy
import re

import pytest

pytestmark = [pytest.mark.db, pytest.mark.data]

GOOD = {
    "type": "Feature",
    "properties": {"name": "ok"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[-2.99, 53.40], [-2.97, 53.40], [-2.97, 53.41], [-2.99, 53.41], [-2.99, 53.40]]
        ],
    },
}


def box(west: float, south: float, east: float, north: float, name: str = "box") -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


# --- query parameters ------------------------------------------------------------------


def test_an_unknown_parameter_is_a_422_naming_it(client):
    """Found by a newcomer: ?year=2019 answered the 2025 figures."""
    r = client.get("/areas/E54000008/deprivation?year=2019")
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_parameter" and body["unknown"] == ["year"]
    assert "'year'" in body["detail"] and "domain" in body["detail"]
    assert body["allowed"] == ["area_kind", "domain"]


def test_a_repeated_parameter_is_a_422_naming_it(client):
    """Found by a newcomer: kind=sicbl&kind=ltla kept the last."""
    r = client.get("/areas/E54000008/overlaps?kind=sicbl&kind=ltla")
    assert r.status_code == 422
    assert r.json()["repeated"] == ["kind"]
    assert "kind=sicbl, kind=ltla" in r.json()["detail"]
    # a parameter that takes a list may be repeated
    r = client.get("/areas/E54000008/comparators?kind=icb&kind=sicbl")
    assert r.status_code == 200 and set(r.json()["kinds"]) == {"icb", "sicbl"}


def test_every_route_refuses_an_unknown_parameter(client):
    spec = client.get("/openapi.json").json()
    samples = {"area_id": "E54000008", "name": "left-behind-neighbourhoods", "layer": "icb"}
    for path, ops in spec["paths"].items():
        if "get" not in ops:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: samples.get(m.group(1), "1"), path)
        if "{z}" in path:
            url = "/tiles/icb/7/63/41.mvt"
        required = {
            p["name"]: p["schema"].get("enum", ["icb"])[0]
            for p in ops["get"].get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }
        query = "&".join(f"{k}={v}" for k, v in {**required, "nonsense": "1"}.items())
        r = client.get(f"{url}?{query}")
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        assert r.json()["unknown"] == ["nonsense"], path


def test_tile_urls_keep_their_version(client):
    """TileJSON tile URLs carry ?v=<data version>: still allowed, cached or not."""
    url = client.get("/tiles/icb.json").json()["tiles"][0]
    path = url.split("testserver", 1)[1].format(z=7, x=63, y=41)
    assert "?v=" in path
    for _ in range(2):  # the second time from the fast path
        assert client.get(path).status_code == 200
    assert client.get("/tiles/icb/7/63/41.mvt?v=1&x=2").status_code == 422


# --- codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/areas/e54000008",
        "/areas/e54000008/deprivation",
        "/areas/E54000008/overlaps?kind=sicbl",
        "/areas/e38000208/overlaps?kind=ltla",
        "/areas/LEFT-BEHIND-NEIGHBOURHOODS:e06000002-02",
    ],
)
def test_codes_match_whatever_their_case(client, path):
    """Found by a newcomer: /areas/e54000008 was a 404."""
    r = client.get(path)
    assert r.status_code == 200, r.text
    code = r.json().get("code") or r.json()["area"]["code"]
    assert code == code.upper() or code.startswith("left-behind")  # the stored spelling


def test_custom_area_ids_match_exactly(client, auth):
    cid = client.post("/areas", json=GOOD, headers=auth).json()["id"]
    try:
        assert client.get(f"/areas/{cid}", headers=auth).status_code == 200
        assert client.get(f"/areas/{cid.upper()}", headers=auth).status_code == 404
    finally:
        client.delete(f"/areas/{cid}", headers=auth)


# --- posted polygons -------------------------------------------------------------------


def test_a_polygon_mostly_in_wales_is_refused_saying_how_much(client, auth, national_engine):
    """Found by a newcomer: a polygon 87% in Wales was stored without a word."""
    r = client.post("/areas", json=box(-3.2, 53.15, -2.9, 53.20), headers=auth)
    assert r.status_code == 422, r.text
    body = r.json()
    assert "lies in England" in body["detail"] and "England only" in body["detail"]
    assert 0.1 < body["share_in_england"] < 0.2


def test_a_polygon_partly_outside_england_is_stored_with_a_warning(client, auth):
    r = client.post("/areas", json=box(-2.97, 53.15, -2.80, 53.20), headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    try:
        assert 0.75 < body["share_in_england"] < 0.9
        assert len(body["warnings"]) == 1 and "outside England" in body["warnings"][0]
        got = client.get(f"/areas/{body['id']}", headers=auth).json()
        assert got["properties"]["share_in_england"] == pytest.approx(body["share_in_england"])
    finally:
        client.delete(f"/areas/{body['id']}", headers=auth)
    inside = client.post("/areas", json=GOOD, headers=auth).json()
    client.delete(f"/areas/{inside['id']}", headers=auth)
    assert inside["share_in_england"] == pytest.approx(1.0) and inside["warnings"] == []


def test_swapped_coordinates_are_named(client, auth):
    """Found by a newcomer: [latitude, longitude] got 'outside England' with no hint."""
    doc = copy.deepcopy(GOOD)
    doc["geometry"]["coordinates"] = [[[y, x] for x, y in doc["geometry"]["coordinates"][0]]]
    r = client.post("/areas", json=doc, headers=auth)
    assert r.status_code == 422
    assert "[latitude, longitude]" in r.json()["detail"] and "swap" in r.json()["detail"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["geometry"]["coordinates"][0].pop(), "not closed"),
        (
            lambda d: d["geometry"].update(coordinates=[[[-2.99, 53.4], [-2.97, 53.4]]]),
            "at least 4",
        ),
        (lambda d: d["properties"].update(name="x" * 5000), "5,000 characters"),
        (lambda d: d["properties"].update(name=42), "must be text"),
        (lambda d: d["properties"].update(name="a\nb"), "control characters"),
    ],
)
def test_rings_and_names_are_checked(client, auth, change, message):
    """Found by a newcomer: an unclosed ring and a 5,000-character name were accepted."""
    doc = copy.deepcopy(GOOD)
    change(doc)
    r = client.post("/areas", json=doc, headers=auth)
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"]


# --- wording ---------------------------------------------------------------------------


def test_deleting_an_official_area_says_what_it_is(client, auth):
    """Found by a newcomer: 'is a icb area'."""
    r = client.delete("/areas/E54000008", headers=auth)
    assert r.status_code == 403
    assert r.json()["detail"].startswith("E54000008 is an integrated care board")


def test_lsoa_count_is_a_whole_number_for_whole_lsoas(client):
    """Found by a newcomer: lsoa_count 1601.0."""
    r = client.get("/areas/E54000008/deprivation")
    assert '"lsoa_count":1601,' in r.text


def test_a_bad_value_of_a_repeated_parameter_is_named_as_the_parameter(client):
    r = client.get("/areas/E54000008/change?indicator=households_deprived_any&indicator=imd_decile")
    assert r.status_code == 422
    body = r.json()
    assert [p["parameter"] for p in body["problems"]] == ["indicator"]
    assert body["problems"][0]["input"] == "imd_decile"
    assert "imd_decile1_share" in body["detail"]
