"""PCNs from generated registrations on the synthetic grid: the attribution rule where
one PCN alone covers an LSOA with a handful of patients, and bad registration files
refused with the previous data intact.

Two ICBs (the grid's columns 0-7 and 8-11). The practices of ICB 1 are loaded; their
patients live in ICB 1, except a handful of one practice's (PCN ``UFAR``, alone there)
in one LSOA of ICB 2. The module loads them into the small database and removes them
after, so other tests see it as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from depmap.core.db import delete_area_rows
from depmap.core.errors import LoadError
from loaders.pipeline import run_load
from tests.conftest import make_client

pytestmark = [pytest.mark.db]

HEADER = ["PUBLICATION", "EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "LSOA_CODE", "SEX"]
FAR_PATIENTS = 4


def folder_with(synth, tmp: Path, registrations: pd.DataFrame | str, pmap: pd.DataFrame) -> Path:
    """The synthetic data folder (symlinks) with an nhs/ folder of these files."""
    tmp.mkdir(parents=True, exist_ok=True)
    for d in synth.root.iterdir():
        if not (tmp / d.name).exists():
            os.symlink(d, tmp / d.name)
    (tmp / "nhs").mkdir(exist_ok=True)
    reg = tmp / "nhs" / "gp-reg-pat-prac-lsoa-all.csv"
    if isinstance(registrations, str):
        reg.write_text(registrations)
    else:
        registrations.to_csv(reg, index=False)
    pmap.to_csv(tmp / "nhs" / "gp-reg-pat-prac-map.csv", index=False)
    return tmp


def generated(synth) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Registrations of ICB 1's practices and the practice map; the LSOA of ICB 2 where
    PCN UFAR alone has a handful of patients."""
    lk = synth.lsoa
    res = synth.census.set_index("lsoa21_code")["total_residents"]
    icb1 = lk[lk["icb"] == "E54000901"]
    icb2 = lk[lk["icb"] == "E54000902"]
    rows = []
    for _, r in icb1.iterrows():
        # two practices share each LSOA of ICB 1, with 1.1 x its residents between them
        i = int(r["i"])
        home = f"P{i // 2 + 1}"  # practices P1..P4 over the columns 0-7
        rows.append((home, r["code"], int(res[r["code"]] * 0.8)))
        rows.append(("P5", r["code"], int(res[r["code"]] * 0.3)))
    far = str(icb2["code"].iloc[0])
    rows.append(("P6", far, FAR_PATIENTS))  # PCN UFAR's only patients
    rows.append(("P6", str(icb1["code"].iloc[0]), 40))
    reg = pd.DataFrame(rows, columns=["PRACTICE_CODE", "LSOA_CODE", "NUMBER_OF_PATIENTS"])
    reg.insert(0, "PUBLICATION", "GP_PRAC_PAT_LIST")
    reg.insert(1, "EXTRACT_DATE", "01OCT2025")
    reg.insert(3, "PRACTICE_NAME", "Practice " + reg["PRACTICE_CODE"])
    reg.insert(5, "SEX", "ALL")
    pcn = {"P1": "UA", "P2": "UA", "P3": "UB", "P4": "UB", "P5": "UC", "P6": "UFAR"}
    pmap = pd.DataFrame(
        {
            "PUBLICATION": "GP_PRAC_PAT_LIST",
            "EXTRACT_DATE": "01Oct2025",
            "PRACTICE_CODE": list(pcn),
            "PRACTICE_NAME": [f"Practice {p}" for p in pcn],
            "PCN_CODE": list(pcn.values()),
            "PCN_NAME": [f"PCN {v[1:]}" for v in pcn.values()],
            "ONS_SUB_ICB_LOCATION_CODE": "E38900001",
            "SUB_ICB_LOCATION_NAME": "Synth sub-ICB 1",
            "ONS_ICB_CODE": "E54000901",
            "ICB_NAME": "NHS Synth ICB 1",
        }
    )
    return reg, pmap, far


def remove_pcns(engine) -> None:
    def drop(ctx):
        ids = ctx.conn.execute(text("SELECT id FROM area WHERE kind = 'pcn'")).scalars()
        delete_area_rows(ctx.conn, list(ids))
        ctx.conn.execute(text("DELETE FROM registration_extract"))
        ctx.conn.execute(text("DELETE FROM registration_icb"))

    run_load(engine, Path("."), [], extra=drop, expect_england=False)


@pytest.fixture(scope="module")
def loaded(small_engine, small_url, synth, tmp_path_factory):
    reg, pmap, far = generated(synth)
    folder = folder_with(synth, tmp_path_factory.mktemp("gen"), reg, pmap)
    run_load(small_engine, folder, ["pcn"], expect_england=False)
    try:
        with make_client(small_url) as client:
            yield client, reg, pmap, far, folder
    finally:
        remove_pcns(small_engine)


def q(engine, sql, **p):
    with engine.connect() as c:
        return c.execute(text(sql), p).all()


