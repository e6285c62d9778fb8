"""The API documentation in headless Chromium with every request to another host blocked
(as on an NHS network with no CDN): /docs and /redoc render the operations from assets the
service serves itself, and POST /areas can be tried from /docs with the bearer token."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import TOKEN

pytestmark = [pytest.mark.db, pytest.mark.data, pytest.mark.browser]


@pytest.fixture(scope="module")
def docs_server(national_url: str) -> Iterator[str]:
    from tests.live import server

    with server({"DATABASE_URL": national_url, "DEPMAP_API_TOKEN": TOKEN}) as base:
        yield base


def offline(page, base: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Abort every request that is not to the service; returns what was tried."""
    tried: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        if r.request.url.startswith(base):
            return r.continue_()
        tried.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    return tried


def test_swagger_ui_renders_offline_and_posts_an_area_with_a_token(page, docs_server):  # type: ignore[no-untyped-def]
    foreign = offline(page, docs_server)
    page.goto(f"{docs_server}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/areas/{area_id}/hotspots" in p for p in paths), paths
    # Authorize with the bearer scheme of the OpenAPI document
    page.click("button.authorize")
    page.fill(".modal-ux input", TOKEN)
    page.click(".modal-ux .auth-btn-wrapper button.authorize")
    page.click(".modal-ux button.btn-done")
    # POST /areas: the example polygon is in the request body; send it
    op = page.locator("#operations-areas-create_area_areas_post")
    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    body = op.locator("textarea.body-param__text").input_value()
    assert json.loads(body)["geometry"]["type"] == "Polygon"
    op.locator("button.execute").click()
    status = op.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=30_000)
    assert status.inner_text().strip() == "201"
    created = json.loads(op.locator(".live-responses-table tbody .microlight").first.inner_text())
    assert created["id"].startswith("c-") and created["lsoa21_count"] > 0
    r = httpx.delete(
        f"{docs_server}/areas/{created['id']}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert r.status_code == 204
    assert foreign == [], foreign


def test_redoc_renders_offline(page, docs_server):  # type: ignore[no-untyped-def]
    foreign = offline(page, docs_server)
    page.goto(f"{docs_server}/redoc")
    page.wait_for_selector("h2:has-text('Store a custom area')", timeout=30_000)
    assert page.locator("h2", has_text="Getis-Ord Gi* hotspots").count() >= 1
    # the request body and the bearer scheme are described
    assert page.locator("text=properties.name names the area").count() >= 1
    assert foreign == [], foreign


def test_docs_without_their_assets_are_a_503_saying_what_to_run(
    national_url, monkeypatch, tmp_path
):  # type: ignore[no-untyped-def]
    import web.assets
    from tests.conftest import make_client

    monkeypatch.setattr(web.assets, "STATIC_DIR", tmp_path)
    with make_client(national_url) as c:
        for path in ("/docs", "/redoc", "/map"):
            r = c.get(path)
            assert r.status_code == 503, (path, r.text)
            assert r.json()["error"] == "assets_missing" and "npm ci" in r.json()["detail"]
