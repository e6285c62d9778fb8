"""Custom areas are drawn by residents and community groups: private by default. Only
token holders list or read them; a creator may share one by an unguessable id."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.db, pytest.mark.data]

NAME = "Privacy test: our street"
POLYGON = {
    "type": "Feature",
    "properties": {"name": NAME},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[-2.99, 53.40], [-2.97, 53.40], [-2.97, 53.41], [-2.99, 53.41], [-2.99, 53.40]]
        ],
    },
}
READS = ("", "/deprivation", "/overlaps?kind=icb", "/profile", "/lsoas", "/hotspots?unit=lsoa21")


@pytest.fixture
def private(client, auth):
    r = client.post("/areas", json=POLYGON, headers=auth)
    assert r.status_code == 201 and r.json()["shared"] is False
    yield r.json()["id"]
    client.delete(f"/areas/{r.json()['id']}", headers=auth)


@pytest.fixture
def shared(client, auth):
    r = client.post("/areas?shared=true", json=POLYGON, headers=auth)
    assert r.status_code == 201 and r.json()["shared"] is True
    yield r.json()["id"]
    client.delete(f"/areas/{r.json()['id']}", headers=auth)


def test_a_private_area_is_read_only_with_the_token(client, auth, private):
    assert re.fullmatch(r"c-[0-9a-f]{12}", private)
    for rel in READS:
        r = client.get(f"/areas/{private}{rel}")
        assert r.status_code == 401, (rel, r.text)
        assert "private" in r.json()["detail"]
        assert client.get(f"/areas/{private}{rel}", headers=auth).status_code in (200, 422)
    assert client.get(f"/map?area={private}").status_code == 401
    ok = client.get(f"/areas/{private}", headers=auth)
    assert ok.headers["cache-control"].startswith("private")


def test_an_unknown_private_id_is_not_told_apart_from_a_real_one(client):
    assert client.get("/areas/c-000000000000").status_code == 401


def test_custom_areas_are_listed_only_to_token_holders(client, auth, private):
    """Found by a newcomer: /areas?q= listed every resident's drawing to anyone."""
    anon = client.get("/areas", params={"q": NAME}).json()
    assert anon["total"] == 0 and anon["areas"] == []
    assert client.get("/areas", params={"q": "c-"}).json()["areas"] == []
    r = client.get("/areas?kind=custom")
    assert r.status_code == 401 and "token" in r.json()["detail"]
    mine = client.get("/areas", params={"q": NAME}, headers=auth).json()
    assert [a["code"] for a in mine["areas"]] == [private]
    assert private in {
        a["code"] for a in client.get("/areas?kind=custom&limit=1000", headers=auth).json()["areas"]
    }


def test_a_shared_area_is_read_by_its_unguessable_id(client, auth, shared):
    assert re.fullmatch(r"s-[0-9a-f]{32}", shared)  # 128 random bits
    for rel in READS:
        assert client.get(f"/areas/{shared}{rel}").status_code in (200, 422), rel
    assert client.get(f"/map?area={shared}").status_code == 200
    # still not listed to others
    assert client.get("/areas", params={"q": NAME}).json()["areas"] == []
    listed = client.get("/areas", params={"q": NAME}, headers=auth).json()["areas"]
    assert shared in [a["code"] for a in listed]
    # only a token holder deletes it
    assert client.delete(f"/areas/{shared}").status_code == 401