def test_one_pcn_alone_with_a_handful_of_patients_serves_no_more_residents(
    loaded, small_engine, synth
):
    client, _, _, far, _ = loaded
    res = synth.census.set_index("lsoa21_code")["total_residents"]
    ((share, patients, area_share),) = q(
        small_engine,
        "SELECT w.pop_share, w.population, w.area_share FROM area_lsoa w "
        "JOIN area a ON a.id = w.area_id AND a.code = 'UFAR' JOIN area l ON l.id = w.lsoa_id "
        "WHERE l.code = :c",
        c=far,
    )
    assert patients == FAR_PATIENTS
    assert share == pytest.approx(FAR_PATIENTS / res[far])  # the old rule gave it 1
    assert area_share == 0.0  # out of the registrations' reach: not drawn
    d = client.get(f"/areas/{far}/overlaps?kind=pcn").json()
    assert d["pcn_coverage"] == pytest.approx(FAR_PATIENTS / res[far])
    assert d["overlaps"] == [] and f"({FAR_PATIENTS} of {res[far]:,.0f})" in d["note"]
    assert "NHS Synth ICB 1" in d["note"]
    # ICB 2 as a whole: no more residents attributed than the 4 patients
    icb2 = client.get("/areas/E54000902/overlaps?kind=pcn").json()
    assert icb2["overlaps"] == []
    assert icb2["pcn_coverage"] * icb2["area"]["population"] == pytest.approx(FAR_PATIENTS)


def test_inside_the_registrations_reach_shares_are_of_the_patients(loaded, synth):
    client, reg, _, _, _ = loaded
    res = synth.census.set_index("lsoa21_code")["total_residents"]
    lk = synth.lsoa.set_index("code")
    code = next(c for c in lk.index[lk["icb"] == "E54000901"] if c != reg["LSOA_CODE"].iloc[-1])
    mine = reg[reg["LSOA_CODE"] == code]
    pcn = mine["PRACTICE_CODE"].map({"P1": "UA", "P2": "UA", "P3": "UB", "P4": "UB", "P5": "UC"})
    n = mine.groupby(pcn.to_numpy())["NUMBER_OF_PATIENTS"].sum()
    d = client.get(f"/areas/{code}/overlaps?kind=pcn").json()
    got = {o["code"]: o["share_of_population"] for o in d["overlaps"]}
    den = max(n.sum(), res[code])
    assert got == pytest.approx({k: v / den for k, v in n.items()})
    assert d["pcn_coverage"] == pytest.approx(min(1.0, n.sum() / res[code]))
    icb1 = client.get("/areas/E54000901/overlaps?kind=pcn").json()
    assert icb1["note"] is None and {o["code"] for o in icb1["overlaps"]} >= {"UA", "UB", "UC"}
    assert icb1["pcn_coverage"] > 0.99


def test_the_map_and_the_load_say_what_was_loaded(loaded, small_engine):
    client, _, _, _, _ = loaded
    html = client.get("/map").text
    assert "the practices of NHS Synth ICB 1 (extract of 2025-10)" in html
    ((report,),) = q(
        small_engine, "SELECT report FROM load_run WHERE 'pcn' = ANY(parts) ORDER BY id DESC"
    )[:1]
    part = next(p for p in report if p["part"] == "pcn")
    assert part["counts"]["pcn"] == 4
    icb2 = next(n for n in part["notes"] if n.startswith("E54000902"))
    assert "no extract, 0 practices" in icb2


BAD = {
    "wrong header": (
        "PUBLICATION,EXTRACT_DATE,PRACTICE,LSOA_CODE,SEX,NUMBER_OF_PATIENTS\n"
        "GP,01OCT2025,P1,E01900001,ALL,5\n",
        "wrong header for GP registrations by LSOA: missing column",
    ),
    "negative patients": (None, "NUMBER_OF_PATIENTS must be a whole number >= 0"),
    "unknown geography": (None, "unknown LSOA geography"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_registrations_file_is_refused_and_the_data_stays(
    loaded, small_engine, synth, tmp_path, case
):
    _, reg, pmap, _, _ = loaded
    body, message = BAD[case]
    if case == "negative patients":
        bad = reg.copy()
        bad.loc[3, "NUMBER_OF_PATIENTS"] = -2
        body = bad.to_csv(index=False)
    elif case == "unknown geography":
        bad = reg.copy()
        bad["LSOA_CODE"] = [f"E01{800000 + i:06d}" for i in range(len(bad))]
        body = bad.to_csv(index=False)
    before = q(
        small_engine,
        "SELECT (SELECT value FROM depmap_meta WHERE key = 'data_version'), "
        "(SELECT count(*) FROM area WHERE kind = 'pcn'), (SELECT sum(pop_share) FROM area_lsoa "
        "WHERE kind = 'pcn'), (SELECT count(*) FROM registration_extract)",
    )
    folder = folder_with(synth, tmp_path / "bad", body, pmap)
    with pytest.raises(LoadError, match=message):
        run_load(small_engine, folder, ["pcn"], expect_england=False)
    after = q(
        small_engine,
        "SELECT (SELECT value FROM depmap_meta WHERE key = 'data_version'), "
        "(SELECT count(*) FROM area WHERE kind = 'pcn'), (SELECT sum(pop_share) FROM area_lsoa "
        "WHERE kind = 'pcn'), (SELECT count(*) FROM registration_extract)",
    )
    assert after == before and before[0][1] == 4 and np.isfinite(before[0][2])
