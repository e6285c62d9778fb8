"""Vector tiles: decoded and checked against the database; sizes; caching; bad requests."""

from __future__ import annotations

import gzip
import math

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from tiles.grid import lonlat_to_tile

pytestmark = [pytest.mark.db, pytest.mark.data]

LIVERPOOL = (-2.98, 53.41)
CHARING_CROSS = (-0.1246, 51.5080)


def decode(body: bytes) -> dict:
    return mapbox_vector_tile.decode(body) if body else {}


def features(body: bytes, layer: str) -> list[dict]:
    return decode(body).get(layer, {}).get("features", [])


def tile_path(layer: str, lon: float, lat: float, z: int) -> tuple[str, int, int]:
    x, y = lonlat_to_tile(lon, lat, z)
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt", x, y


def lsoas_meeting(engine, z: int, x: int, y: int, margin: float = 0.0) -> set[str]:
    """LSOA21 codes whose boundary meets the tile (computed independently of the tile SQL)."""
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT code FROM area WHERE kind = 'lsoa21' AND ST_Intersects("
                "ST_Transform(geom, 3857), ST_TileEnvelope(:z, :x, :y, margin => :m))"
            ),
            {"z": z, "x": x, "y": y, "m": margin},
        ).scalars()
        return set(rows)


def test_full_detail_lsoa_tile_matches_the_database(client, national_engine):
    path, x, y = tile_path("lsoa21", *LIVERPOOL, 12)
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    feats = features(r.content, "lsoa21")
    by_code = {f["properties"]["code"]: f["properties"] for f in feats}
    inside = lsoas_meeting(national_engine, 12, x, y)
    assert len(inside) > 20
    assert inside <= set(by_code)  # every LSOA inside is drawn...
    assert set(by_code) <= lsoas_meeting(national_engine, 12, x, y, margin=64 / 4096 + 0.01)
    with national_engine.connect() as c:
        rows = (
            c.execute(
                text(
                    "SELECT s.code, a.name, s.imd_score, s.imd_rank, s.imd_decile, "
                    "s.income_decile, s.environment_decile, s.population, s.acute_morbidity, "
                    "s.hle_female FROM lsoa_stats s JOIN area a ON a.id = s.lsoa_id "
                    "WHERE s.code = ANY(:c)"
                ),
                {"c": list(by_code)},
            )
            .mappings()
            .all()
        )
    assert len(rows) == len(by_code)
    for row in rows:
        p = by_code[row["code"]]
        assert p["name"] == row["name"]
        assert p["imd_score"] == pytest.approx(row["imd_score"], rel=1e-6)
        assert p["imd_rank"] == row["imd_rank"]
        assert p["imd_decile"] == row["imd_decile"]
        assert p["income_decile"] == row["income_decile"]
        assert p["environment_decile"] == row["environment_decile"]
        assert p["population"] == round(row["population"])
        assert p["acute_morbidity"] == pytest.approx(row["acute_morbidity"], rel=1e-6)
        assert p["hle_female"] == pytest.approx(row["hle_female"], rel=1e-6)
        assert 1 <= p["acute_morbidity_decile"] <= 10
    # decile of the IMD agrees with the rank (1 = most deprived 10% of 33,755)
    for p in by_code.values():
        assert p["imd_decile"] == math.ceil(p["imd_rank"] * 10 / 33755)


def test_health_deciles_order_the_indicator(national_engine):
    """Decile 1 is the worst 10%: high acute morbidity, low healthy life expectancy."""
    with national_engine.connect() as c:
        am = dict(
            c.execute(
                text(
                    "SELECT acute_morbidity_decile, avg(acute_morbidity) FROM tile_lsoa "
                    "GROUP BY 1 ORDER BY 1"
                )
            ).all()
        )
        hle = dict(
            c.execute(
                text("SELECT hle_male_decile, avg(hle_male) FROM tile_lsoa GROUP BY 1 ORDER BY 1")
            ).all()
        )
    assert list(am) == list(range(1, 11))
    assert all(am[d] > am[d + 1] for d in range(1, 10))
    assert all(hle[d] < hle[d + 1] for d in range(1, 10))


def test_every_lsoa_is_drawn_once_at_every_band(national_engine):
    """Below zoom 12 an LSOA21 is either a generalised polygon or pooled in one cell."""
    with national_engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT b.band, "
                "(SELECT count(*) FROM tile_geom g WHERE g.band = b.band AND g.layer = 'lsoa21'),"
                "(SELECT coalesce(sum(lsoas), 0) FROM tile_cell c WHERE c.band = b.band) "
                "FROM unnest(ARRAY[5, 6, 7, 8, 9, 10]) AS b(band)"
            )
        ).all()
        n = c.execute(text("SELECT count(*) FROM area WHERE kind = 'lsoa21'")).scalar()
        full = c.execute(
            text("SELECT count(*) FROM tile_geom WHERE band = 12 AND layer = 'lsoa21'")
        ).scalar()
    for band, polygons, pooled in rows:
        assert polygons + pooled == n, band
    assert rows[0][2] > rows[-1][2]  # more pooling at lower zooms
    assert full == n  # and every one at full detail from zoom 12


