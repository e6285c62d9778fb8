"""Change over time on the map, in headless Chromium: the change layers of the chooser
(diverging palette, a legend saying which way is better), an LSOA popup's series (checked
against /areas/{code}/change), and a programme area's evaluation chart, served and in an
exported file."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.browser.test_map_browser import (  # noqa: F401 (fixtures)
    click_at,
    live_server,
    lsoa_facts,
    shot,
    wait_painted,
)

pytestmark = [pytest.mark.db, pytest.mark.data, pytest.mark.browser]

PROGRAMME_AREA = "left-behind-neighbourhoods:E06000002-02"
LSOA = "E01006519"  # Liverpool 056A


def test_change_layers_popup_series_and_programme_chart(page, live_server, national_engine):  # noqa: F811
    foreign: list[str] = []

    def local_only(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(live_server):
            return route.continue_()
        foreign.append(route.request.url)
        return route.abort()

    page.route("**/*", local_only)
    page.goto(f"{live_server}/map?area={PROGRAMME_AREA}")
    page.wait_for_selector(".depmap[data-tiles-loaded='1']", timeout=30_000)
    # the programme's evaluation chart, drawn by the API
    page.click("#depmap-evaluation summary")
    page.wait_for_function(
        "document.querySelector('#depmap-evaluation-chart').naturalWidth > 300", timeout=60_000
    )
    src = page.get_attribute("#depmap-evaluation-chart", "src")
    assert "/programmes/left-behind-neighbourhoods/evaluation?format=svg" in src
    # a change layer: diverging classes, the legend says which way is better
    page.select_option(
        "#depmap-indicator",
        label="Change in households deprived in at least one dimension, 2011-2021",
    )
    legend = page.locator("#depmap-legend").inner_text()
    assert "(better)" in legend and "(worse)" in legend and "percentage points" in legend
    assert page.locator("#depmap-legend .depmap-change-row").count() == 7
    assert wait_painted(page, "choropleth", 5_000) > 5_000
    shot(page, "map-programme-change")
    # an LSOA's popup shows its series, as /areas/{code}/change answers
    facts = lsoa_facts(national_engine, LSOA)
    page.evaluate("document.querySelector('.depmap').removeAttribute('data-tiles-loaded')")
    page.evaluate(f"void window.depmapApp.map.setView([{facts['lat']}, {facts['lon']}], 14)")
    page.wait_for_selector(".depmap[data-tiles-loaded='1']", timeout=30_000)
    click_at(page, facts["lat"], facts["lon"])
    page.wait_for_selector(".depmap-popup tr.depmap-series", timeout=20_000)
    rows = page.locator(".depmap-popup tr.depmap-series").all_inner_texts()
    api = httpx.get(f"{live_server}/areas/{LSOA}/change?area_kind=lsoa21", timeout=30).json()
    assert len(rows) == len(api["changes"]) == 6
    hh = next(c for c in api["changes"] if c["indicator"] == "households_deprived_any")
    row = next(r for r in rows if r.startswith("Households deprived\t"))
    assert f"2011 {hh['points'][0]['value']:.1f}%" in row
    assert f"2021 {hh['points'][1]['value']:.1f}%" in row
    assert f"{hh['change']:+.1f}" in row
    # the only foreign request is the probe for OpenStreetMap (optional basemap)
    assert all("tile.openstreetmap.org" in u for u in foreign), foreign


def test_exported_programme_map_has_its_chart_and_series(page, national_url, tmp_path):
    from depmap.core.db import make_async_engine
    from depmap.core.settings import DatabaseSettings
    from web.export import export_config, export_html

    async def build() -> dict:
        eng = make_async_engine(DatabaseSettings(url=national_url))  # type: ignore[arg-type]
        try:
            async with eng.connect() as conn:
                return await export_config(conn, PROGRAMME_AREA, permutations=99)
        finally:
            await eng.dispose()

    with ThreadPoolExecutor(1) as ex:
        cfg = ex.submit(asyncio.run, build()).result()
    assert cfg["focus"]["evaluation_chart"].startswith("data:image/svg+xml;base64,")
    f = tmp_path / "programme.html"
    f.write_text(export_html(cfg), encoding="utf-8")
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page.goto(f.as_uri())
    page.wait_for_function("window.depmapApp && window.depmapApp.lsoaLayer", timeout=20_000)
    page.click("#depmap-evaluation summary")
    page.wait_for_function(
        "document.querySelector('#depmap-evaluation-chart').naturalWidth > 300", timeout=20_000
    )
    feature = cfg["lsoas"]["features"][0]
    series = {s["code"]: s for s in feature["properties"]["profile"]["series"]}
    assert set(series) >= {"households_deprived_any", "general_health_bad"}
    assert "households_deprived_any" in cfg["england_changes"]
    # the change layers colour the inlined LSOAs too
    page.select_option(
        "#depmap-indicator",
        label="Change in IMD national decile, 2015-2025 (positions within each edition)",
    )
    assert page.locator("#depmap-legend .depmap-change-row").count() == 7
    assert wait_painted(page, "choropleth", 2_000) > 2_000
