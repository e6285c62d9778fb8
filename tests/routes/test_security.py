"""Tokens, closed reads, CORS, and secrets kept out of logs."""

import io
import json
import logging

import pytest

from depmap.core import logs
from tests.conftest import TOKEN, make_client

pytestmark = [pytest.mark.db, pytest.mark.data]


def test_reads_can_be_closed_by_setting(national_url):
    with make_client(national_url, read_token_required=True) as c:
        r = c.get("/areas/E54000008")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert c.get("/rankings?kind=icb").status_code == 401
        assert c.get("/indicators").status_code == 401
        ok = c.get("/areas/E54000008", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        # shared caches must not keep what needs a token
        assert ok.headers["cache-control"].startswith("private")
        tile = c.get("/tiles/icb/7/63/41.mvt", headers={"Authorization": f"Bearer {TOKEN}"})
        assert tile.status_code == 200 and tile.headers["cache-control"].startswith("private")
        assert c.get("/healthz").status_code == 200  # monitors need no token


def test_writes_are_refused_when_the_server_has_no_token(national_url):
    with make_client(national_url, api_token=None) as c:
        r = c.post("/areas", json={}, headers={"Authorization": "Bearer anything"})
        assert r.status_code == 403 and "DEPMAP_API_TOKEN" in r.json()["detail"]


def test_cors_by_setting(national_url, client):
    origin = "https://ics.example.nhs.uk"
    pre = {"Origin": origin, "Access-Control-Request-Method": "GET"}
    with make_client(national_url, cors_origins=[origin]) as c:
        r = c.options("/areas/E54000008", headers=pre)
        assert r.headers.get("access-control-allow-origin") == origin
        r = c.options("/areas/E54000008", headers={**pre, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
    # no CORS unless configured
    assert (
        "access-control-allow-origin"
        not in client.get("/areas/E54000008", headers={"Origin": origin}).headers
    )


def test_secrets_never_reach_the_logs(national_url):
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with make_client(national_url) as c:
            c.post(
                "/areas",
                json={"type": "Feature"},
                headers={"Authorization": "Bearer wrong-secret-value"},
            )
            c.post("/areas", json={"type": "Point"}, headers={"Authorization": f"Bearer {TOKEN}"})
        logging.getLogger("depmap.test").warning(
            "connecting to postgresql://depmap:hunter2@db:5432/x with token=abc123"
        )
    finally:
        root.removeHandler(handler)
    text = buf.getvalue()
    assert TOKEN not in text and "wrong-secret-value" not in text
    assert "hunter2" not in text and "abc123" not in text
    last = json.loads(text.strip().splitlines()[-1])
    assert last["msg"] == "connecting to postgresql://depmap:***@db:5432/x with token=***"


def test_a_posted_name_cannot_inject_html_into_the_map(client, auth):
    """Found in review: the map's <title> carried a custom area's name unescaped."""
    evil = "</title><script>alert('x')</script><b>"
    poly = {
        "type": "Feature",
        "properties": {"name": evil},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[-2.99, 53.40], [-2.97, 53.40], [-2.97, 53.41], [-2.99, 53.41], [-2.99, 53.40]]
            ],
        },
    }
    r = client.post("/areas", json=poly, headers=auth)
    assert r.status_code == 201
    cid = r.json()["id"]
    try:
        page = client.get(f"/map?area={cid}", headers=auth)
        assert page.status_code == 200
        # in the <title>: escaped; inside the page's script data: "</" cannot close the script
        title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert (
            title
            == "depmap: &lt;/title&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;"
        )
        assert "alert('x')</script>" not in page.text
    finally:
        client.delete(f"/areas/{cid}", headers=auth)
