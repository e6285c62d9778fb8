"""Programme areas from every supported format give the same areas and shares; bad files
get a clear error and leave the previous programme as it was.

Runs on the synthetic grid (500 m square LSOAs): expected shares are exact fractions of
squares, worked out here from the grid, not read back from the loader.
"""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import text

from depmap.core.errors import LoadError
from loaders.pipeline import run_load
from loaders.programmes import delete_programme, load_programme
from tests.synth import ORIGIN, SIDE

pytestmark = [pytest.mark.db]

X0, Y0 = ORIGIN
OAS_PER_LSOA = 4


def lsoa_code(i: int, j: int, nx: int = 12) -> str:
    return f"E01{900000 + j * nx + i + 1:06d}"


def cell(i: float, j: float, w: float = 1.0, h: float = 1.0) -> shapely.Polygon:
    return shapely.box(X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + w) * SIDE, Y0 + (j + h) * SIDE)


#: Whole-LSOA areas: a 2x2 block and an L of three squares.
WHOLE = {
    "A1": ("Alpha block", [(0, 0), (1, 0), (0, 1), (1, 1)]),
    "B2": ("Bravo corner", [(6, 4), (7, 4), (6, 5)]),
}
#: Areas that cut LSOAs: one square and the west half of its neighbour; a quarter square.
CUT = {
    "C3": ("Charlie", cell(3, 7, 1.5, 1.0), {(3, 7): 1.0, (4, 7): 0.5}),
    "D4": ("Delta", cell(9, 2, 0.5, 0.5), {(9, 2): 0.25}),
}


def oa_code(lsoa: str, k: int) -> str:
    return f"E00{(int(lsoa[3:]) - 900000) * 10 + k:06d}"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, synth):
    """A data folder holding a generated OA21 -> LSOA21 lookup (4 equal OAs per LSOA)."""
    d = tmp_path_factory.mktemp("prog_data")
    (d / "lookups").mkdir()
    rows = [
        {"OA21CD": oa_code(c, k), "LSOA21CD": c, "LSOA21NM": "x"}
        for c in synth.lsoa["code"]
        for k in range(OAS_PER_LSOA)
    ]
    pd.DataFrame(rows).to_csv(d / "lookups" / "oa21_lsoa21.csv", index=False)
    return d


@pytest.fixture(scope="module")
def no_lookup_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("no_lookup")


def whole_gdf(crs: int) -> gpd.GeoDataFrame:
    geoms = [shapely.union_all([cell(i, j) for i, j in cells]) for _, (_, cells) in WHOLE.items()]
    return gpd.GeoDataFrame(
        {"code": list(WHOLE), "name": [v[0] for v in WHOLE.values()]}, geometry=geoms, crs=27700
    ).to_crs(crs)


def cut_gdf(crs: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": list(CUT), "name": [v[0] for v in CUT.values()]},
        geometry=[v[1] for v in CUT.values()],
        crs=27700,
    ).to_crs(crs)


def write_geo(gdf: gpd.GeoDataFrame, path, fmt: str, **kw):
    if fmt == "geojson":
        gdf.to_file(path, driver="GeoJSON", **kw)
    elif fmt == "gpkg":
        gdf.to_file(path, driver="GPKG", layer="areas", **kw)
    elif fmt == "shapefile":
        shp_dir = path.parent / (path.stem + "_shp")
        shp_dir.mkdir()
        gdf.to_file(shp_dir / "areas.shp", **kw)
        with zipfile.ZipFile(path, "w") as z:
            for f in shp_dir.iterdir():
                z.write(f, f.name)
    return path


SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "shapefile": ".zip"}
CRS = {"geojson": 4326, "gpkg": 27700, "shapefile": 3857}


def load(engine, data_dir, path, programme, **kw):
    def extra(ctx):
        ctx.results.append(load_programme(ctx, path, programme, **kw))

    return run_load(engine, data_dir, [], extra=extra, expect_england=False)


def drop(engine, data_dir, programme):
    def extra(ctx):
        delete_programme(ctx.conn, programme)

    run_load(engine, data_dir, [], extra=extra, expect_england=False)


