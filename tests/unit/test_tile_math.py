"""Tile arithmetic (geo/tiles.py): bands, tiles of points and boxes, zoom lists."""

import pytest

from tiles.grid import (
    band_for_zoom,
    lonlat_to_tile,
    parse_zooms,
    pixel_m,
    tile_bounds,
    tile_in_range,
    tiles_for_bbox,
)


def test_band_for_zoom():
    assert [band_for_zoom(z) for z in range(0, 14)] == [
        5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 10, 10, None, None,
    ]  # fmt: skip


def test_tile_of_a_point_and_its_bounds_agree():
    z, (x, y) = 12, lonlat_to_tile(-2.98, 53.41, 12)
    assert (x, y) == (2014, 1326)
    w, s, e, n = tile_bounds(z, x, y)
    assert w <= -2.98 < e and s <= 53.41 < n
    assert e - w == pytest.approx(360 / 4096)


def test_tiles_for_a_box_cover_its_corners():
    tiles = set(tiles_for_bbox((-3.1, 53.3, -2.8, 53.5), [10, 11]))
    for z in (10, 11):
        for lon, lat in ((-3.1, 53.3), (-2.8, 53.5), (-3.1, 53.5), (-2.8, 53.3)):
            assert (z, *lonlat_to_tile(lon, lat, z)) in tiles
    assert len({t for t in tiles if t[0] == 10}) <= len({t for t in tiles if t[0] == 11})


def test_tile_in_range():
    assert tile_in_range(0, 0, 0) and not tile_in_range(0, 1, 0)
    assert tile_in_range(3, 7, 7) and not tile_in_range(3, 8, 0) and not tile_in_range(3, -1, 0)


def test_pixel_size_halves_per_zoom():
    assert pixel_m(0) == pytest.approx(156_543.03, rel=1e-6)
    assert pixel_m(10) == pytest.approx(pixel_m(9) / 2)


@pytest.mark.parametrize(
    "spec, zooms", [("5-7", [5, 6, 7]), ("8", [8]), ("5,7,9", [5, 7, 9]), ("3-4,4-5", [3, 4, 5])]
)
def test_parse_zooms(spec, zooms):
    assert parse_zooms(spec) == zooms


@pytest.mark.parametrize("spec", ["", "a-b", "7-5", "5-", "-3", "1-99"])
def test_parse_zooms_rejects_nonsense(spec):
    with pytest.raises(ValueError):
        parse_zooms(spec, 0, 20)
