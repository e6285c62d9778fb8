"""The web map in headless Chromium: /map served by the API and an exported file opened
with no server. Features render, a click on an LSOA shows its values (checked against the
database), the legend and chooser work, hotspots are marked, search finds areas.

Screenshots go to ``DEPMAP_SCREENSHOTS`` (default ``tests/output/screenshots``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

pytestmark = [pytest.mark.db, pytest.mark.data, pytest.mark.browser]

SHOTS = Path(os.environ.get("DEPMAP_SCREENSHOTS", "tests/output/screenshots"))
AREA = "E54000008"  # NHS Cheshire and Merseyside ICB
LSOA = "E01006519"  # Liverpool 056A, inside it


@pytest.fixture(scope="module")
def live_server(national_url: str) -> Iterator[str]:
    """The API in its own process (as deployed), on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": national_url, "DEPMAP_LOG_LEVEL": "warning"}
    env.pop("DEPMAP_TILE_CACHE_DIR", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the API did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def lsoa_facts(engine, code: str) -> dict:
    with engine.connect() as c:
        row = (
            c.execute(
                text(
                    "SELECT a.name, s.imd_score, s.imd_rank, s.imd_decile, s.population, "
                    "ST_X(p) AS lon, ST_Y(p) AS lat, "
                    "(SELECT o.name FROM area_lsoa w JOIN area o ON o.id = w.area_id "
                    " WHERE w.lsoa_id = a.id AND w.kind = 'icb') AS icb, "
                    "(SELECT o.name FROM area_lsoa w JOIN area o ON o.id = w.area_id "
                    " WHERE w.lsoa_id = a.id AND w.kind = 'sicbl') AS sicbl, "
                    "(SELECT o.name FROM area_lsoa w JOIN area o ON o.id = w.area_id "
                    " WHERE w.lsoa_id = a.id AND w.kind = 'pcn' "
                    " AND o.weight_basis = 'registrations' "
                    " ORDER BY w.pop_share DESC, o.code LIMIT 1) AS pcn "
                    "FROM area a JOIN lsoa_stats s ON s.lsoa_id = a.id, "
                    "ST_Transform(ST_PointOnSurface(a.geom), 4326) AS p "
                    "WHERE a.kind = 'lsoa21' AND a.code = :c"
                ),
                {"c": code},
            )
            .mappings()
            .one()
        )
    return dict(row)


PAINTED_JS = """(pane) => {
  let n = 0;
  document.querySelectorAll(`.leaflet-${pane}-pane canvas`).forEach((c) => {
    if (!c.width || !c.height) return;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 16) if (d[i] > 0) n++;
  });
  return n;
}"""


def painted_pixels(page, pane: str) -> int:  # type: ignore[no-untyped-def]
    """Non-transparent pixels (one in four) drawn on the canvases of a map pane."""
    return page.evaluate(PAINTED_JS, pane)


def wait_painted(page, pane: str, at_least: int) -> int:  # type: ignore[no-untyped-def]
    """Wait until the pane's canvases show at least this many painted pixels."""
    page.wait_for_function(f"({PAINTED_JS})({pane!r}) >= {at_least}", timeout=30_000)
    return painted_pixels(page, pane)


def click_at(page, lat: float, lon: float) -> None:  # type: ignore[no-untyped-def]
    xy = page.evaluate(
        """([lat, lon]) => {
          const m = window.depmapApp.map;
          const p = m.latLngToContainerPoint([lat, lon]);
          const r = m.getContainer().getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }""",
        [lat, lon],
    )
    page.mouse.click(xy[0], xy[1])


def popup_fields(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page.wait_for_selector(".depmap-popup[data-code]", timeout=20_000)
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(
             '.depmap-popup [data-field]')].map((e) => [e.dataset.field, e.textContent]))"""
    )


def check_popup(fields: dict[str, str], facts: dict, code: str) -> None:
    assert fields["code"] == code
    assert fields["name"] == facts["name"]
    assert fields["imd_score"] == f"{facts['imd_score']:,.2f}"
    assert fields["imd_rank"] == f"{round(facts['imd_rank']):,}"
    assert fields["imd_decile"] == str(round(facts["imd_decile"]))
    assert fields["population"] == f"{round(facts['population']):,}"
    assert facts["icb"] in fields["icb"]
    assert facts["sicbl"] in fields["sicbl"]
    # the PCN serving most of its residents (registrations loaded for every ICB)
    assert facts["pcn"] and fields["pcn"].startswith(facts["pcn"])


def check_pcn_note(page) -> None:  # type: ignore[no-untyped-def]
    """The note under the layer control: which ICBs the loaded registrations cover."""
    note = page.locator("#depmap-pcn-note").inner_text()
    assert note.startswith("PCN outlines, and PCNs in popups, only where GP registrations")
    assert "42 ICBs" in note and "2025-10" in note and "2022-07" in note


def neighbour(engine, code: str) -> dict:
    """An LSOA touching ``code`` (its code and a point inside it)."""
    with engine.connect() as c:
        row = (
            c.execute(
                text(
                    "SELECT b.code, ST_X(p) AS lon, ST_Y(p) AS lat FROM area a "
                    "JOIN lsoa_adjacency j ON j.lsoa_id = a.id "
                    "JOIN area b ON b.id = j.neighbour_id, "
                    "ST_Transform(ST_PointOnSurface(b.geom), 4326) AS p "
                    "WHERE a.kind = 'lsoa21' AND a.code = :c ORDER BY b.code LIMIT 1"
                ),
                {"c": code},
            )
            .mappings()
            .one()
        )
    return dict(row)


def check_legend(page) -> None:  # type: ignore[no-untyped-def]
    legend = page.locator("#depmap-legend")
    assert legend.is_visible()
    assert "Index of Multiple Deprivation 2025" in legend.inner_text()
    assert legend.locator(".depmap-legend-row").count() >= 11  # 10 deciles + no data


def test_served_map(page, live_server, national_engine):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/map?area={AREA}")
    page.wait_for_selector(".depmap[data-tiles-loaded='1']", timeout=30_000)
    assert wait_painted(page, "choropleth", 20_000) > 20_000  # a quarter of the pixels
    check_legend(page)
    # the area's hotspots are marked, as many as the API finds
    page.wait_for_selector(".depmap[data-hotspots]", timeout=60_000)
    # (the same request as the page's, answered from the service's cache)
    hot = httpx.get(f"{live_server}/areas/{AREA}/hotspots?format=geojson", timeout=60).json()
    n = page.get_attribute(".depmap", "data-hotspots")
    assert n == str(hot["hotspot_count"]) and hot["hotspot_count"] > 0
    info = page.locator("#depmap-info")
    assert info.inner_text().startswith("NHS Cheshire and Merseyside")
    # plain words, the statistics in tooltips (found by a newcomer: "Rank among customs")
    assert "Rank among integrated care boards" in info.inner_text()
    assert "clusters of high deprivation" in page.locator("#depmap-hot-summary").inner_text()
    assert "Getis-Ord" in page.get_attribute("#depmap-hot-summary", "title")
    legend = page.locator("#depmap-legend .depmap-legend-label", has_text="Cluster of high")
    assert "Getis-Ord" in legend.get_attribute("title")
    shot(page, "map-focus-icb")
    # zoom to one LSOA and click it
    facts = lsoa_facts(national_engine, LSOA)
    page.evaluate("document.querySelector('.depmap').removeAttribute('data-tiles-loaded')")
    page.evaluate(f"void window.depmapApp.map.setView([{facts['lat']}, {facts['lon']}], 14)")
    page.wait_for_selector(".depmap[data-tiles-loaded='1']", timeout=30_000)
    click_at(page, facts["lat"], facts["lon"])
    check_popup(popup_fields(page), facts, LSOA)
    # the decile once (found by a newcomer: "7 7"), coloured, with what it means
    decile = page.locator(".depmap-popup tr", has_text="IMD 2025 decile").locator("td")
    assert decile.inner_text().split() == [
        str(round(facts["imd_decile"])),
        "of",
        "10",
        "(1",
        "=",
        "most",
        "deprived)",
    ]
    check_pcn_note(page)
    page.wait_for_timeout(600)  # the popup fades in and the map pans to it
    shot(page, "map-lsoa-popup")
    # an LSOA the loaded registrations barely reach: no PCN, the answer's note instead
    # (the answer as the service gives it with one ICB's file loaded, stubbed here)
    other = neighbour(national_engine, LSOA)
    note = "The loaded GP registrations account for 0.01% of this area's residents (stub)"
    page.route(
        f"**/areas/{other['code']}/overlaps?area_kind=lsoa21&kind=pcn",
        lambda route: route.fulfill(
            json={"overlaps": [], "count": 0, "pcn_coverage": 0.0001, "note": note}
        ),
    )
    page.evaluate("void window.depmapApp.map.closePopup()")
    page.evaluate(
        f"void window.depmapApp.map.setView([{other['lat']}, {other['lon']}], 14, "
        "{animate: false})"
    )
    page.wait_for_timeout(1500)  # the LSOA's tiles (neighbours of those already drawn)
    click_at(page, other["lat"], other["lon"])
    page.wait_for_selector(f".depmap-popup[data-code='{other['code']}']", timeout=20_000)
    fields = popup_fields(page)
    assert fields["pcn"] == "none listed" and fields["pcn_note"] == note
    # the chooser recolours the map and the legend follows
    page.select_option("#depmap-indicator", label="Acute morbidity (IoD 2025)")
    legend = page.locator("#depmap-legend").inner_text()
    assert "Acute morbidity" in legend and "worst 10%" in legend
    # search by name: an LSOA, then a local authority (before its many LSOAs), outlined
    page.fill("#depmap-search", "Liverpool 056")
    page.wait_for_selector(f"#depmap-results li[data-code='{LSOA}']", timeout=10_000)
    page.fill("#depmap-search", "Halton")
    page.wait_for_selector("#depmap-results li[data-code='E06000006']", timeout=10_000)
    first = page.locator("#depmap-results li").first
    assert first.get_attribute("data-code") == "E06000006"
    first.click()
    page.wait_for_function("window.depmapApp.found !== undefined", timeout=10_000)
    bounds = page.evaluate("window.depmapApp.map.getBounds().toBBoxString()")
    west, south, east, north = (float(v) for v in bounds.split(","))
    assert west < -2.7 < east and south < 53.33 < north  # Halton (Runcorn and Widnes) in view


def test_national_map_renders_offline_assets_only(page, live_server):  # type: ignore[no-untyped-def]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server}/map")
    page.wait_for_selector(".depmap[data-tiles-loaded='1']", timeout=30_000)
    assert wait_painted(page, "choropleth", 5_000) > 5_000
    check_legend(page)
    foreign = [u for u in requested if not u.startswith(live_server)]
    # the only foreign request is the probe for OpenStreetMap (optional basemap)
    assert all("tile.openstreetmap.org" in u for u in foreign), foreign
    assert any("/static/vendor/leaflet/leaflet.js" in u for u in requested)
    shot(page, "map-england")


def test_exported_file_works_with_no_server(page, national_url, national_engine, tmp_path):  # type: ignore[no-untyped-def]
    from depmap.core.db import make_async_engine
    from depmap.core.settings import DatabaseSettings
    from web.export import export_config, export_html

    async def build() -> dict:
        eng = make_async_engine(DatabaseSettings(url=national_url))  # type: ignore[arg-type]
        try:
            async with eng.connect() as conn:
                return await export_config(conn, AREA, permutations=199)
        finally:
            await eng.dispose()

    # (Playwright's sync API runs an event loop in this thread: build in another one)
    with ThreadPoolExecutor(1) as ex:
        cfg = ex.submit(asyncio.run, build()).result()
    f = tmp_path / "icb.html"
    f.write_text(export_html(cfg), encoding="utf-8")
    assert "<script src=" not in f.read_text() and "stylesheet" not in f.read_text()
    blocked: list[str] = []

    def only_files(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith("file:"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    page.route("**/*", only_files)
    page.goto(f.as_uri())
    page.wait_for_function("window.depmapApp && window.depmapApp.lsoaLayer", timeout=20_000)
    assert wait_painted(page, "choropleth", 10_000) > 10_000
    check_legend(page)
    n_hot = len(cfg["focus"]["hotspots"]["codes"])
    assert page.get_attribute(".depmap", "data-hotspots") == str(n_hot)
    assert len(cfg["lsoas"]["features"]) == 1601
    facts = lsoa_facts(national_engine, LSOA)
    page.evaluate(f"void window.depmapApp.map.setView([{facts['lat']}, {facts['lon']}], 14)")
    page.wait_for_timeout(500)
    click_at(page, facts["lat"], facts["lon"])
    check_popup(popup_fields(page), facts, LSOA)
    check_pcn_note(page)
    page.wait_for_timeout(600)  # the popup fades in and the map pans to it
    shot(page, "export-lsoa-popup")
    page.fill("#depmap-search", "Liverpool 056A")
    page.wait_for_selector(f"#depmap-results li[data-code='{LSOA}']", timeout=5_000)
    assert all("openstreetmap" in u for u in blocked), blocked
    if os.environ.get("DEPMAP_KEEP_EXPORT"):
        shutil.copy(f, os.environ["DEPMAP_KEEP_EXPORT"])
