"""The static map site (`depmap map --static DIR`) in headless Chromium, served by a plain
static server that knows nothing of depmap: the site's own serve.py (Python's standard
library only), run by the system Python in isolated mode, with no depmap process at all.
The choropleth, outlines and legend draw from the PMTiles archives (HTTP range requests),
and a click on an LSOA shows its values from the tiles (checked against the database).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from depmap.core.settings import clear_caches
from tests.browser.test_map_browser import (
    LSOA,
    check_legend,
    click_at,
    lsoa_facts,
    popup_fields,
    shot,
    wait_painted,
)
from tests.live import free_port

pytestmark = [pytest.mark.db, pytest.mark.data, pytest.mark.browser]

BBOX = "-3.05,53.35,-2.9,53.45"  # central Liverpool
PYTHON = shutil.which("python3", path="/usr/bin:/bin") or "python3"


@pytest.fixture(scope="module")
def site(national_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from depmap.cli import app

    folder = tmp_path_factory.mktemp("site")
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = national_url
    clear_caches()
    try:
        args = ["map", "--static", str(folder), "--minzoom", "9", "--maxzoom", "13"]
        r = CliRunner().invoke(app, [*args, "--bbox", BBOX, "--no-progress"])
    finally:
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
        clear_caches()
    assert r.exit_code == 0, r.output
    for f in ("index.html", "serve.py", "README.txt", "tiles/lsoa21.pmtiles", "tiles/icb.pmtiles"):
        assert (folder / f).is_file(), f
    assert (folder / "static/vendor/pmtiles/pmtiles.js").is_file()
    return folder


@pytest.fixture(scope="module")
def static_server(site: Path) -> Iterator[str]:
    """serve.py from the site folder, by the system Python in isolated mode (-I: no
    environment, no user site), from another folder: it can import nothing of depmap."""
    port = free_port()
    proc = subprocess.Popen(
        [PYTHON, "-I", str(site / "serve.py"), "--port", str(port), "--directory", str(site)],
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "SERVE_QUIET": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("serve.py did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_py_answers_ranges(site, static_server):  # type: ignore[no-untyped-def]
    data = (site / "tiles/lsoa21.pmtiles").read_bytes()
    r = httpx.get(f"{static_server}/tiles/lsoa21.pmtiles", headers={"Range": "bytes=0-126"})
    assert r.status_code == 206 and r.content == data[:127]
    assert r.headers["content-range"] == f"bytes 0-126/{len(data)}"
    r = httpx.get(f"{static_server}/tiles/lsoa21.pmtiles", headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == data[-10:]
    r = httpx.get(f"{static_server}/tiles/lsoa21.pmtiles", headers={"Range": "bytes=9999999-"})
    assert r.status_code == 416
    r = httpx.get(f"{static_server}/tiles/lsoa21.pmtiles")
    assert r.status_code == 200 and r.content == data


def test_static_site_in_a_browser(page, static_server, national_engine):  # type: ignore[no-untyped-def]
    ranges: list[tuple[str, str | None]] = []
    foreign: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        if r.request.url.startswith(static_server):
            if r.request.url.endswith(".pmtiles"):
                ranges.append((r.request.url, r.request.headers.get("range")))
            return r.continue_()
        foreign.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.goto(f"{static_server}/")
    page.wait_for_selector(".depmap[data-tiles-loaded='1']", timeout=30_000)
    assert wait_painted(page, "choropleth", 20_000) > 20_000
    assert wait_painted(page, "outlines", 200) > 200  # local authorities and ICBs
    check_legend(page)
    assert page.locator("#depmap-search").count() == 0  # no API to search
    assert ranges and all(h and h.startswith("bytes=") for _, h in ranges), ranges
    assert all("openstreetmap" in u for u in foreign), foreign
    shot(page, "static-site")
    facts = lsoa_facts(national_engine, LSOA)
    # below the detail zoom (12) tiles carry deciles only: the popup reads the LSOA's own
    # tile at the detail zoom for the rest (whichever LSOA the click hit there)
    for zoom in (11, 13):
        page.evaluate("document.querySelector('.depmap').removeAttribute('data-tiles-loaded')")
        page.evaluate(
            f"void window.depmapApp.map.setView([{facts['lat']}, {facts['lon']}], {zoom})"
        )
        page.wait_for_selector(".depmap[data-tiles-loaded='1']", timeout=30_000)
        page.evaluate("void window.depmapApp.map.closePopup()")
        page.wait_for_selector(".depmap-popup", state="detached")  # the last one faded out
        click_at(page, facts["lat"], facts["lon"])
        fields = popup_fields(page)
        if zoom == 13:
            assert fields["code"] == LSOA
        hit = lsoa_facts(national_engine, fields["code"])
        assert fields["name"] == hit["name"], zoom
        assert fields["imd_score"] == f"{hit['imd_score']:,.2f}"
        assert fields["imd_rank"] == f"{round(hit['imd_rank']):,}"
        assert fields["imd_decile"] == str(round(hit["imd_decile"]))
        assert fields["population"] == f"{round(hit['population']):,}"
    page.wait_for_timeout(600)  # the popup fades in and the map pans to it
    shot(page, "static-site-popup")
    page.select_option("#depmap-indicator", label="Acute morbidity (IoD 2025)")
    assert "Acute morbidity" in page.locator("#depmap-legend").inner_text()
