"""`depmap tiles seed` fills the disk cache the service reads; `depmap map` writes one file."""

from __future__ import annotations

import re

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from api.main import create_app
from depmap.cli import app
from depmap.core.settings import ApiSettings, DatabaseSettings, TileSettings, clear_caches
from tests.conftest import TOKEN

pytestmark = [pytest.mark.db, pytest.mark.data]


@pytest.fixture
def cli(national_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", national_url)
    monkeypatch.delenv("DEPMAP_TILE_CACHE_DIR", raising=False)
    clear_caches()
    yield CliRunner()
    clear_caches()


def test_seed_an_area_then_serve_from_disk(cli, national_url, national_engine, tmp_path):
    d = tmp_path / "tiles"
    r = cli.invoke(
        app,
        [
            "tiles",
            "seed",
            "--layer",
            "lsoa21",
            "--zooms",
            "8-10",
            "--area",
            "E54000008",
            "--cache-dir",
            str(d),
            "--no-progress",
        ],
    )
    assert r.exit_code == 0, r.output
    with national_engine.connect() as c:
        version = c.execute(
            text("SELECT value FROM depmap_meta WHERE key = 'data_version'")
        ).scalar()
        # the tiles whose envelope meets the ICB, computed here independently
        expected = c.execute(
            text(
                "SELECT count(*) FROM area a, generate_series(8, 10) z, "
                "generate_series(0, (1 << z) - 1) x, generate_series(0, (1 << z) - 1) y "
                "WHERE a.code = 'E54000008' AND a.kind = 'icb' "
                "AND x BETWEEN 120 * (1 << (z - 8)) AND 130 * (1 << (z - 8)) "
                "AND y BETWEEN 78 * (1 << (z - 8)) AND 88 * (1 << (z - 8)) "
                "AND ST_Intersects(a.geom, ST_Transform(ST_TileEnvelope(z, x, y), 27700))"
            )
        ).scalar()
    files = sorted((d / str(version) / "lsoa21").rglob("*.mvt"))
    assert len(files) == expected > 10
    assert all(f.with_suffix(".mvt.gz").exists() for f in files)
    assert re.search(rf"tiles\s+│\s+{expected}", r.output)
    # a service pointed at the folder answers them without cutting any
    z, x, y = (
        int(p) for p in files[0].relative_to(d / str(version) / "lsoa21").with_suffix("").parts
    )
    svc = create_app(
        ApiSettings(api_token=TOKEN, env="test"),  # type: ignore[arg-type]
        DatabaseSettings(url=national_url),  # type: ignore[arg-type]
        TileSettings(cache_dir=d),
    )
    with TestClient(svc) as c:
        body = c.get(f"/tiles/lsoa21/{z}/{x}/{y}.mvt").content
        assert body == files[0].read_bytes()
        assert c.app.state.services.tiles.rendered == 0
    assert mapbox_vector_tile.decode(body)["lsoa21"]["features"]


def test_seed_refuses_bad_options(cli, tmp_path):
    r = cli.invoke(
        app, ["tiles", "seed", "--layer", "lsoa21", "--zooms", "12-5", "--cache-dir", str(tmp_path)]
    )
    assert r.exit_code == 2 and "--zooms" in r.output
    r = cli.invoke(
        app, ["tiles", "seed", "--layer", "parish", "--zooms", "5", "--cache-dir", str(tmp_path)]
    )
    assert r.exit_code == 2 and "parish" in r.output
    r = cli.invoke(app, ["tiles", "seed", "--layer", "lsoa21", "--zooms", "5"])
    assert r.exit_code == 2 and "DEPMAP_TILE_CACHE_DIR" in r.output


def test_map_command_writes_one_self_contained_file(cli, tmp_path):
    out = tmp_path / "halton.html"
    r = cli.invoke(app, ["map", "--area", "E06000006", "-o", str(out)])  # Halton
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html
    assert '"mode":"inline"' in html and "Halton" in html
    assert html.count('"type":"Feature"') >= 80  # Halton's 80 LSOA21s (best fit) and its outlines
    r = cli.invoke(app, ["map", "--area", "E99999999", "-o", str(out)])
    assert r.exit_code == 2 and "E99999999" in r.output
