"""PostgreSQL stopped and started under a running service: 503 with a clear message,
then answers again within 5 s, without restarting the service."""

import contextlib
import subprocess
import time

import pytest
from sqlalchemy import create_engine

from tests.conftest import TOKEN, make_client, sa_url
from tests.pgcluster import PrivateCluster
from tests.synth import square_area

pytestmark = [pytest.mark.db, pytest.mark.slow]

POLY = square_area("fault test")


@pytest.fixture(scope="module")
def cluster(synth):
    from loaders.pipeline import parts_present, run_load

    try:
        pg = PrivateCluster()
    except RuntimeError as e:
        pytest.skip(str(e))
    pg.init()
    pg.start()
    url = pg.createdb("depmap_faults")
    eng = create_engine(sa_url(url))
    from depmap.core.db import init_db

    with eng.begin() as c:
        init_db(c)
    run_load(eng, synth.root, parts_present(synth.root), expect_england=False)
    eng.dispose()
    yield pg, url
    pg.destroy()


def test_database_down_then_back(cluster, synth):
    pg, url = cluster
    code = synth.lsoa["code"].iloc[0]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with make_client(url, version_check_interval_s=0.2) as client:
        assert client.get(f"/areas/{code}/deprivation").status_code == 200
        assert client.get("/healthz").status_code == 200
        pg.stop()
        try:
            for path in ("/areas?q=Synth", "/areas/E01900002/overlaps?kind=icb"):
                r = client.get(path)
                assert r.status_code == 503, (path, r.text)
                assert r.json()["error"] == "database_unavailable"
                assert "try again" in r.json()["detail"]
                assert r.headers.get("retry-after")
            r = client.post("/areas", json=POLY, headers=auth)
            assert r.status_code == 503
            h = client.get("/healthz")
            assert h.status_code == 503 and h.json()["database"] == "unreachable"
            # what was answered before is still answered (same data version)
            assert client.get(f"/areas/{code}/deprivation").status_code == 200
        finally:
            pg.start()
        t0 = time.monotonic()
        while True:
            r = client.get("/areas?q=Synth")
            if r.status_code == 200:
                break
            assert time.monotonic() - t0 < 5, r.text
            time.sleep(0.05)
        recovered = time.monotonic() - t0
        assert recovered < 5
        assert client.post("/areas", json=POLY, headers=auth).status_code == 201
        assert client.get("/healthz").json()["status"] == "ok"


def test_service_started_while_the_database_is_down(cluster):
    """No data version yet and no database: 503 database_unavailable with Retry-After, not
    'nothing loaded'; then it recovers without a restart."""
    pg, url = cluster
    pg.stop()
    try:
        with make_client(url, version_check_interval_s=0.2) as client:
            r = client.get("/areas?q=Synth")
            assert r.status_code == 503, r.text
            assert r.json()["error"] == "database_unavailable" and r.headers["retry-after"]
            pg.start()
            t0 = time.monotonic()
            while client.get("/areas?q=Synth").status_code != 200:
                assert time.monotonic() - t0 < 5
                time.sleep(0.05)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.start()  # if the test stopped before starting it again
