"""The one-ICB registrations file alone: no phantom attributions outside its ICB.

The ``pcn`` part is reloaded on the national test database from a copy of the data
folder (symlinks) without the national file, so that only the October 2025
Staffordshire and Stoke-on-Trent extract is loaded; the module's teardown loads the
shared data's PCNs back, so that other tests see them as before."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest
from sqlalchemy import text

from loaders.pipeline import run_load

pytestmark = [pytest.mark.db, pytest.mark.data]

NATIONAL = "gp-reg-pat-prac-lsoa-all_national_jul2022_lsoa11.csv"
HALTON, CHESHIRE, STAFFS = "E06000006", "E54000008", "E54000010"


def serving(client, version: int) -> None:
    """Wait until the service (the session's client) answers from this data version: it
    re-reads the version every second, and until then answers from its cache."""
    for _ in range(200):
        if client.get("/healthz").json().get("data_version") == version:
            return
        time.sleep(0.05)
    raise AssertionError(f"the service does not see data version {version}")


@pytest.fixture(scope="module")
def one_icb(national_engine, data_dir, tmp_path_factory, client):
    """The data folder without the national registrations, loaded; restored after (and
    seen by the service before other tests run)."""
    folder = tmp_path_factory.mktemp("one-icb")
    for d in data_dir.iterdir():
        if d.name != "nhs":
            os.symlink(d, folder / d.name)
    (folder / "nhs").mkdir()
    for f in (data_dir / "nhs").iterdir():
        if f.name != NATIONAL:
            os.symlink(f, folder / "nhs" / f.name)
    report = run_load(national_engine, folder, ["pcn"])
    try:
        serving(client, report.data_version)
        yield report
    finally:
        serving(client, run_load(national_engine, data_dir, ["pcn"]).data_version)


def q(engine, sql, **p):
    with engine.connect() as c:
        return c.execute(text(sql), p).all()


def residents_in(engine, code):
    ((n,),) = q(engine, "SELECT population FROM area WHERE code = :c AND kind <> 'pcn'", c=code)
    return n


def test_only_the_october_2025_extract_is_loaded(one_icb, national_engine):
    part = next(r for r in one_icb.results if r.part == "pcn")
    assert part.counts["registration files"] == 1
    assert part.counts["pcn"] == 25
    assert part.counts["ICBs with registrations"] == 1
    ext = q(national_engine, "SELECT name, publication FROM registration_extract")
    assert ext == [("nhs/gp-reg-pat-prac-lsoa-all_QNC_oct2025.csv", "2025-10")]


def test_halton_gets_no_more_residents_than_the_11_patients_registered(
    one_icb, client, national_engine
):
    d = client.get(f"/areas/{HALTON}/overlaps?kind=pcn").json()
    pop = residents_in(national_engine, HALTON)
    assert pop == 128_476
    # the loaded registrations account for 11 residents (coverage 0.0000856)
    assert d["pcn_coverage"] == pytest.approx(11 / 128_476, rel=1e-9)
    assert d["count"] == 0 and d["overlaps"] == []
    note = d["note"]
    assert "0.0086% of this area's residents (11 of 128,476)" in note
    assert "Staffordshire and Stoke-on-Trent" in note and "2025-10" in note
    assert "11 residents are attributed to 6 PCNs elsewhere" in note
    # the old rule (shares of the loaded patients) attributed 12,885: recomputed from the
    # stored patients, to show what the rule removes
    old, new = old_and_new_rule(national_engine, HALTON)
    assert round(old) == 12_885
    assert new == pytest.approx(11.0)
    csv = client.get(f"/areas/{HALTON}/overlaps?kind=pcn&format=csv").text
    assert csv.splitlines() == [csv.splitlines()[0]]  # a header, no PCN


def old_and_new_rule(engine, code):
    """Residents of an area attributed to PCNs by the old rule (shares of the loaded
    patients) and by the rule, from the stored patients and shares."""
    ((old, new),) = q(
        engine,
        "WITH w AS (SELECT p.lsoa_id, p.population, p.pop_share, sum(p.population) OVER "
        "(PARTITION BY p.lsoa_id) AS lp FROM area_lsoa p WHERE p.kind = 'pcn') "
        "SELECT sum(l.population * w.population / w.lp), sum(l.population * w.pop_share) "
        "FROM area_lsoa a JOIN area h ON h.id = a.area_id AND h.code = :c "
        "AND h.kind IN ('ltla', 'icb') JOIN w ON w.lsoa_id = a.lsoa_id "
        "JOIN area l ON l.id = a.lsoa_id",
        c=code,
    )
    return old, new


def test_cheshire_and_merseyside_gets_no_more_than_its_3350_patients(
    one_icb, client, national_engine
):
    d = client.get(f"/areas/{CHESHIRE}/overlaps?kind=pcn").json()
    old, new = old_and_new_rule(national_engine, CHESHIRE)
    assert round(old) == 373_644 and new == pytest.approx(3_350.0)
    assert d["pcn_coverage"] == pytest.approx(3_350 / 2_518_672, rel=1e-9)
    assert d["overlaps"] == []
    assert "(3,350 of 2,518,672)" in d["note"] and "25 PCNs elsewhere" in d["note"]
    assert d["registrations"]["icbs_covered"] == 1
    assert d["registrations"]["extracts"][0]["icbs"] == [STAFFS]
    # the same with the floor set aside: what min_share would keep is still capped
    geo = client.get(f"/areas/{CHESHIRE}/overlaps?kind=pcn&format=geojson").json()
    assert geo["features"] == [] and geo["pcn_coverage"] == d["pcn_coverage"]


def test_staffordshire_is_still_served_by_its_pcns(one_icb, client, data_dir):
    d = client.get(f"/areas/{STAFFS}/overlaps?kind=pcn").json()
    assert d["note"] is None and d["count"] == 25
    assert d["pcn_coverage"] == pytest.approx(0.9632, abs=1e-4)
    assert all(o["extract_date"] == "2025-10-01" for o in d["overlaps"])


def test_profile_and_programme_summary_follow_the_rule(one_icb, client):
    p = client.get(f"/areas/{HALTON}/profile").json()
    assert p["overlaps"]["pcn"] == []
    assert p["pcn_coverage"] == pytest.approx(11 / 128_476, rel=1e-9)
    assert "11 of 128,476" in p["pcn_note"]
    s = client.get("/programmes/left-behind-neighbourhoods/summary").json()
    assert s["registrations"]["extracts"][0]["publication"] == "2025-10"
    far = [a for a in s["areas"] if a["icb_code"] not in (STAFFS, "E54000064")]
    assert far
    for a in far:
        if a["pcn_coverage"] < 0.05:
            assert a["pcns"] == [] and "Staffordshire" in a["pcn_note"]
        else:  # a Wolverhampton area on the border: real cross-border registrations
            assert a["pcns"] and a["pcn_note"] is None
    assert sum(a["pcn_coverage"] >= 0.05 for a in far) < 5
    staffs = [a for a in s["areas"] if a["icb_code"] == STAFFS]
    assert staffs and all(a["pcns"] for a in staffs)


def test_the_map_says_which_icbs_the_registrations_cover(one_icb, client):
    html = client.get("/map").text
    assert "PCN outlines, and PCNs in popups, only where GP registrations are loaded" in html
    assert "Staffordshire and Stoke-on-Trent" in html


def test_no_stored_weight_gives_more_residents_than_patients(one_icb, national_engine):
    """Every stored PCN weight: never more residents than patients."""
    rows = q(
        national_engine,
        "SELECT w.population, w.pop_share, l.population FROM area_lsoa w "
        "JOIN area l ON l.id = w.lsoa_id WHERE w.kind = 'pcn' "
        "AND EXISTS (SELECT 1 FROM area a WHERE a.id = w.area_id "
        "AND a.weight_basis = 'registrations')",
    )
    w = pd.DataFrame(rows, columns=["patients", "share", "residents"])
    assert len(w) == 8_151
    assert (w["share"] * w["residents"] <= w["patients"] * (1 + 1e-12) + 1e-9).all()