def test_low_zoom_tile_pools_small_lsoas_into_cells(client, national_engine):
    path, x, y = tile_path("lsoa21", *CHARING_CROSS, 8)
    feats = features(client.get(path).content, "lsoa21")
    cells = [f["properties"] for f in feats if "code" not in f["properties"]]
    coded = {f["properties"]["code"] for f in feats if "code" in f["properties"]}
    assert cells and coded
    assert all(1 <= p["imd_decile"] <= 10 and p["lsoas"] >= 1 for p in cells)
    # central London's LSOAs are all there, as polygons or in cells
    inside = lsoas_meeting(national_engine, 8, x, y)
    assert sum(p["lsoas"] for p in cells) + len(coded & inside) >= 0.95 * len(inside)
    with national_engine.connect() as c:
        row = c.execute(
            text("SELECT imd_decile, income_decile FROM lsoa_stats WHERE code = :c"),
            {"c": sorted(coded)[0]},
        ).one()
    p = next(f["properties"] for f in feats if f["properties"].get("code") == sorted(coded)[0])
    assert (p["imd_decile"], p["income_decile"]) == tuple(row)


@pytest.mark.parametrize("layer", ["lsoa21", "msoa21", "ltla", "sicbl", "icb"])
def test_no_tile_over_500_kb_over_london(client, layer):
    """The most crowded tiles: London at every zoom from 5 to 14 (and its neighbours)."""
    biggest = 0
    for z in range(5, 15):
        cx, cy = lonlat_to_tile(*CHARING_CROSS, z)
        for dx, dy in ((0, 0), (-1, 0), (0, -1), (-1, -1)) if z <= 8 else ((0, 0),):
            r = client.get(f"/tiles/{layer}/{z}/{cx + dx}/{cy + dy}.mvt")
            assert r.status_code == 200
            assert len(r.content) <= 500_000, (layer, z, len(r.content))
            biggest = max(biggest, len(r.content))
    assert biggest > 1000


def test_footprint_tile_carries_the_deprivation_summary(client):
    path, _, _ = tile_path("icb", *LIVERPOOL, 7)
    feats = features(client.get(path).content, "icb")
    cm = next(f["properties"] for f in feats if f["properties"]["code"] == "E54000008")
    assert cm["name"] == "NHS Cheshire and Merseyside Integrated Care Board"
    dep = client.get("/areas/E54000008/deprivation").json()
    assert cm["average_score"] == pytest.approx(dep["average_score"], rel=1e-5)
    assert cm["extent"] == pytest.approx(dep["extent"], rel=1e-5)
    assert cm["local_concentration"] == pytest.approx(dep["local_concentration"], rel=1e-5)
    assert cm["rank"] == dep["ranks"]["average_score"]
    assert cm["population"] == round(dep["population"])
    # full detail too
    path, _, _ = tile_path("icb", *LIVERPOOL, 13)
    feats = features(client.get(path).content, "icb")
    assert [f["properties"]["code"] for f in feats] == ["E54000008"]


STOKE = (-2.18, 53.02)


@pytest.mark.parametrize("layer, z", [("pcn", 9), ("pcn", 12), ("programme", 9)])
def test_pcn_and_programme_layers_draw_their_areas(client, national_engine, layer, z):
    """PCN polygons (derived from the Staffordshire registrations) and programme areas
    (the left-behind neighbourhoods) are on the map: a tile over Stoke-on-Trent holds
    exactly the areas of that kind that meet it, with their names and populations."""
    path, x, y = tile_path(layer, *STOKE, z)
    feats = features(client.get(path).content, layer)

    def meeting(margin: float) -> dict[str, tuple[str, float]]:
        with national_engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT code, name, population FROM area WHERE kind = :k AND ST_Intersects("
                    "ST_Transform(geom, 3857), ST_TileEnvelope(:z, :x, :y, margin => :m))"
                ),
                {"k": layer, "z": z, "x": x, "y": y, "m": margin},
            ).all()
        return {code: (name, pop) for code, name, pop in rows}

    inside, with_buffer = meeting(0.0), meeting(64 / 4096)
    assert inside, f"no {layer} areas over Stoke-on-Trent"
    got = {f["properties"]["code"]: f["properties"] for f in feats}
    # every area meeting the tile is drawn; areas only in the 64-pixel buffer may be too
    assert set(inside) <= set(got) <= set(with_buffer)
    for code, props in got.items():
        assert props["name"] == with_buffer[code][0]
        assert props["population"] == round(with_buffer[code][1])


