"""The documentation site (docs/, MkDocs), built as CI builds it (``scripts/docs.sh``,
``mkdocs build --strict``), opened in headless Chromium with every request off this machine
refused: the formulas render (KaTeX served with the site), nothing is fetched from the
internet, the benchmark tables are included and the pages link to each other."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.test_map_browser import shot

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "DEPMAP_VENV": str(Path(sys.executable).parents[1])}
    r = subprocess.run(
        [str(ROOT / "scripts" / "docs.sh"), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=out))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def open_offline(pg, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open ``url`` refusing every request that leaves this machine; returns them."""
    refused: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        u = r.request.url
        if u.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            refused.append(u)
            r.abort()

    pg.route("**/*", route)
    pg.goto(url)
    pg.wait_for_load_state("networkidle")
    return refused


def test_formulas_render_offline(page, site):
    refused = open_offline(page, f"{site}/methods/")
    page.wait_for_function("document.querySelectorAll('.katex').length > 20", timeout=10_000)
    counts = page.evaluate(
        """() => ({
            katex: document.querySelectorAll('.katex').length,
            display: document.querySelectorAll('.katex-display').length,
            unrendered: [...document.querySelectorAll('.arithmatex')]
                .filter(e => !e.querySelector('.katex')).length,
            errors: document.querySelectorAll('.katex-error').length,
            font: getComputedStyle(document.body).fontFamily,
        })"""
    )
    assert counts["display"] >= 6 and counts["unrendered"] == 0 and counts["errors"] == 0
    assert "Roboto" not in counts["font"]  # no Google Fonts: the system font stack
    assert refused == [], refused
    shot(page, "docs-methods")


def test_pages_benchmarks_and_search(page, site):
    refused = open_offline(page, f"{site}/")
    for path in (
        "api/",
        "gis/",
        "methods/",
        "evaluation/",
        "data/",
        "deployment/",
        "development/",
        "benchmarks/",
    ):
        assert page.locator(f"a[href$='{path}']").count() > 0, path
    open_offline(page, f"{site}/benchmarks/")
    text = page.inner_text("article")
    assert "Benchmark summary" in text and "load all, median of 3" in text  # included results
    # the search index is built in a web worker from the site's own search_index.json
    page.click("input.md-search__input")
    page.type("input.md-search__input", "local concentration", delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=60_000)
    assert refused == [], refused
