"""`depmap tiles export` writes a PMTiles v3 archive of the tiles the service serves."""

from __future__ import annotations

import gzip
import json

import mapbox_vector_tile
import pytest
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from sqlalchemy import text
from typer.testing import CliRunner

from depmap.cli import app
from depmap.core.settings import clear_caches
from tiles.export import candidate_margin, parse_bbox
from tiles.grid import tiles_for_bbox

pytestmark = [pytest.mark.db, pytest.mark.data]

BBOX = (-3.2, 53.2, -2.8, 53.5)  # Liverpool and the Wirral


@pytest.fixture
def cli(national_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", national_url)
    clear_caches()
    yield CliRunner()
    clear_caches()


def read_archive(path):
    with open(path, "rb") as f:
        src = MmapSource(f)
        r = Reader(src)
        return r.header(), r.metadata(), dict(all_tiles(src))


def test_export_matches_the_tile_endpoint(cli, client, national_engine, tmp_path):
    out = tmp_path / "x.pmtiles"
    args = ["tiles", "export", str(out), "--layer", "lsoa21", "--minzoom", "6", "--maxzoom"]
    r = cli.invoke(app, [*args, "10", "--bbox", "-3.2,53.2,-2.8,53.5", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"PMTiles\x03"  # spec version 3
    head, meta, tiles = read_archive(out)
    assert head["tile_type"] == TileType.MVT and head["tile_compression"] == Compression.GZIP
    assert head["clustered"] and (head["min_zoom"], head["max_zoom"]) == (6, 10)
    assert head["min_lon_e7"] == -32_000_000 and head["max_lat_e7"] == 535_000_000
    with national_engine.connect() as c:
        version = int(
            c.execute(text("SELECT value FROM depmap_meta WHERE key = 'data_version'")).scalar()
        )
    assert meta["depmap"]["data_version"] == version and meta["version"] == f"1.0.{version}"
    assert "Crown copyright" in meta["attribution"]
    (vl,) = meta["vector_layers"]
    assert vl["id"] == "lsoa21" and "imd_decile" in vl["fields"] and vl["maxzoom"] == 10
    # every tile over the box: in the archive exactly when the endpoint's is not empty, with
    # the endpoint's bytes (gzipped the way the service gzips them)
    wanted = list(tiles_for_bbox(BBOX, range(6, 11)))
    assert set(tiles) <= set(wanted)  # nothing outside the box
    features = 0
    for z, x, y in sorted(wanted, key=lambda t: zxy_to_tileid(*t)):
        tid = (z, x, y)
        served = client.get(f"/tiles/lsoa21/{z}/{x}/{y}.mvt")
        assert served.status_code == 200
        if not served.content:
            assert tid not in tiles, (z, x, y)
            continue
        stored = tiles[tid]
        assert gzip.decompress(stored) == served.content, (z, x, y)
        gz = client.get(f"/tiles/lsoa21/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "gzip"})
        assert stored == gzip.compress(served.content, compresslevel=6, mtime=0)
        assert gz.headers["content-encoding"] == "gzip"
        decoded = mapbox_vector_tile.decode(gzip.decompress(stored))
        features += len(decoded["lsoa21"]["features"])
    assert len(tiles) >= 15 and features > 1000
    assert f"{len(tiles)} " in r.output.replace("│", " ")


def test_several_layers_in_one_archive(cli, client, tmp_path):
    """Each tile holds every layer, each exactly as served (MVT tiles concatenate)."""
    out = tmp_path / "two.pmtiles"
    r = cli.invoke(
        app,
        [
            "tiles", "export", str(out), "--layer", "lsoa21", "--layer", "icb",
            "--minzoom", "3", "--maxzoom", "8", "--bbox", "-3.1,53.3,-2.9,53.45",
            "--no-progress", "--concurrency", "3",
        ],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    _, meta, tiles = read_archive(out)
    assert [v["id"] for v in meta["vector_layers"]] == ["lsoa21", "icb"]
    assert tiles
    for (z, x, y), data in tiles.items():
        parts = [client.get(f"/tiles/{n}/{z}/{x}/{y}.mvt").content for n in ("lsoa21", "icb")]
        assert gzip.decompress(data) == b"".join(parts)
        assert set(mapbox_vector_tile.decode(gzip.decompress(data))) == {"lsoa21", "icb"}


def test_export_refuses_what_it_cannot_do(cli, tmp_path):
    out = tmp_path / "bad.pmtiles"
    for extra, says in (
        (["--bbox", "1,2,3"], "W,S,E,N"),
        (["--bbox", "2,50,1,51"], "west must be below east"),
        (["--layer", "nope"], "no tile layer 'nope'"),
        (["--minzoom", "9", "--maxzoom", "3"], "--minzoom"),
        (["--bbox", "-40,10,-39,11", "--minzoom", "8", "--maxzoom", "8"], "nothing to write"),
    ):
        r = cli.invoke(app, ["tiles", "export", str(out), *extra, "--no-progress"])
        assert r.exit_code != 0 and says in r.output + (r.stderr or ""), (extra, r.output)
        assert not out.exists()
        assert not list(tmp_path.glob(".*part"))  # no half-written archive left


def test_bbox_and_margin():
    assert parse_bbox("-3.2, 53.2, -2.8, 53.5") == BBOX
    with pytest.raises(ValueError):
        parse_bbox("a,b,c,d")
    # a tile drawn from a band of lower zoom reaches further (in tiles) than a full-detail one
    assert candidate_margin(11, _s()) > candidate_margin(12, _s()) > 64 / 4096
    assert json.dumps(candidate_margin(5, _s()))


def _s():
    from depmap.core.settings import TileSettings

    return TileSettings()