@pytest.fixture(scope="module", autouse=True)
def cleanup(small_engine, data_dir):
    """The synthetic database is shared: remove the test programmes afterwards."""
    yield
    with small_engine.connect() as c:
        progs = (
            c.execute(
                text(
                    "SELECT DISTINCT programme FROM area WHERE kind = 'programme' "
                    "AND programme LIKE 'test %'"
                )
            )
            .scalars()
            .all()
        )
    for p in progs:
        drop(small_engine, data_dir, p)


def shares(engine, programme):
    """{(code in file, LSOA21 code): (area_share, pop_share)} and {code: name}."""
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT a.properties->>'source_code', a.name, l.code, w.area_share, w.pop_share "
                "FROM area a JOIN area_lsoa w ON w.area_id = a.id JOIN area l ON l.id = w.lsoa_id "
                "WHERE a.kind = 'programme' AND a.programme = :p"
            ),
            {"p": programme},
        ).all()
    return (
        {(s, lc): (a_s, p_s) for s, _, lc, a_s, p_s in rows},
        {s: n for s, n, *_ in rows},
    )


def expected_whole():
    return {(k, lsoa_code(i, j)): (1.0, 1.0) for k, (_, cells) in WHOLE.items() for i, j in cells}


def expected_cut():
    return {
        (k, lsoa_code(i, j)): (s, s)
        for k, (_, _, cells) in CUT.items()
        for (i, j), s in cells.items()
    }


def assert_same(got, want):
    """Same areas, LSOAs and shares; slivers (< 1e-4 of an LSOA) along shared edges are
    reprojection noise (the synthetic LSOAs went through WGS84 on their way in)."""
    got = {k: v for k, v in got.items() if max(v) >= 1e-4}
    assert set(got) == set(want)
    for k, (a, p) in want.items():
        assert got[k][0] == pytest.approx(a, abs=1e-5), k
        assert got[k][1] == pytest.approx(p, abs=1e-5), k


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shapefile"])
def test_boundary_formats_give_the_expected_shares(small_engine, data_dir, tmp_path, fmt):
    prog = f"test {fmt}"
    p1 = write_geo(whole_gdf(CRS[fmt]), tmp_path / f"whole{SUFFIX[fmt]}", fmt)
    load(small_engine, data_dir, p1, prog)
    got, names = shares(small_engine, prog)
    assert_same(got, expected_whole())
    assert names == {k: v[0] for k, v in WHOLE.items()}
    p2 = write_geo(cut_gdf(CRS[fmt]), tmp_path / f"cut{SUFFIX[fmt]}", fmt)
    load(small_engine, data_dir, p2, prog)  # reload replaces the whole programme
    got, names = shares(small_engine, prog)
    assert_same(got, expected_cut())
    assert names == {k: v[0] for k, v in CUT.items()}


def test_lsoa_code_list_gives_the_same_areas(small_engine, data_dir, tmp_path):
    rows = [
        {"area": k, "area_name": n, "lsoa21_code": lsoa_code(i, j)}
        for k, (n, cells) in WHOLE.items()
        for i, j in cells
    ]
    path = tmp_path / "whole.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    load(small_engine, data_dir, path, "test lsoa csv", code_field="area", name_field="area_name")
    got, names = shares(small_engine, "test lsoa csv")
    assert_same(got, expected_whole())
    assert names == {k: v[0] for k, v in WHOLE.items()}
    # the same areas from a boundary file: identical shares and populations
    load(
        small_engine,
        data_dir,
        write_geo(whole_gdf(4326), tmp_path / "w.geojson", "geojson"),
        "test lsoa csv geo",
    )
    with small_engine.connect() as c:
        pops = dict(
            c.execute(
                text(
                    "SELECT programme || '/' || (properties->>'source_code'), population FROM area "
                    "WHERE programme IN ('test lsoa csv', 'test lsoa csv geo')"
                )
            ).all()
        )
    for k in WHOLE:
        assert pops[f"test lsoa csv/{k}"] == pytest.approx(pops[f"test lsoa csv geo/{k}"])


