"""Bad input gets a clear error and leaves the previous data exactly as it was."""

import dataclasses
import shutil

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy import text

from depmap.core.errors import LoadError
from loaders.pipeline import run_load


def snapshot(engine):
    with engine.connect() as c:
        return (
            c.execute(text("SELECT value FROM depmap_meta WHERE key = 'data_version'")).scalar(),
            dict(c.execute(text("SELECT kind, count(*) FROM area GROUP BY kind")).all()),
            # rounded: a float sum depends on the order rows are stored in
            c.execute(
                text("SELECT count(*), round(sum(value)::numeric, 6) FROM indicator_value")
            ).one(),
            c.execute(
                text("SELECT round(sum(average_score)::numeric, 6) FROM area_measure")
            ).scalar(),
        )


@pytest.fixture
def data(tmp_path, synth):
    d = tmp_path / "data"
    shutil.copytree(synth.root, d)
    return d


def load(engine, data, parts):
    return run_load(engine, data, parts, expect_england=False)


def expect_failure(engine, data, parts, match):
    before = snapshot(engine)
    with pytest.raises(LoadError, match=match):
        load(engine, data, parts)
    assert snapshot(engine) == before


def test_boundary_file_missing_its_code_column(small_engine, data):
    p = data / "boundaries" / "lsoa21_bgc.gpkg"
    g = gpd.read_file(p).rename(columns={"lsoa21cd": "something_else"})
    p.unlink()
    g.to_file(p, driver="GPKG")
    expect_failure(small_engine, data, ["boundaries"], "no code column")


def test_codes_that_are_not_in_england(small_engine, data):
    p = data / "boundaries" / "lsoa21_bgc.gpkg"
    g = gpd.read_file(p)
    g.loc[:4, "lsoa21cd"] = ["W01000001", "W01000002", "S01000003", "W01000004", "W01000005"]
    p.unlink()
    g.to_file(p, driver="GPKG")
    expect_failure(small_engine, data, ["boundaries"], "not in England")


def test_csv_with_the_wrong_header(small_engine, data):
    p = data / "deprivation" / "imd2025_lsoa21.csv"
    df = pd.read_csv(p).rename(columns={"IMD_score": "imd score"})
    df.to_csv(p, index=False)
    expect_failure(small_engine, data, ["imd"], "wrong header: missing column.*IMD_score")


def test_geometry_in_an_unknown_crs(small_engine, data):
    """A zipped Shapefile without its .prj: nobody can say where it is."""
    p = data / "boundaries" / "lsoa21_bgc.gpkg"
    g = gpd.read_file(p).to_crs(27700)
    folder = data / "shp"
    folder.mkdir()
    g.set_crs(None, allow_override=True).to_file(folder / "lsoa21.shp")
    (folder / "lsoa21.prj").unlink(missing_ok=True)
    shutil.make_archive(str(data / "boundaries" / "lsoa21_bgc"), "zip", folder)
    p.unlink()
    expect_failure(small_engine, data, ["boundaries"], "no coordinate reference system")


def test_projected_coordinates_labelled_as_wgs84(small_engine, data):
    p = data / "boundaries" / "lsoa21_bgc.gpkg"
    g = gpd.read_file(p).to_crs(27700).set_crs(4326, allow_override=True)
    p.unlink()
    g.to_file(p, driver="GPKG")
    expect_failure(small_engine, data, ["boundaries"], "out of range")


def test_a_boundary_file_in_another_crs_loads_the_same(small_engine, data, synth):
    """The same boundaries as a zipped Shapefile in British National Grid load unchanged."""
    p = data / "boundaries" / "lsoa21_bgc.gpkg"
    g = gpd.read_file(p).to_crs(27700)
    folder = data / "shp"
    folder.mkdir()
    g.to_file(folder / "lsoa21.shp")
    shutil.make_archive(str(data / "boundaries" / "lsoa21_bgc"), "zip", folder)
    p.unlink()
    before = snapshot(small_engine)
    load(small_engine, data, ["boundaries"])
    after = snapshot(small_engine)
    assert after[1] == before[1]
    with small_engine.connect() as c:
        total = c.execute(text("SELECT sum(area_m2) FROM area WHERE kind = 'lsoa21'")).scalar()
    assert total == pytest.approx(synth.n * 500.0 * 500.0, rel=1e-6)


def test_lookup_naming_unknown_lsoas(small_engine, data):
    p = data / "lookups" / "lsoa21_msoa21.csv"
    df = pd.read_csv(p)
    df.loc[0, "lsoa21_code"] = "E01999999"
    df.to_csv(p, index=False)
    expect_failure(small_engine, data, ["footprints"], "not among the loaded")


def test_a_failure_half_way_rolls_back_everything(small_engine, data, monkeypatch):
    from loaders import pipeline

    def boom(ctx):
        raise LoadError("simulated failure after the boundaries were rewritten")

    monkeypatch.setitem(pipeline.PARTS, "imd", dataclasses.replace(pipeline.PARTS["imd"], run=boom))
    expect_failure(
        small_engine, data, ["boundaries", "population", "footprints", "imd"], "simulated failure"
    )


def test_running_twice_leaves_the_same_data(small_engine, data):
    before = snapshot(small_engine)
    load(small_engine, data, ["boundaries", "population", "footprints", "imd", "cni"])
    after = snapshot(small_engine)
    assert after[0] == str(int(before[0]) + 1)
    assert after[1:3] == before[1:3]
    assert after[3] == pytest.approx(before[3])
