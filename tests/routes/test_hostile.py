"""Hostile input: schemathesis over the OpenAPI schema, hypothesis-made GeoJSON, SQL-looking
text in every text parameter. Whatever comes in, the service never answers 5xx, and every
answer matches the schema the OpenAPI document gives for its status."""

import math
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TOKEN

pytestmark = [pytest.mark.db, pytest.mark.data]

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _check_operation(op, base):
    @given(case=op.as_strategy())
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        resp = case.call(base_url=base, headers=AUTH, timeout=60)
        assert resp.status_code < 500, (
            op.label,
            case.path_parameters,
            case.query,
            resp.status_code,
            resp.text[:300],
        )
        op.validate_response(resp)

    run()


def test_no_server_errors_anywhere_in_the_schema(live_server):
    """Schemathesis cases for every operation of the OpenAPI document (bounded)."""
    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    seen = []
    for result in schema.get_all_operations():
        op = result.ok()
        seen.append(op.label)
        _check_operation(op, live_server)
    assert any("/areas/{area_id}/overlaps" in s for s in seen)


# --- hypothesis-made GeoJSON for POST /areas -------------------------------------------

lon = st.floats(min_value=-6.5, max_value=2.0, allow_nan=False)
lat = st.floats(min_value=49.8, max_value=55.9, allow_nan=False)
weird = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.text(),
    st.none(),
    st.booleans(),
)
position = st.one_of(st.tuples(lon, lat).map(list), st.lists(weird, max_size=3))


@st.composite
def rings(draw):
    pts = draw(st.lists(st.tuples(lon, lat).map(list), min_size=0, max_size=12))
    if pts and draw(st.booleans()):
        pts = [*pts, pts[0]]  # closed, as GeoJSON wants
    return pts


@st.composite
def small_boxes(draw):
    x, y = draw(lon), draw(lat)
    d = draw(st.floats(min_value=1e-4, max_value=0.05))
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


geometry = st.one_of(
    st.fixed_dictionaries({"type": st.just("Polygon"), "coordinates": small_boxes()}),
    st.fixed_dictionaries(
        {"type": st.just("Polygon"), "coordinates": st.lists(rings(), max_size=3)}
    ),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                ["MultiPolygon", "Point", "LineString", "GeometryCollection", "Polygon", "?"]
            ),
            "coordinates": st.recursive(position, st.lists, max_leaves=20),
        }
    ),
    weird,
)
feature = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just("Feature"),
            "geometry": geometry,
            "properties": st.one_of(
                st.none(), st.dictionaries(st.text(max_size=5), weird, max_size=3)
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("FeatureCollection"),
            "features": st.lists(
                st.fixed_dictionaries({"type": st.just("Feature"), "geometry": geometry}),
                max_size=3,
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("Feature"),
            "geometry": geometry,
            "crs": st.one_of(
                weird,
                st.fixed_dictionaries(
                    {
                        "type": st.just("name"),
                        "properties": st.fixed_dictionaries(
                            {
                                "name": st.one_of(
                                    st.sampled_from(
                                        [
                                            "EPSG:27700",
                                            "EPSG:4326",
                                            "EPSG:3857",
                                            "urn:ogc:def:crs:OGC:1.3:CRS84",
                                            "EPSG:1",
                                            "nonsense",
                                        ]
                                    ),
                                    st.text(),
                                )
                            }
                        ),
                    }
                ),
            ),
        }
    ),
    weird,
    st.lists(weird, max_size=3),
)


def _jsonable(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


@given(doc=feature)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_posted_geojson_never_breaks_the_service(client, doc):
    r = client.post("/areas", json=_jsonable(doc), headers=AUTH)
    assert r.status_code in (201, 413, 422), (repr(doc)[:500], r.text)
    body = r.json()
    if r.status_code == 201:
        cid = body["id"]
        assert client.get(f"/areas/{cid}/deprivation", headers=AUTH).status_code == 200
        assert client.get(f"/areas/{cid}/overlaps?kind=icb", headers=AUTH).status_code == 200
        assert client.delete(f"/areas/{cid}", headers=AUTH).status_code == 204
    else:
        assert body["detail"]


SQLISH = [
    "' OR 1=1 --",
    "'; DROP TABLE area; --",
    "E54000008' UNION SELECT 1--",
    "%' AND pg_sleep(5) --",
    "\\x00",
    "$$",
    "\u0000",
]


@pytest.mark.parametrize("s", SQLISH)
def test_sql_looking_strings_in_every_text_parameter(client, s):
    raw, s = s, quote(s, safe="")  # path segments travel percent-encoded
    paths = [
        ("/areas", {"q": raw}),
        ("/areas", {"programme": raw}),
        ("/areas", {"kind": raw}),
        (f"/areas/{s}", {}),
        (f"/areas/{s}/overlaps", {"kind": "icb"}),
        ("/areas/E54000008/overlaps", {"kind": raw}),
        (f"/areas/{s}/deprivation", {}),
        ("/areas/E54000008/deprivation", {"domain": raw}),
        ("/rankings", {"kind": raw}),
        ("/rankings", {"kind": "icb", "programme": raw}),
        (f"/areas/{s}/hotspots", {}),
        ("/areas/E54000008", {"area_kind": raw}),
    ]
    for path, params in paths:
        r = client.get(path, params=params)
        assert r.status_code < 500, (path, params, r.text)
    assert client.get("/areas/E54000008").status_code == 200


def test_huge_and_deep_bodies(client):
    r = client.post("/areas", content=b"[" * 200_000 + b"]" * 200_000, headers=AUTH)
    assert r.status_code in (413, 422)
    r = client.post(
        "/areas",
        content=b'{"type": "Feature", "geometry": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        headers=AUTH,
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/lsoa21/%C2%B2/0/0.mvt",  # a superscript two: a digit to str.isdigit(), not int()
        "/tiles/lsoa21/1/" + "9" * 4400 + "/0.mvt",  # beyond Python's int() digit limit
        "/tiles/lsoa21/1/0/" + "1" * 30 + ".mvt",
        "/tiles/lsoa21/-1/0/0.mvt",
        "/tiles/lsoa21/99/0/0.mvt",
        "/tiles/lsoa21/4/16/0.mvt",  # x = 2^z: just past the edge
        "/tiles/lsoa21/4/0/16.mvt",
        "/tiles/lsoa21/4/15/15.mvt",  # the last tile of the zoom: valid
        "/tiles/lsoa21/0/0/0.mvt",
        "/tiles/nonsense/4/0/0.mvt",
        "/tiles/lsoa21/4/0/0.png",
        "/tiles/lsoa21/4.5/0/0.mvt",
    ],
)
def test_tile_coordinates_at_and_beyond_the_limits(client, path):
    for _ in range(2):  # the second time, whatever was cached answers from the fast path
        r = client.get(path)
        assert r.status_code < 500, (path[:80], r.status_code, r.text[:200])
    if path.endswith(("15/15.mvt", "0/0/0.mvt")):
        assert r.status_code == 200