def test_oa_code_list_gives_the_same_shares_as_boundaries(small_engine, data_dir, tmp_path):
    rows = []
    for k, (n, _, cells) in CUT.items():
        for (i, j), s in cells.items():
            for m in range(round(s * OAS_PER_LSOA)):
                rows.append({"code": k, "name": n, "oa21_code": oa_code(lsoa_code(i, j), m)})
    for k, (n, cells) in WHOLE.items():  # whole LSOAs listed by all their OAs, in one cell
        for i, j in cells:
            oas = ";".join(oa_code(lsoa_code(i, j), m) for m in range(OAS_PER_LSOA))
            rows.append({"code": k, "name": n, "oa21_code": oas})
    path = tmp_path / "oa.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    load(small_engine, data_dir, path, "test oa csv")
    got, _ = shares(small_engine, "test oa csv")
    assert_same(got, {**expected_cut(), **expected_whole()})
    with small_engine.connect() as c:
        m2 = dict(
            c.execute(
                text(
                    "SELECT properties->>'source_code', area_m2 FROM area "
                    "WHERE programme = 'test oa csv'"
                )
            ).all()
        )
    assert m2["D4"] == pytest.approx(0.25 * SIDE * SIDE)
    assert m2["A1"] == pytest.approx(4 * SIDE * SIDE)


def test_oa_codes_without_the_lookup_fail_clearly(small_engine, no_lookup_dir, tmp_path):
    path = tmp_path / "oa.csv"
    pd.DataFrame({"code": ["X"], "oa21_code": [oa_code(lsoa_code(0, 0), 0)]}).to_csv(
        path, index=False
    )
    with pytest.raises(LoadError, match="OA21 -> LSOA21 lookup"):
        load(small_engine, no_lookup_dir, path, "test no lookup")


def snapshot(engine, programme):
    with engine.connect() as c:
        return (
            c.execute(text("SELECT value FROM depmap_meta WHERE key = 'data_version'")).scalar(),
            sorted(
                c.execute(
                    text(
                        "SELECT a.code, a.name, a.population, l.code, w.area_share, w.pop_share "
                        "FROM area a JOIN area_lsoa w ON w.area_id = a.id "
                        "JOIN area l ON l.id = w.lsoa_id "
                        "WHERE a.programme = :p"
                    ),
                    {"p": programme},
                ).all()
            ),
        )


@pytest.fixture(scope="module")
def previous(small_engine, data_dir, tmp_path_factory):
    """A programme loaded before every bad file, which each bad file must leave intact."""
    d = tmp_path_factory.mktemp("prev")
    load(
        small_engine,
        data_dir,
        write_geo(whole_gdf(4326), d / "w.geojson", "geojson"),
        "test previous",
    )
    return "test previous"


def bad_geojson_point(tmp_path):
    g = gpd.GeoDataFrame(
        {"code": ["P"], "name": ["pt"]}, geometry=[shapely.Point(X0 + 10, Y0 + 10)], crs=27700
    )
    return write_geo(g, tmp_path / "bad.geojson", "geojson"), "not polygons"


def bad_geojson_outside(tmp_path):
    inside = gpd.GeoSeries([cell(0, 0)], crs=27700).to_crs(4326).iloc[0]
    g = gpd.GeoDataFrame(
        {"code": ["IN", "FR"], "name": ["inside", "in France"]},
        geometry=[inside, shapely.box(2.30, 48.80, 2.40, 48.90)],
        crs=4326,
    )
    return write_geo(g, tmp_path / "outside.geojson", "geojson"), "outside England.*FR"


def bad_gpkg_no_code_column(tmp_path):
    g = whole_gdf(27700).rename(columns={"code": "something", "name": "other"})
    return write_geo(g, tmp_path / "bad.gpkg", "gpkg"), "no area code or name column"


def bad_gpkg_empty_geometry(tmp_path):
    g = whole_gdf(27700)
    g.loc[1, "geometry"] = shapely.Polygon()
    return write_geo(g, tmp_path / "empty.gpkg", "gpkg"), "empty area.*B2"


