"""The tile cache follows the data version: a committed load drops every older tile,
in memory and on disk."""

from __future__ import annotations

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from depmap.core.settings import ApiSettings, DatabaseSettings, TileSettings
from tests.conftest import TOKEN
from tiles.grid import lonlat_to_tile

pytestmark = [pytest.mark.db, pytest.mark.data]

Z = 13
X, Y = lonlat_to_tile(-2.98, 53.41, Z)
PATH = f"/tiles/lsoa21/{Z}/{X}/{Y}.mvt"


def decile_of(body: bytes, code: str) -> int:
    feats = mapbox_vector_tile.decode(body)["lsoa21"]["features"]
    return next(f["properties"]["imd_decile"] for f in feats if f["properties"]["code"] == code)


def bump(engine, code: str, decile: int) -> None:
    """What a load does, in small: change tile data and the data version in one commit."""
    with engine.begin() as c:
        c.execute(
            text("UPDATE tile_lsoa SET imd_decile = :d WHERE code = :c"), {"d": decile, "c": code}
        )
        c.execute(
            text(
                "UPDATE depmap_meta SET value = (value::bigint + 1)::text "
                "WHERE key = 'data_version'"
            )
        )


@pytest.fixture
def tile_client(national_url, tmp_path):
    app = create_app(
        ApiSettings(api_token=TOKEN, env="test", version_check_interval_s=0),  # type: ignore[arg-type]
        DatabaseSettings(url=national_url),  # type: ignore[arg-type]
        TileSettings(cache_dir=tmp_path / "tiles", cache_mb=16),
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_reload_invalidates_cached_tiles(tile_client, national_engine, tmp_path):
    c = tile_client
    first = c.get(PATH)
    code = mapbox_vector_tile.decode(first.content)["lsoa21"]["features"][0]["properties"]["code"]
    before = decile_of(first.content, code)
    v0 = c.app.state.services.databases.value
    on_disk = tmp_path / "tiles" / str(v0) / "lsoa21" / str(Z) / str(X) / f"{Y}.mvt"
    assert on_disk.read_bytes() == first.content
    assert on_disk.with_suffix(".mvt.gz").exists()
    assert c.get(PATH).content == first.content
    assert c.app.state.services.tiles.rendered == 1  # the second answer came from the cache
    other = 10 if before != 10 else 1
    try:
        bump(national_engine, code, other)
        # the tile is still cached until the service sees the new version...
        assert decile_of(c.get(PATH).content, code) == before
        assert c.get("/healthz").json()["data_version"] == v0 + 1  # ...which it now does
        second = c.get(PATH)
        assert decile_of(second.content, code) == other
        assert second.headers["etag"] != first.headers["etag"]
        assert c.get(PATH, headers={"If-None-Match": first.headers["etag"]}).status_code == 200
        assert c.app.state.services.tiles.rendered == 2
        assert (tmp_path / "tiles" / str(v0 + 1) / "lsoa21" / str(Z) / str(X)).is_dir()
    finally:
        bump(national_engine, code, before)
        c.get("/healthz")
    assert decile_of(c.get(PATH).content, code) == before
    # older versions' folders go (removed in the background)
    import time

    for _ in range(50):
        if not (tmp_path / "tiles" / str(v0)).exists():
            break
        time.sleep(0.1)
    assert not (tmp_path / "tiles" / str(v0)).exists()


def test_disk_cache_serves_a_fresh_process(national_url, tmp_path):
    """A second service (another worker, or after a restart) reads tiles from disk."""
    settings = TileSettings(cache_dir=tmp_path / "tiles", cache_mb=16)
    bodies = []
    rendered = []
    for _ in range(2):
        app = create_app(
            ApiSettings(api_token=TOKEN, env="test", version_check_interval_s=0),  # type: ignore[arg-type]
            DatabaseSettings(url=national_url),  # type: ignore[arg-type]
            settings,
        )
        with TestClient(app) as c:
            bodies.append(c.get(PATH).content)
            rendered.append(c.app.state.services.tiles.rendered)
    assert bodies[0] == bodies[1] and len(bodies[0]) > 1000
    assert rendered == [1, 0]