def test_gzip_etag_and_cache_control(client):
    path, _, _ = tile_path("lsoa21", *LIVERPOOL, 11)
    raw = client.get(path, headers={"Accept-Encoding": "identity"})
    assert raw.status_code == 200 and "content-encoding" not in raw.headers
    assert raw.headers["cache-control"].startswith("public, max-age=")
    etag = raw.headers["etag"]
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    assert gz.headers["etag"] == etag and gz.headers["vary"] == "Accept-Encoding"
    assert int(gz.headers["content-length"]) < len(raw.content)
    assert gz.content == raw.content  # httpx decompressed it
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # the fast path answers cached tiles (the cache counts the hit)
    tiles = client.app.state.services.tiles
    hits = tiles.cache.hits
    client.get(path)
    assert tiles.cache.hits == hits + 1
    body = client.get(path, headers={"Accept-Encoding": "gzip"}).content
    assert body == raw.content and gzip.compress(raw.content)  # decodes to the same tile


@pytest.mark.parametrize(
    "path, status, code",
    [
        ("/tiles/nowhere/5/15/10.mvt", 404, "unknown_layer"),
        ("/tiles/lsoa11/5/15/10.mvt", 404, "unknown_layer"),
        ("/tiles/lsoa21/17/0/0.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/99999/0/0.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/3/8/0.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/3/0/8.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/0/1/0.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/3/-1/0.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/12/99999999999999999999999/0.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/-1/0/0.mvt", 404, "tile_out_of_range"),
        ("/tiles/lsoa21/a/0/0.mvt", 422, "invalid_parameter"),
        ("/tiles/lsoa21/3/x/0.mvt", 422, "invalid_parameter"),
        ("/tiles/lsoa21/3/0/1.5.mvt", 422, "invalid_parameter"),
        ("/tiles/lsoa21/3/0/0.png", 404, "not_found"),
        ("/tiles/lsoa21/3/0.mvt", 404, "not_found"),
        ("/tiles/nowhere.json", 404, "unknown_layer"),
        ("/tiles/lsoa21';DROP TABLE area;--/3/0/0.mvt", 404, "unknown_layer"),
    ],
)
def test_bad_tile_requests_are_4xx_with_a_clear_message(client, path, status, code):
    r = client.get(path)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code
    assert body["detail"]


def test_tilejson(client):
    r = client.get("/tiles/lsoa21.json")
    assert r.status_code == 200
    tj = r.json()
    assert tj["tilejson"] == "3.0.0"
    version = client.app.state.services.databases.value
    assert tj["tiles"] == [f"http://testserver/tiles/lsoa21/{{z}}/{{x}}/{{y}}.mvt?v={version}"]
    w, s, e, n = tj["bounds"]
    assert -6.5 < w < -5.5 and 49.8 < s < 50.2 and 1.5 < e < 1.9 and 55.6 < n < 55.9
    assert tj["minzoom"] == 0 and tj["maxzoom"] == 16
    (vl,) = tj["vector_layers"]
    assert vl["id"] == "lsoa21"
    for f in ("code", "name", "imd_score", "imd_rank", "imd_decile", "housing_decile",
              "population", "mental_health", "mental_health_decile"):  # fmt: skip
        assert f in vl["fields"]
    icb = client.get("/tiles/icb.json").json()
    assert "average_score" in icb["vector_layers"][0]["fields"]
    assert [lyr["name"] for lyr in client.get("/tiles").json()["layers"]] == [
        "lsoa21", "msoa21", "ltla", "sicbl", "icb", "pcn", "programme",
    ]  # fmt: skip


def test_closed_reads_close_tiles_too(national_url):
    """With DEPMAP_READ_TOKEN_REQUIRED a cached tile is not served without the token."""
    from tests.conftest import TOKEN, make_client

    path, _, _ = tile_path("lsoa21", *LIVERPOOL, 12)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with make_client(national_url, read_token_required=True) as c:
        assert c.get(path).status_code == 401
        first = c.get(path, headers=auth)
        assert first.status_code == 200 and first.content
        assert c.get(path, headers=auth).content == first.content  # cached now
        assert c.get(path).status_code == 401  # ... and still closed
        assert c.get("/tiles/lsoa21.json").status_code == 401
        assert c.get("/map").status_code == 401


def test_head_of_a_tile(client):
    path, _, _ = tile_path("lsoa21", *LIVERPOOL, 10)
    for _ in range(2):  # cut, then from the cache
        r = client.head(path)
        assert r.status_code == 200 and r.content == b""
        assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
