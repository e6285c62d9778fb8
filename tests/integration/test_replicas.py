"""Read replicas for real: a second PostgreSQL cluster made a streaming replica of a first
(``pg_basebackup -R``, its own port), the service reading from it and writing to the
primary (``DEPMAP_READ_DATABASE_URLS``).

* answers come from the replica, each under the data version its snapshot saw;
* a load on the primary while the replica's replay is paused: the replica goes on
  answering the old version, whole, until it replays the load, then the new one;
* a custom area posted to the primary is read back at once (from the primary);
* the replica stopped and started under reads: every read is answered (by the primary
  meanwhile), and reads go back to the replica when it is up;
* nothing reachable: 503 with Retry-After, then answers again when the databases are back.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx
import pandas as pd
import pytest
from sqlalchemy import create_engine

from tests.conftest import TOKEN, sa_url
from tests.live import server
from tests.pgcluster import PrivateCluster
from tests.synth import square_area

pytestmark = [pytest.mark.db, pytest.mark.slow]

PROGRAMME = "replica test"
VERSION = "SELECT value FROM depmap_meta WHERE key = 'data_version'"
POLY = square_area("replica test area")


@pytest.fixture(scope="module")
def clusters(synth):
    """A primary with the synthetic data loaded, and its streaming replica."""
    from depmap.core.db import init_db
    from loaders.pipeline import parts_present, run_load

    try:
        primary = PrivateCluster()
    except RuntimeError as e:
        pytest.skip(str(e))
    replica: PrivateCluster | None = None
    try:
        primary.init()
        primary.start()
        url = primary.createdb("depmap_repl")
        eng = create_engine(sa_url(url))
        with eng.begin() as c:
            init_db(c)
        run_load(eng, synth.root, parts_present(synth.root), expect_england=False)
        eng.dispose()
        t0 = time.monotonic()
        replica = PrivateCluster.replica_of(primary)
        replica.start()
        replica.wait_ready()
        assert replica.sql("SELECT pg_is_in_recovery()") is True
        print(f"replica made and started in {time.monotonic() - t0:.1f} s")
        yield primary, replica, url, replica.url("depmap_repl")
    finally:
        if replica is not None:
            replica.destroy()
        primary.destroy()


def health(base: str) -> dict:
    return httpx.get(f"{base}/healthz", timeout=10).json()


def db_state(base: str) -> dict[str, dict]:
    return {d["role"]: d for d in health(base)["databases"]}


def wait_for(cond, timeout: float = 10.0, step: float = 0.1):  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    while True:
        got = cond()
        if got:
            return time.monotonic() - t0
        assert time.monotonic() - t0 < timeout, "timed out"
        time.sleep(step)


def programmes(base: str) -> tuple[int, set[str]]:
    r = httpx.get(f"{base}/programmes", timeout=10)
    assert r.status_code == 200, r.text
    names = {p["name"] for p in r.json()["programmes"]}
    return int(r.headers["x-data-version"]), names


def load_programme(url: str, tmp_path, synth) -> None:
    """`depmap load areas` on the primary: a load, in a process of its own."""
    codes = synth.lsoa["code"].tolist()
    path = tmp_path / "areas.csv"
    pd.DataFrame({"area": ["R1", "R1"], "lsoa21_code": codes[:2]}).to_csv(path, index=False)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEPMAP_DATA_DIR": str(tmp_path),
        "DEPMAP_EXPECT_ENGLAND": "false",
        "DEPMAP_LOG_LEVEL": "WARNING",
    }
    args = ["load", "areas", str(path), "--programme", PROGRAMME, "--code-field", "area"]
    r = subprocess.run(
        [sys.executable, "-m", "depmap", *args, "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_reads_from_a_streaming_replica(clusters, synth, tmp_path):
    primary, replica, url, replica_url = clusters
    code = synth.lsoa["code"].iloc[0]
    env = {
        "DATABASE_URL": url,
        "DEPMAP_READ_DATABASE_URLS": replica_url,
        "DEPMAP_VERSION_CHECK_INTERVAL_S": "0.2",
        "DEPMAP_API_TOKEN": TOKEN,
        "DEPMAP_HOTSPOT_PERMUTATIONS": "99",
        "DEPMAP_TEST_SERVER_LOG": str(tmp_path / "server.log"),
    }
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with server(env) as base:
        # --- both up, same version; reads go to the replica -------------------------------
        h = health(base)
        assert h["status"] == "ok", h
        dbs = db_state(base)
        v0 = dbs["primary"]["data_version"]
        assert dbs["replica"]["state"] == "up" and dbs["replica"]["data_version"] == v0
        seen0, before = programmes(base)
        assert seen0 == v0 and PROGRAMME not in before
        for _ in range(5):
            assert httpx.get(f"{base}/areas?q=Synth", timeout=10).status_code == 200
        h = health(base)
        dbs = {d["role"]: d for d in h["databases"]}
        assert dbs["replica"]["reads"] >= 6 and dbs["primary"]["reads"] == 0, h["databases"]

        # --- the replica lags behind a load: it answers the old version, whole ---------------
        replica.sql("SELECT pg_wal_replay_pause()")
        try:
            load_programme(url, tmp_path, synth)
            v1 = int(str(primary.sql(VERSION, "depmap_repl")))
            assert v1 > v0
            wait_for(lambda: db_state(base)["primary"]["data_version"] == v1)
            lag = replica.sql(
                "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())"
            )
            assert lag and float(lag) > 0  # type: ignore[arg-type]
            for _ in range(3):
                assert programmes(base) == (v0, before)
                r = httpx.get(f"{base}/areas", params={"programme": PROGRAMME}, timeout=10)
                assert r.status_code == 200 and r.json()["total"] == 0
                assert r.headers["x-data-version"] == str(v0)
                r = httpx.get(f"{base}/areas/{code}/deprivation", timeout=10)
                assert r.status_code == 200 and r.headers["x-data-version"] == str(v0)
            assert health(base)["data_version"] == v0
            # a custom area is written to the primary and read back from it at once
            r = httpx.post(f"{base}/areas", json=POLY, headers=auth, timeout=30)
            assert r.status_code == 201, r.text
            cid = r.json()["id"]
            r = httpx.get(f"{base}/areas/{cid}/deprivation", headers=auth, timeout=10)
            assert r.status_code == 200, r.text
            assert r.headers["x-data-version"] == str(v1)  # the primary's
        finally:
            replica.sql("SELECT pg_wal_replay_resume()")
        took = wait_for(lambda: programmes(base)[0] == v1)
        print(f"replica answered the new version {took:.2f} s after replay resumed")
        assert programmes(base) == (v1, before | {PROGRAMME})
        assert db_state(base)["replica"]["data_version"] == v1

        # --- the replica stopped and started under reads -------------------------------------
        statuses: Counter[int] = Counter()
        failed: list[str] = []
        stop = threading.Event()
        paths = ["/areas?q=Synth", f"/areas/{code}/overlaps?kind=icb", "/programmes"]

        def reader() -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                i = 0
                while not stop.is_set():
                    r = c.get(paths[i % len(paths)])
                    statuses[r.status_code] += 1
                    if r.status_code >= 500 and r.status_code != 503:
                        failed.append(f"{r.request.url.path}: {r.status_code} {r.text[:300]}")
                    i += 1

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            replica.stop()
            wait_for(lambda: db_state(base)["replica"]["state"] == "down")
            h = health(base)
            assert h["status"] == "degraded" and h["database"] == "ok", h
            before = db_state(base)["primary"]["reads"]
            time.sleep(1.0)
            assert db_state(base)["primary"]["reads"] > before  # the primary answers
            replica.start()
            took = wait_for(lambda: db_state(base)["replica"]["state"] == "up")
            print(f"replica back in service {took:.2f} s after it was started")
            before = db_state(base)["replica"]["reads"]
            wait_for(lambda: db_state(base)["replica"]["reads"] > before)
        finally:
            stop.set()
            for t in threads:
                t.join()
        print(f"reads while the replica went down and came back: {dict(statuses)}")
        errors = [
            line
            for line in (tmp_path / "server.log").read_text(errors="replace").splitlines()
            if '"level": "error"' in line or "Traceback" in line
        ]
        assert set(statuses) == {200}, (statuses, failed, errors[-20:])
        assert sum(statuses.values()) > 30
        assert health(base)["status"] == "ok"

        # --- no database at all: 503 with Retry-After, then back ---------------------------
        replica.stop()
        primary.stop()
        try:
            wait_for(lambda: health(base)["status"] == "unavailable")
            r = httpx.get(f"{base}/areas?q=Synth", timeout=10)
            assert r.status_code == 503 and r.headers.get("retry-after"), r.text
            assert r.json()["error"] == "database_unavailable"
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                primary.start()
            with contextlib.suppress(subprocess.CalledProcessError):
                replica.start()
        wait_for(lambda: httpx.get(f"{base}/areas?q=Synth", timeout=10).status_code == 200)
        wait_for(lambda: health(base)["status"] == "ok")


def test_a_connection_dropped_mid_answer_is_answered_by_another_database(small_url):
    """The server ends a replica's connection in the middle of an answer (as a replica
    shut down does): the answer comes from the next database, and the replica is set
    aside. (Cleaning up the invalidated connection once raised PendingRollbackError over
    the OperationalError, a 500 in the service.)"""
    import asyncio

    from sqlalchemy import text

    from depmap.core.db import make_async_engine
    from depmap.core.replicas import Databases
    from depmap.core.settings import DatabaseSettings

    s = DatabaseSettings(url=small_url)  # type: ignore[arg-type]
    calls: list[str] = []

    async def answer(conn) -> int:  # type: ignore[no-untyped-def]
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        calls.append(str(pid))
        if len(calls) == 1:  # the first database's connection goes away
            await conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return int((await conn.execute(text("SELECT 41 + 1"))).scalar())

    async def run() -> None:
        dbs = Databases(make_async_engine(s), [make_async_engine(s)])
        try:
            await dbs.refresh()
            replica = dbs.replicas[0]
            assert dbs.readers()[0] is replica
            _version, got = await dbs.read(answer)
            assert got == 42 and len(calls) == 2 and calls[0] != calls[1]
            assert replica not in dbs.readers()  # down until its retry
        finally:
            await dbs.dispose()

    asyncio.run(run())
