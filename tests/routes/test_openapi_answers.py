"""The OpenAPI document describes every answer: real answers of every JSON route (and
their errors) validate against the schema of their route and status."""

from __future__ import annotations

import pytest
import schemathesis

pytestmark = [pytest.mark.db, pytest.mark.data]

ICB, LA, LSOA, MSOA = "E54000008", "E06000006", "E01012733", "E02001346"
PROGRAMME_AREA = "left-behind-neighbourhoods:E06000002-02"

REQUESTS = [
    "/healthz",
    "/indicators",
    "/areas?q=Liverpool",
    "/areas?kind=icb&limit=100",
    f"/areas/{ICB}",
    f"/areas/{ICB}?format=geojson",
    f"/areas/{PROGRAMME_AREA}",
    "/areas/E99999999",
    *(f"/areas/{ICB}/overlaps?kind={k}" for k in ("lsoa21", "sicbl", "pcn", "programme")),
    f"/areas/{LA}/overlaps?kind=ward&format=geojson",
    f"/areas/{ICB}/overlaps?kind=bogus",
    *(f"/areas/{c}/deprivation" for c in (ICB, LA, LSOA, MSOA, PROGRAMME_AREA)),
    f"/areas/{ICB}/deprivation?domain=income",
    *(f"/rankings?kind={k}" for k in ("icb", "ltla", "pcn", "programme")),
    f"/areas/{ICB}/hotspots",
    f"/areas/{LA}/hotspots?unit=msoa21",
    f"/areas/{LA}/hotspots?format=geojson",
    f"/areas/{LSOA}/hotspots",
    f"/areas/{ICB}/hotspots?table=msoas&format=geojson&measure=extent",
    f"/areas/{ICB}/lsoas",
    f"/areas/{LA}/lsoas?format=geojson",
    f"/areas/{ICB}/comparators",
    f"/areas/{ICB}/comparators?kind=icb",
    *(f"/areas/{c}/profile" for c in (ICB, LSOA, PROGRAMME_AREA)),
    "/programmes",
    "/programmes/left-behind-neighbourhoods/summary",
    "/programmes/nope/summary",
    f"/areas/{PROGRAMME_AREA}/comparators",
    "/tiles",
    "/tiles/lsoa21.json",
    "/tiles/nope.json",
]


@pytest.fixture(scope="module")
def schema(client):
    return schemathesis.openapi.from_dict(client.get("/openapi.json").json())


@pytest.mark.parametrize("path", REQUESTS)
def test_answers_validate_against_the_openapi_schema(client, schema, path):
    r = client.get(path)
    assert r.status_code < 500, r.text[:300]
    op = schema.find_operation_by_path("GET", path.split("?")[0] if "{" not in path else path)
    assert op is not None, path
    op.validate_response(r)


def test_every_json_route_documents_its_answer(client):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = op["responses"].get("200") or op["responses"].get("201")
            if path in ("/map",) or path.endswith(".mvt") or method == "delete":
                continue
            schema = ok["content"]["application/json"]["schema"]
            assert schema.get("$ref") or schema.get("properties"), (method, path)
            if op.get("parameters") or op.get("requestBody"):
                assert "422" in op["responses"], (method, path)
                body = op["responses"]["422"]["content"]["application/json"]["schema"]
                assert body["$ref"].endswith("/Problem"), (method, path)


def test_post_areas_documents_its_body_and_the_bearer_scheme(client):
    """Found by a newcomer: no requestBody and no security scheme, so /docs could not send a
    polygon or a token."""
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"] == {
        **spec["components"]["securitySchemes"]["bearer"],
        "type": "http",
        "scheme": "bearer",
    }
    post = spec["paths"]["/areas"]["post"]
    assert post["security"] == [{"bearer": []}]
    body = post["requestBody"]
    assert body["required"] is True
    example = body["content"]["application/geo+json"]["examples"]["liverpool"]["value"]
    r = client.post("/areas", json=example)  # the example is a real area: it needs a token
    assert r.status_code == 401
    assert spec["paths"]["/areas/{area_id}"]["delete"]["security"] == [{"bearer": []}]
    # reads take the token (private custom areas) without needing it
    assert spec["paths"]["/areas/{area_id}"]["get"]["security"] == [{}, {"bearer": []}]
    assert "/docs" not in spec["paths"] and "/redoc" not in spec["paths"]
