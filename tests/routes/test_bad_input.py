"""Bad input: a clear 4xx naming what was wrong, never a 500, nothing stored."""

import json

import pytest
from sqlalchemy import text

from tests.conftest import make_client

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


def custom_count(engine):
    with engine.connect() as c:
        return c.execute(text("SELECT count(*) FROM area WHERE kind = 'custom'")).scalar()


def test_unknown_id_is_a_404_naming_it(client):
    for path in (
        "/areas/E99999999",
        "/areas/E99999999/overlaps?kind=icb",
        "/areas/E99999999/deprivation",
        "/areas/E99999999/hotspots",
        "/areas/E99999999/profile",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "E99999999" in r.json()["detail"]
        assert r.json()["error"] == "unknown_area"


@pytest.mark.parametrize(
    "path, param, allowed",
    [
        ("/areas/E54000008/overlaps?kind=county", "kind", "lsoa21"),
        ("/areas/E54000008/deprivation?domain=wealth", "domain", "income"),
        ("/rankings?kind=icb&measure=happiness", "measure", "local_concentration"),
        ("/rankings?kind=parish", "kind", "ltla"),
        ("/areas/E54000008/hotspots?unit=oa21", "unit", "msoa21"),
        ("/areas?kind=planet", "kind", "icb"),
    ],
)
def test_unknown_kind_or_measure_is_a_422_listing_the_allowed_values(client, path, param, allowed):
    r = client.get(path)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_parameter"
    assert param in body["detail"] and allowed in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/areas/E54000008/overlaps?kind=icb&min_share=2",
        "/areas/E54000008/overlaps?kind=icb&min_share=abc",
        "/areas/E54000008/hotspots?alpha=0",
        "/areas?limit=0",
        "/areas?limit=100000",
        "/areas?offset=-1",
        "/areas/E54000008/overlaps",  # kind is required
    ],
)
def test_out_of_range_parameters(client, path):
    r = client.get(path)
    assert r.status_code == 422, (path, r.text)


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "not valid JSON"),
        ("", "empty"),
        ("[]", "GeoJSON object"),
        (
            json.dumps({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}}),
            "empty",
        ),
        (
            json.dumps(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [-2.99, 53.40],
                                [-2.97, 53.41],
                                [-2.97, 53.40],
                                [-2.99, 53.41],
                                [-2.99, 53.40],
                            ]
                        ],
                    },
                }
            ),
            "Self-intersection",
        ),
        (
            json.dumps(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [[-2.9, 53.4], [-2.8, 53.5]]},
                }
            ),
            "not a Polygon",
        ),
        (
            json.dumps(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [[-40.0, 40.0], [-39.9, 40.0], [-39.9, 40.1], [-40.0, 40.0]]
                        ],
                    },
                }
            ),
            "outside England",
        ),
        (
            json.dumps({**GOOD, "crs": {"type": "name", "properties": {"name": "EPSG:0"}}}),
            "cannot be read",
        ),
        (json.dumps({**GOOD, "crs": "EPSG:27700"}), "crs member"),
        ("[" * 5000 + "]" * 5000, "JSON"),
    ],
)
def test_bad_geojson_is_a_422_saying_why(client, auth, national_engine, body, message):
    before = custom_count(national_engine)
    r = client.post("/areas", content=body, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert message.lower() in r.json()["detail"].lower()
    assert custom_count(national_engine) == before


def test_too_many_vertices_is_a_422(national_url, auth):
    ring = [[-2.99 + i * 1e-5, 53.40] for i in range(150)] + [[-2.98, 53.41], [-2.99, 53.40]]
    doc = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    with make_client(national_url, max_vertices=100) as c:
        r = c.post("/areas", json=doc, headers=auth)
        assert r.status_code == 422
        assert "100 vertices" in r.json()["detail"]
        ok = {
            **doc,
            "geometry": {"type": "Polygon", "coordinates": [[*ring[:60], [-2.98, 53.41], ring[0]]]},
        }
        r = c.post("/areas", json=ok, headers=auth)
        assert r.status_code == 201, r.text  # under the limit the same shape is taken
        assert c.delete(f"/areas/{r.json()['id']}", headers=auth).status_code == 204


def test_body_over_the_limit_is_a_413(client, auth):
    r = client.post("/areas", content=b"{" + b" " * 3_000_000 + b"}", headers=auth)
    assert r.status_code == 413
    assert "limit" in r.json()["detail"]


def test_missing_or_wrong_token_is_a_401(client, national_engine):
    before = custom_count(national_engine)
    assert client.post("/areas", json=GOOD).status_code == 401
    r = client.post("/areas", json=GOOD, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and "not valid" in r.json()["detail"]
    assert (
        client.post("/areas", json=GOOD, headers={"Authorization": "Basic abc"}).status_code == 401
    )
    assert client.delete("/areas/E54000008").status_code == 401
    assert custom_count(national_engine) == before


def test_official_areas_cannot_be_deleted(client, auth):
    r = client.delete("/areas/E54000008", headers=auth)
    assert r.status_code == 403
    assert client.get("/areas/E54000008").status_code == 200


def test_custom_area_lifecycle(client, auth):
    r = client.post("/areas", json=GOOD, headers=auth)
    assert r.status_code == 201
    cid = r.json()["id"]
    assert r.headers["location"] == f"/areas/{cid}"
    assert client.get(f"/areas/{cid}/deprivation", headers=auth).status_code == 200
    assert client.get(f"/areas/{cid}/hotspots", headers=auth).status_code in (200, 422)
    assert client.delete(f"/areas/{cid}", headers=auth).status_code == 204
    assert client.get(f"/areas/{cid}", headers=auth).status_code == 404
    assert client.get(f"/areas/{cid}/deprivation", headers=auth).status_code == 404
    assert client.delete(f"/areas/{cid}", headers=auth).status_code == 404


@pytest.mark.parametrize("q", ["'; DROP TABLE area; --", "E54%", "_", "\\", "名前", "a" * 100])
def test_sql_looking_search_text_is_just_text(client, q):
    r = client.get("/areas", params={"q": q})
    assert r.status_code == 200
    assert client.get("/areas/E54000008").status_code == 200


def test_a_nul_in_the_name_is_a_422(client, auth, national_engine):
    before = custom_count(national_engine)
    r = client.post("/areas", json={**GOOD, "properties": {"name": "a\u0000b"}}, headers=auth)
    assert r.status_code == 422 and "NUL" in r.json()["detail"]
    assert custom_count(national_engine) == before


def test_a_page_past_the_end_still_says_how_many_there_are(client):
    first = client.get("/areas?kind=icb&limit=10").json()
    assert first["total"] == 42 and len(first["areas"]) == 10
    past = client.get("/areas?kind=icb&limit=10&offset=100").json()
    assert past["areas"] == [] and past["total"] == 42
