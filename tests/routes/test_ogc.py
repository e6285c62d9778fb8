"""OGC API - Features under /ogc: the landing page, conformance, collections, items (paging,
bbox, crs, filters), one feature, the OpenAPI 3.0 definition, and bad parameters answered
400 as the standard says. Values are checked against the database."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import text

from depmap.core.vocab import DOMAINS, HEALTH_COLUMNS, OGC_COLLECTIONS, RANKING_MEASURES
from queries.ogc import BNG, CRS84

pytestmark = [pytest.mark.db, pytest.mark.data]

ICB = "E54000008"
LSOA = "E01006512"  # Liverpool
LIVERPOOL_BOX = "-3.00,53.38,-2.95,53.42"


def get(client, path, **params):
    r = client.get(path, params=params) if params else client.get(path)
    assert r.status_code == 200, (path, params, r.text[:300])
    return r


def coords(geometry):
    for poly in geometry["coordinates"]:
        for ring in poly:
            yield from ring


def test_landing_page_links_the_definition_conformance_and_collections(client):
    for path in ("/ogc", "/ogc/"):
        body = get(client, path).json()
        rels = {lk["rel"]: lk for lk in body["links"]}
        assert rels["service-desc"]["href"].endswith("/ogc/api")
        assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
        assert rels["conformance"]["href"].endswith("/ogc/conformance")
        assert rels["data"]["href"].endswith("/ogc/collections")
    classes = get(client, "/ogc/conformance").json()["conformsTo"]
    for c in ("ogcapi-features-1/1.0/conf/core", "conf/geojson", "conf/oas30"):
        assert any(c in x for x in classes)
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes


def test_one_collection_per_kind_with_extent_and_crs(client):
    body = get(client, "/ogc/collections").json()
    ids = [c["id"] for c in body["collections"]]
    assert ids == list(OGC_COLLECTIONS)
    assert "custom" not in ids and "lsoa11" not in ids
    for c in body["collections"]:
        assert c["itemType"] == "feature"
        assert c["crs"] == [CRS84, BNG] and c["storageCrs"] == BNG
        west, south, east, north = c["extent"]["spatial"]["bbox"][0]
        assert -6.6 < west < east < 2.0 and 49.8 < south < north < 56.0, c["id"]
        items = next(lk for lk in c["links"] if lk["rel"] == "items")
        assert items["href"].endswith(f"/ogc/collections/{c['id']}/items")
        assert items["type"] == "application/geo+json"
    one = get(client, "/ogc/collections/icb").json()
    assert one == next(c for c in body["collections"] if c["id"] == "icb")


def test_every_icb_with_its_measures_and_health(client):
    r = get(client, "/ogc/collections/icb/items", limit=100)
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["content-crs"] == f"<{CRS84}>"
    body = r.json()
    assert body["numberMatched"] == body["numberReturned"] == 42 == len(body["features"])
    assert not any(lk["rel"] == "next" for lk in body["links"])
    feat = next(f for f in body["features"] if f["id"] == ICB)
    dep = get(client, f"/areas/{ICB}/deprivation").json()
    for m in RANKING_MEASURES:
        assert feat["properties"][m] == pytest.approx(dep[m])
        assert feat["properties"][f"rank_{m}"] == dep["ranks"][m]
    health = {h["code"]: h["value"] for h in dep["health"]}
    for h in HEALTH_COLUMNS:
        assert feat["properties"][h] == pytest.approx(health[h])
    assert feat["geometry"]["type"] == "MultiPolygon"
    lon, lat = next(coords(feat["geometry"]))
    assert -3.6 < lon < -2.0 and 52.9 < lat < 53.8  # Cheshire and Merseyside, lon/lat


def test_lsoa_features_carry_iod_and_health_from_lsoa_stats(client, national_engine):
    feat = get(client, f"/ogc/collections/lsoa21/items/{LSOA}").json()
    assert feat["id"] == LSOA
    with national_engine.connect() as c:
        row = c.execute(text("SELECT * FROM lsoa_stats WHERE code = :c"), {"c": LSOA}).mappings()
        s = row.one()
    p = feat["properties"]
    assert p["imd_score"] == pytest.approx(s["imd_score"])
    assert p["imd_rank"] == s["imd_rank"]
    for d in DOMAINS:
        assert p[f"{d}_decile"] == s[f"{d}_decile"]
    for h in HEALTH_COLUMNS:
        assert (p[h] is None and s[h] is None) or p[h] == pytest.approx(s[h])
    assert {lk["rel"] for lk in feat["links"]} >= {"self", "collection"}


def test_paging_is_stable_and_next_links_carry_the_parameters(client):
    seen: list[str] = []
    url = f"/ogc/collections/msoa21/items?limit=250&bbox={LIVERPOOL_BOX}&crs={BNG}"
    matched = None
    pages = 0
    while url:
        body = get(client, url).json()
        matched = body["numberMatched"]
        seen += [f["id"] for f in body["features"]]
        nxt = [lk["href"] for lk in body["links"] if lk["rel"] == "next"]
        assert all(f"crs={BNG.replace(':', '%3A').replace('/', '%2F')}" in h for h in nxt)
        url = nxt[0].split("://", 1)[1].split("/", 1)[1] if nxt else None
        url = "/" + url if url else None
        pages += 1
    assert len(seen) == matched == len(set(seen)) and seen == sorted(seen)
    # the same through offset with a small page
    small = []
    for off in range(0, matched, 7):
        body = get(client, "/ogc/collections/msoa21/items", limit=7, offset=off, bbox=LIVERPOOL_BOX)
        small += [f["id"] for f in body.json()["features"]]
    assert small == seen
    past = get(client, "/ogc/collections/msoa21/items", offset=100_000).json()
    assert past["features"] == [] and past["numberMatched"] == 6856


def test_bbox_matches_what_intersects_it(client, national_engine):
    body = get(client, "/ogc/collections/lsoa21/items", limit=1000, bbox=LIVERPOOL_BOX).json()
    got = {f["id"] for f in body["features"]}
    with national_engine.connect() as c:
        want = set(
            c.execute(
                text(
                    "SELECT code FROM area WHERE kind = 'lsoa21' AND ST_Intersects(geom, "
                    "ST_Transform(ST_Segmentize(ST_MakeEnvelope(-3.00, 53.38, -2.95, 53.42, 4326),"
                    " 0.001), 27700))"
                )
            ).scalars()
        )
    assert got == want and LSOA in got and body["numberMatched"] == len(want)
    # the same box in British National Grid, answered in British National Grid
    bng = get(
        client,
        "/ogc/collections/lsoa21/items",
        limit=1000,
        bbox="333000,388000,337000,392000",
        **{"bbox-crs": BNG, "crs": BNG},
    )
    assert bng.headers["content-crs"] == f"<{BNG}>"
    for f in bng.json()["features"]:
        for x, y in coords(f["geometry"]):
            assert 320_000 < x < 350_000 and 375_000 < y < 405_000
    # a box away from England matches nothing; one across the antimeridian too
    for box in ("10,40,11,41", "170,50,-170,60"):
        assert get(client, "/ogc/collections/icb/items", bbox=box).json()["numberMatched"] == 0


def test_british_national_grid_coordinates_as_qgis_asks(client):
    r = get(client, f"/ogc/collections/icb/items/{ICB}", crs=BNG)
    assert r.headers["content-crs"] == f"<{BNG}>"
    xs, ys = zip(*coords(r.json()["geometry"]), strict=True)
    assert 290_000 < min(xs) < max(xs) < 420_000 and 330_000 < min(ys) < max(ys) < 440_000
    ll = get(client, f"/ogc/collections/icb/items/{ICB}").json()
    assert len(list(coords(ll["geometry"]))) == len(xs)


def test_filters_by_property(client, national_engine):
    body = get(client, "/ogc/collections/lsoa21/items", code=f"{LSOA},E01000001").json()
    assert [f["id"] for f in body["features"]] == sorted([LSOA, "E01000001"])
    body = get(client, "/ogc/collections/lsoa21/items", imd_decile=1, health_decile=1, limit=1)
    with national_engine.connect() as c:
        n = c.execute(
            text("SELECT count(*) FROM lsoa_stats WHERE imd_decile = 1 AND health_decile = 1")
        ).scalar()
        programme = c.execute(
            text("SELECT programme, count(*) FROM area WHERE kind = 'programme' GROUP BY 1")
        ).first()
    assert body.json()["numberMatched"] == n > 0
    body = get(client, "/ogc/collections/programme/items", programme=programme[0], limit=1)
    assert body.json()["numberMatched"] == programme[1]
    assert body.json()["features"][0]["properties"]["programme"] == programme[0]
    body = get(client, "/ogc/collections/ltla/items", name="Liverpool").json()
    assert [f["id"] for f in body["features"]] == ["E08000012"]


def test_a_larger_limit_is_served_as_the_maximum(client):
    body = get(client, "/ogc/collections/ward/items", limit=5000).json()
    assert body["numberReturned"] == 1000
    nxt = next(lk["href"] for lk in body["links"] if lk["rel"] == "next")
    assert "limit=1000" in nxt and "offset=1000" in nxt


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("/ogc/collections/icb/items?foo=1", "foo"),
        ("/ogc/collections/icb/items?code=E54000008&code=E54000010", "code"),
        ("/ogc/collections/icb/items?limit=0", "limit"),
        ("/ogc/collections/icb/items?limit=ten", "limit"),
        ("/ogc/collections/icb/items?offset=-1", "offset"),
        ("/ogc/collections/icb/items?bbox=1,2,3", "bbox"),
        ("/ogc/collections/icb/items?bbox=a,b,c,d", "bbox"),
        ("/ogc/collections/icb/items?bbox=-2,54,-1,53", "bbox"),
        ("/ogc/collections/icb/items?bbox=400000,100000,500000,200000", "bbox"),
        ("/ogc/collections/icb/items?bbox=nan,1,2,3", "bbox"),
        ("/ogc/collections/icb/items?crs=EPSG:27700", "crs"),
        ("/ogc/collections/icb/items?bbox=1,2,3,4&bbox-crs=EPSG:4326", "bbox-crs"),
        ("/ogc/collections/icb/items?datetime=yesterday", "datetime"),
        ("/ogc/collections/icb/items?imd_decile=1", "imd_decile"),
        ("/ogc/collections/icb/items?programme=Big%20Local", "programme"),
        ("/ogc/collections/lsoa21/items?imd_decile=0", "imd_decile"),
        ("/ogc/collections/icb/items?f=html", "f"),
        ("/ogc/collections/icb/items/E54000008?limit=1", "limit"),
        ("/ogc/collections?bbox=1,2,3,4", "bbox"),
        ("/ogc?x=1", "x"),
        # refused before any route (api.middleware.RejectNul): 400 here, 422 elsewhere
        ("/ogc/collections/icb/items?code=%00", "NUL"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, path, parameter):
    r = client.get(path)
    assert r.status_code == 400, (path, r.status_code, r.text[:200])
    body = r.json()
    assert body["error"] == "invalid_parameter"
    assert parameter in json.dumps(body)


def test_unknown_collection_or_feature_is_a_404(client):
    r = client.get("/ogc/collections/custom/items")
    assert r.status_code == 404 and r.json()["error"] == "unknown_collection"
    assert "icb" in r.json()["detail"]
    r = client.get("/ogc/collections/icb/items/E99999999")
    assert r.status_code == 404 and "E99999999" in r.json()["detail"]
    # an LSOA21's code is not an ICB
    assert client.get(f"/ogc/collections/icb/items/{LSOA}").status_code == 404


def test_the_api_definition_is_openapi_30_relative_to_ogc(client):
    r = get(client, "/ogc/api")
    assert r.headers["content-type"].startswith("application/vnd.oai.openapi+json;version=3.0")
    doc = r.json()
    assert doc["openapi"].startswith("3.0")
    assert doc["servers"][0]["url"].endswith("/ogc")
    items = doc["paths"]["/collections/{collectionId}/items"]["get"]
    names = {p.get("name") for p in items["parameters"]}
    assert {"bbox", "bbox-crs", "crs", "datetime", "code", "programme", "imd_decile"} <= names
    assert {"$ref": "#/components/parameters/limit"} in items["parameters"]
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert limit["maximum"] == 1000 and limit["default"] == 10
    assert (
        "400" in items["responses"]
        and "application/geo+json" in items["responses"]["200"]["content"]
    )
    assert "null" not in json.dumps(doc).replace('"nullable"', "")  # no 3.1 null types
    # the service's own OpenAPI document does not describe /ogc
    assert not [p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/ogc")]


OGC_REQUESTS = [
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/lsoa21",
    "/ogc/collections/nope",
    *(f"/ogc/collections/{c}/items?limit=3" for c in OGC_COLLECTIONS),
    f"/ogc/collections/lsoa21/items?bbox={LIVERPOOL_BOX}&crs={BNG}",
    "/ogc/collections/icb/items?limit=0",
    f"/ogc/collections/icb/items/{ICB}",
    "/ogc/collections/icb/items/E99999999",
]


@pytest.mark.parametrize("path", OGC_REQUESTS)
def test_answers_validate_against_the_ogc_api_definition(client, path):
    doc = client.get("/ogc/api").json()
    doc["servers"] = [{"url": "/ogc"}]
    schema = schemathesis.openapi.from_dict(doc)
    r = client.get(path)
    assert r.status_code < 500, r.text[:300]
    rel = path.split("?")[0][len("/ogc") :] or "/"
    op = schema.find_operation_by_path("GET", rel)
    assert op is not None, path
    op.validate_response(r)


def test_no_server_errors_anywhere_in_the_ogc_api(live_server):
    """Schemathesis cases for every operation of /ogc/api: never a 5xx, every answer as
    the definition says."""
    schema = schemathesis.openapi.from_url(f"{live_server}/ogc/api")
    seen = []
    for result in schema.get_all_operations():
        op = result.ok()
        seen.append(op.label)
        _no_5xx(op, f"{live_server}/ogc")
    assert "GET /collections/{collectionId}/items" in seen


def _no_5xx(op, base):
    @given(case=op.as_strategy())
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        resp = case.call(base_url=base, timeout=60)
        assert resp.status_code < 500, (op.label, case.query, resp.text[:300])
        op.validate_response(resp)

    run()