def bad_shapefile_no_prj(tmp_path):
    p = write_geo(whole_gdf(27700), tmp_path / "noprj.zip", "shapefile")
    with zipfile.ZipFile(p) as z:
        members = {n: z.read(n) for n in z.namelist() if not n.endswith(".prj")}
    with zipfile.ZipFile(p, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    return p, "no coordinate reference system"


def bad_csv_unknown_lsoa(tmp_path):
    p = tmp_path / "unknown.csv"
    pd.DataFrame({"code": ["A", "A"], "lsoa21_code": [lsoa_code(0, 0), "E01999999"]}).to_csv(
        p, index=False
    )
    return p, "not among the loaded LSOAs.*E01999999"


def bad_csv_not_codes(tmp_path):
    p = tmp_path / "junk.csv"
    pd.DataFrame({"code": ["A", "A"], "lsoa21_code": [lsoa_code(0, 0), "Hackney"]}).to_csv(
        p, index=False
    )
    return p, "not LSOA21.*HACKNEY"


def bad_csv_oa_not_in_lookup(tmp_path):
    p = tmp_path / "oa.csv"
    pd.DataFrame({"code": ["A"], "oa21_code": ["E00999999"]}).to_csv(p, index=False)
    return p, "not in the OA21 -> LSOA21 lookup.*E00999999"


def bad_unsupported_format(tmp_path):
    p = tmp_path / "areas.kml"
    p.write_text("<kml/>")
    return p, "unsupported format"


@pytest.mark.parametrize(
    "make",
    [
        bad_geojson_point,
        bad_geojson_outside,
        bad_gpkg_no_code_column,
        bad_gpkg_empty_geometry,
        bad_shapefile_no_prj,
        bad_csv_unknown_lsoa,
        bad_csv_not_codes,
        bad_csv_oa_not_in_lookup,
        bad_unsupported_format,
    ],
)
def test_bad_files_fail_clearly_and_leave_the_programme(
    small_engine, data_dir, tmp_path, previous, make
):
    path, match = make(tmp_path)
    before = snapshot(small_engine, previous)
    assert before[1], "the previous programme is loaded"
    with pytest.raises(LoadError, match=match):
        load(small_engine, data_dir, path, previous)
    assert snapshot(small_engine, previous) == before


def test_skip_invalid_loads_the_rest_and_reports(small_engine, data_dir, tmp_path):
    path, _ = bad_geojson_outside(tmp_path)
    rep = load(small_engine, data_dir, path, "test skip", skip_invalid=True)
    res = next(r for r in rep.results if r.part == "programme test skip")
    assert res.counts["outside England areas"] == 1
    assert res.counts["programme areas"] == 1
    got, _ = shares(small_engine, "test skip")
    assert set(got) == {("IN", lsoa_code(0, 0))}


def test_overlapping_areas_are_reported(small_engine, data_dir, tmp_path):
    g = gpd.GeoDataFrame(
        {"code": ["O1", "O2", "O3"], "name": ["one", "two", "three"]},
        geometry=[cell(0, 0, 2, 1), cell(1, 0, 2, 1), cell(5, 5)],
        crs=27700,
    )
    rep = load(small_engine, data_dir, write_geo(g, tmp_path / "ov.gpkg", "gpkg"), "test ov")
    res = next(r for r in rep.results if r.part == "programme test ov")
    assert res.counts["overlapping pairs of areas"] == 1
    assert any("O1 and O2 overlap (250,000 m²)" in n for n in res.notes)


def test_two_programmes_with_one_slug_cannot_take_each_others_areas(
    small_engine, data_dir, tmp_path
):
    """Found in review: codes are '<slug>:<code>', so 'test Slug' and 'test-slug' shared
    them and the second load moved the first programme's areas into itself."""
    path = write_geo(whole_gdf(4326), tmp_path / "w.geojson", "geojson")
    load(small_engine, data_dir, path, "test Slug")
    before, _ = shares(small_engine, "test Slug")
    with pytest.raises(LoadError, match="same slug"):
        load(small_engine, data_dir, path, "test-slug")
    assert shares(small_engine, "test Slug")[0] == before
    assert shares(small_engine, "test-slug")[0] == {}
