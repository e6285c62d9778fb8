"""Loads that are killed, fail, overlap or repeat never lose or mix data."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

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


def wait_for_lock(engine, proc, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        with engine.connect() as c:
            held = c.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'depmap-load' "
                    "AND datname = current_database()"
                )
            ).scalar()
        if held:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    raise AssertionError("the load never started")


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


def test_a_killed_load_leaves_the_previous_data_served(
    national_url, national_engine, data_dir, client
):
    before = state(national_engine)
    answer = client.get("/areas/E54000008/deprivation").json()
    proc = start_load(national_url, data_dir, "all")
    try:
        wait_for_lock(national_engine, proc)
        time.sleep(12)  # well into the load: boundaries and footprints rewritten, uncommitted
        # readers still see the previous data while the load runs
        r = client.get("/areas/E54000008/deprivation")
        assert r.status_code == 200 and r.json() == answer
        assert state(national_engine) == before
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    wait_for_no_load(national_engine)
    assert state(national_engine) == before
    r = client.get("/areas/E54000008/deprivation")
    assert r.status_code == 200 and r.json()["average_score"] == answer["average_score"]


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
