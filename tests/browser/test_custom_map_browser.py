"""A resident's shared area on the web map: opened by its unguessable id with no token,
its summary in plain words, with no rank (custom areas are not ranked: found by a newcomer,
the map said "Rank among customs")."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import TOKEN

pytestmark = [pytest.mark.db, pytest.mark.data, pytest.mark.browser]

AUTH = {"Authorization": f"Bearer {TOKEN}"}
AREA = {
    "type": "Feature",
    "properties": {"name": "Our streets"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[-2.99, 53.40], [-2.97, 53.40], [-2.97, 53.41], [-2.99, 53.41], [-2.99, 53.40]]
        ],
    },
}


@pytest.fixture(scope="module")
def base(national_url: str) -> Iterator[str]:
    from tests.live import server

    with server({"DATABASE_URL": national_url, "DEPMAP_API_TOKEN": TOKEN}) as url:
        yield url


def test_a_shared_area_on_the_map(page, base):  # type: ignore[no-untyped-def]
    r = httpx.post(f"{base}/areas?shared=true", json=AREA, headers=AUTH, timeout=60)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    try:
        page.goto(f"{base}/map?area={sid}")
        info = page.locator("#depmap-info")
        info.wait_for(timeout=30_000)
        text = info.inner_text()
        assert text.startswith("Our streets")
        assert "Average deprivation score" in text and "Rank among" not in text
        assert "customs" not in text
        page.wait_for_selector("#depmap-hot-summary", timeout=30_000)
    finally:
        assert httpx.delete(f"{base}/areas/{sid}", headers=AUTH).status_code == 204
