"""Loads that are killed, fail, overlap or repeat never lose or mix data."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from tests.conftest import make_client

pytestmark = [pytest.mark.db, pytest.mark.data, pytest.mark.slow]


def state(engine):
    with engine.connect() as c:
        return (
            c.execute(text("SELECT value FROM depmap_meta WHERE key = 'data_version'")).scalar(),
            dict(c.execute(text("SELECT kind, count(*) FROM area GROUP BY kind")).all()),
            c.execute(
                text("SELECT count(*), round(sum(value)::numeric, 3) FROM indicator_value")
            ).one(),
            c.execute(text("SELECT count(*) FROM area_lsoa")).scalar(),
        )


def start_load(url, data_dir, *args):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEPMAP_DATA_DIR": str(data_dir),
        "DEPMAP_PROGRESS": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "depmap", "load", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _load_pid(c):
    """The backend of this database's running load, once it holds the load lock."""
    return c.execute(
        text(
            "SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "WHERE a.application_name = 'depmap-load' AND a.datname = current_database() "
            "AND l.locktype = 'advisory' AND l.granted LIMIT 1"
        )
    ).scalar()


def wait_for_lock(engine, proc, timeout=60):
    """Until the load holds the advisory load lock."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        with engine.connect() as c:
            if _load_pid(c):
                return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    raise AssertionError("the load never took the lock")


def wait_for_uncommitted_writes(engine, proc, timeout=120):
    """Until the load has rewritten areas and their weights (not yet committed)."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        with engine.connect() as c:
            pid = _load_pid(c)
            n = (
                c.execute(
                    text(
                        "SELECT count(DISTINCT l.relation) FROM pg_locks l "
                        "WHERE l.pid = :pid AND l.mode = 'RowExclusiveLock' AND l.relation IN "
                        "('area'::regclass, 'area_lsoa'::regclass, 'indicator_value'::regclass)"
                    ),
                    {"pid": pid},
                ).scalar()
                if pid
                else 0
            )
        if n == 3:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    raise AssertionError("the load never wrote areas, weights and values")


def wait_for_no_load(engine, timeout=30):
    t0 = time.time()
    while time.time() - t0 < timeout:
        with engine.connect() as c:
            n = c.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE "
                    "application_name = 'depmap-load' "
                    "AND datname = current_database()"
                )
            ).scalar()
        if not n:
            return
        time.sleep(0.2)
    raise AssertionError("the killed load's session is still there")


def test_a_killed_load_leaves_the_previous_data_served(national_url, national_engine, data_dir):
    before = state(national_engine)
    # no answer cache: every request below reads the database
    with make_client(national_url, response_cache_entries=0) as client:
        answer = client.get("/areas/E54000008/deprivation").json()
        overlaps = client.get("/areas/E54000008/overlaps?kind=sicbl").json()
        proc = start_load(national_url, data_dir, "all")
        try:
            wait_for_lock(national_engine, proc)
            # well into the load: areas, weights and indicator values rewritten, uncommitted
            wait_for_uncommitted_writes(national_engine, proc)
            r = client.get("/areas/E54000008/deprivation")
            assert r.status_code == 200 and r.json() == answer
            assert client.get("/areas/E54000008/overlaps?kind=sicbl").json() == overlaps
            assert state(national_engine) == before
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        wait_for_no_load(national_engine)
        assert state(national_engine) == before
        r = client.get("/areas/E54000008/deprivation")
        assert r.status_code == 200 and r.json() == answer


def test_two_loads_at_once_the_second_is_refused_clearly(national_url, national_engine, data_dir):
    before = state(national_engine)
    first = start_load(national_url, data_dir, "all")
    try:
        wait_for_lock(national_engine, first)
        second = start_load(national_url, data_dir, "population")
        out, err = second.communicate(timeout=120)
        assert second.returncode == 3, (out, err)
        assert "another load is running" in (out + err)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    wait_for_no_load(national_engine)
    assert state(national_engine) == before


def test_running_the_load_twice_leaves_the_same_data(national_url, national_engine, data_dir):
    before = state(national_engine)
    proc = start_load(national_url, data_dir, "all")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-2000:]
    after = state(national_engine)
    assert int(after[0]) == int(before[0]) + 1
    assert after[1:] == before[1:]
    assert "lsoa21" in out and "33,755" in out  # the closing table
