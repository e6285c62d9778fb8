"""From the official formats to PostGIS: fetch the synthetic 'England' as the publishers
lay it out (served locally at the official addresses), then load what fetch wrote.

Every number is checked against the synthetic frames the files were made from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from fetch.datasets import LOCK_NAME, DatasetResult, fetch
from fetch.download import RetryPolicy
from tests.conftest import derived_url, ensure_database, sa_url
from tests.official_files import SPLIT11, WELSH, Official, read_layout_csv, serve_official
from tests.official_server import OfficialServer
from tests.synth import Synth

PARTS = ["boundaries", "population", "footprints", "lsoa11", "imd"]


@pytest.fixture(scope="module")
def fetched(
    synth: Synth, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Official, list[DatasetResult], OfficialServer]]:
    server = OfficialServer().start()
    try:
        official = serve_official(server, synth)
        dest = tmp_path_factory.mktemp("fetched")
        results = fetch(
            dest, base_url=server.base_url, policy=RetryPolicy(retries=1, backoff_s=0), timeout_s=10
        )
        yield dest, official, results, server
    finally:
        server.stop()


def test_every_automatic_dataset_is_fetched_and_the_manual_ones_reported(fetched):
    _, official, results, server = fetched
    status = {r.id: r.status for r in results}
    messages = {r.id: r.message for r in results if r.status != "fetched"}
    automatic = {d.id for d in official.datasets.values() if d.automatic}
    assert {k for k, v in status.items() if v == "fetched"} == automatic, messages
    assert {k for k, v in status.items() if v == "manual"} == {
        "dfle_msoa11",
        "cni2023",
        "gp_practice_map",
        "gp_registrations",
    }
    assert not [h for h in server.hits if h.status >= 400]


def test_the_lock_records_address_size_and_sha256_of_every_file(fetched):
    dest, official, _, server = fetched
    lock = json.loads((dest / LOCK_NAME).read_text())["datasets"]
    for url, body in official.bodies.items():
        rec = next(f for d in lock.values() for f in d.get("files", []) if f["url"] == url)
        assert rec["size"] == len(body)
        assert rec["sha256"] == hashlib.sha256(body).hexdigest()
        assert rec["mirror"] == server.url(url)
        assert (dest / rec["path"]).read_bytes() == body
    layer = lock["lsoa21_boundaries"]["files"][0]
    assert layer["features"] == 120 + len(WELSH) and layer["pages"] == 18  # 7 a page
    for d in lock.values():
        for o in d.get("outputs", []):
            p = dest / o["path"]
            assert hashlib.sha256(p.read_bytes()).hexdigest() == o["sha256"]
            assert p.stat().st_size == o["size"]
    census = lock["census2021"]["files"]
    assert [f["member"] for f in census] == [
        "census2021-ts001-lsoa.csv",
        "census2021-ts038-lsoa.csv",
    ]


def test_boundaries_are_england_only_in_the_layout(fetched, synth):
    dest, official, _, _ = fetched
    g21 = gpd.read_file(dest / "boundaries" / "lsoa21_bgc.gpkg")
    assert list(g21.columns) == ["lsoa21cd", "lsoa21nm", "geometry"]
    assert sorted(g21["lsoa21cd"]) == sorted(synth.lsoa["code"])
    area = g21.to_crs(27700).set_index("lsoa21cd").area
    assert area.to_numpy() == pytest.approx(np.full(len(area), 500.0 * 500.0), rel=1e-6)
    g11 = gpd.read_file(dest / "boundaries" / "lsoa11.gpkg")
    assert sorted(g11["lsoa11_code"]) == sorted(official.lsoa11["code"])


def test_tables_match_what_was_published(fetched, synth):
    dest, official, _, _ = fetched
    imd = read_layout_csv(dest, "deprivation/imd2025_lsoa21.csv").set_index("lsoa21_code")
    exp = synth.imd.set_index("lsoa21_code")
    assert sorted(imd.index) == sorted(exp.index)
    pd.testing.assert_frame_equal(
        imd[sorted(imd.columns)], exp.loc[imd.index, sorted(imd.columns)], check_dtype=False
    )
    sub = read_layout_csv(dest, "deprivation/imd2025_lsoa21_subdomains.csv")
    sub_exp = read_layout_csv(synth.root, "deprivation/imd2025_lsoa21_subdomains.csv")
    pd.testing.assert_frame_equal(sub, sub_exp[sub.columns], check_dtype=False)
    ind = read_layout_csv(dest, "deprivation/imd2025_lsoa21_indicators.csv")
    assert "core_homelessness_rate_percent_of_households" in ind
    cols = [c for c in official.indicators.columns]
    pd.testing.assert_frame_equal(ind[cols], official.indicators, check_dtype=False)
    census = read_layout_csv(dest, "population/census21_lsoa21_residents_disability.csv")
    pd.testing.assert_frame_equal(census, synth.census, check_dtype=False)
    for rel, n in (
        ("lookups/lsoa21_msoa21.csv", synth.n),
        ("lookups/lsoa21_sicbl24_icb24.csv", synth.n),
        ("lookups/lsoa21_ward24_ltla24.csv", synth.n),
        ("lookups/lsoa11_lsoa21_ltla22.csv", synth.n),
        ("lookups/lsoa11_msoa11.csv", synth.n - 1),
    ):
        df = pd.read_csv(dest / rel, dtype=str)
        assert len(df) == n, rel
        assert not df.apply(lambda c: c.str.startswith("W").any()).any(), rel
    chg = pd.read_csv(dest / "lookups" / "lsoa11_lsoa21_ltla22.csv", dtype=str)
    assert chg.loc[chg["lsoa11_code"] == SPLIT11, "change_code"].tolist() == ["S", "S"]
    mye = read_layout_csv(dest, "population/mye2020_lsoa11_single_year_age.csv")
    assert list(mye.columns[:3]) == ["lsoa11_name", "lsoa11_code", "total_population"]
    assert list(mye.columns[3:]) == [str(a) for a in range(90)] + ["90+"]
    pd.testing.assert_frame_equal(
        mye[["lsoa11_code", "total_population"]], official.sape, check_dtype=False
    )
    i19 = read_layout_csv(dest, "deprivation/imd2019_lsoa11.csv")
    pd.testing.assert_frame_equal(i19, official.imd2019[i19.columns], check_dtype=False)


@pytest.fixture(scope="module")
def fetched_engine(postgis: str, fetched) -> Iterator[Engine]:
    from loaders.pipeline import run_load

    dest = fetched[0]
    url = derived_url("fetched")
    ensure_database(url, fresh=True)
    eng = create_engine(sa_url(url))
    run_load(eng, dest, PARTS, expect_england=False)
    yield eng
    eng.dispose()


def test_the_fetched_files_load(fetched_engine, synth, fetched):
    official = fetched[1]
    with fetched_engine.connect() as c:
        counts = dict(c.execute(text("SELECT kind, count(*) FROM area GROUP BY kind")).all())
        imd = dict(
            c.execute(
                text(
                    "SELECT a.code, v.value FROM indicator_value v "
                    "JOIN indicator i ON i.id = v.indicator_id AND i.code = 'imd2025.imd' "
                    "JOIN area a ON a.id = v.lsoa_id"
                )
            ).all()
        )
        residents = c.execute(
            text(
                "SELECT sum(v.value) FROM indicator_value v JOIN indicator i "
                "ON i.id = v.indicator_id AND i.code = 'census2021.residents'"
            )
        ).scalar()
        rank19 = dict(
            c.execute(
                text(
                    "SELECT a.code, v.rank FROM indicator_value v "
                    "JOIN indicator i ON i.id = v.indicator_id AND i.code = 'imd2019.imd' "
                    "JOIN area a ON a.id = v.lsoa_id"
                )
            ).all()
        )
        n_ind = c.execute(
            text("SELECT count(*) FROM indicator WHERE code LIKE 'imd2025.ind.%'")
        ).scalar()
    lk = synth.lsoa
    assert counts == {
        "lsoa21": synth.n,
        "lsoa11": synth.n - 1,
        "msoa21": lk["msoa"].nunique(),
        "ward": lk["ward"].nunique(),
        "ltla": 2,
        "sicbl": 3,
        "icb": 2,
    }
    exp = synth.imd.set_index("lsoa21_code")["IMD_score"]
    assert pd.Series(imd).sort_index().to_numpy() == pytest.approx(exp.sort_index().to_numpy())
    assert residents == pytest.approx(synth.census["total_residents"].sum())
    truth19 = official.imd2019.set_index("lsoa11_code")["IMD_rank"]
    unchanged = [c for c in lk["code"] if c in truth19.index]
    assert len(unchanged) == synth.n - 2
    assert [rank19[c] for c in unchanged] == pytest.approx(truth19[unchanged].tolist())
    # the split LSOA11's two halves each carry its rank
    assert rank19[lk["code"].iloc[0]] == pytest.approx(truth19[SPLIT11])
    assert n_ind == 7  # six synthetic indicators and the one with a % in its name
