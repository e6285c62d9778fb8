"""PCN footprints from the Staffordshire and Stoke-on-Trent registrations, checked against
an independent pandas reading of the published files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

pytestmark = [pytest.mark.db, pytest.mark.data]

REG = "nhs/gp-reg-pat-prac-lsoa-all_QNC_oct2025.csv"
MAP = "nhs/gp-reg-pat-prac-map.csv"


@pytest.fixture(scope="module")
def published(data_dir):
    """Patients per PCN and LSOA21 from the files, by plain pandas."""
    reg = pd.read_csv(data_dir / REG, dtype=str)
    reg["n"] = reg["NUMBER_OF_PATIENTS"].astype(int)
    m = pd.read_csv(data_dir / MAP, dtype=str).set_index("PRACTICE_CODE")
    lsoas = set(pd.read_csv(data_dir / "lookups" / "lsoa21_msoa21.csv")["lsoa21_code"])
    reg["pcn"] = reg["PRACTICE_CODE"].map(m["PCN_CODE"])
    ok = reg["LSOA_CODE"].isin(lsoas) & reg["pcn"].notna() & (reg["pcn"] != "U")
    by = reg[ok].groupby(["pcn", "LSOA_CODE"])["n"].sum()
    return reg, m, by


def q(engine, sql, **p):
    with engine.connect() as c:
        return c.execute(text(sql), p).all()


def pcn_weights(engine):
    rows = q(
        engine,
        "SELECT a.code, l.code, w.population, w.pop_share, w.area_share FROM area a "
        "JOIN area_lsoa w ON w.area_id = a.id JOIN area l ON l.id = w.lsoa_id "
        "WHERE a.kind = 'pcn' AND a.weight_basis = 'registrations'",
    )
    return pd.DataFrame(rows, columns=["pcn", "lsoa", "patients", "share", "area_share"])


def test_patients_by_lsoa_are_the_sum_of_the_practices(national_engine, published):
    _, _, by = published
    w = pcn_weights(national_engine).set_index(["pcn", "lsoa"])["patients"]
    assert len(w) == len(by)
    assert (w.sort_index() == by.sort_index().astype(float)).all()
    assert w.sum() == 1_208_850


def test_shares_per_lsoa_sum_to_one_over_the_pcns_present(national_engine, published):
    _, _, by = published
    w = pcn_weights(national_engine)
    sums = w.groupby("lsoa")["share"].sum()
    assert np.allclose(sums, 1.0, atol=1e-12)
    exp = by / by.groupby(level=1).transform("sum")
    got = w.set_index(["pcn", "lsoa"])["share"]
    assert np.allclose(got.sort_index(), exp.sort_index())


def test_every_pcn_has_a_polygon_of_the_lsoas_it_leads(national_engine, published):
    reg, m, _ = published
    staffs = m.loc[m.index.isin(reg["PRACTICE_CODE"]), "PCN_CODE"].unique()
    rows = q(
        national_engine,
        "SELECT a.code, a.name, a.area_m2, ST_Area(a.geom), a.population, a.population_basis, "
        "a.vintage, (SELECT sum(l.area_m2) FROM area_lsoa w JOIN area l ON l.id = w.lsoa_id "
        "WHERE w.area_id = a.id AND w.area_share = 1) FROM area a "
        "WHERE a.kind = 'pcn' AND a.weight_basis = 'registrations'",
    )
    got = {r[0]: r for r in rows}
    assert set(got) == set(staffs) and len(got) == 25
    for code, name, m2, geom_m2, _pop, basis, vintage, lsoa_m2 in rows:
        assert m2 > 0 and geom_m2 == pytest.approx(m2)
        assert m2 == pytest.approx(lsoa_m2, rel=1e-4), code  # the union of its LSOAs
        assert basis == "gp_registered_patients" and vintage == "2025-10"
        assert name == m.loc[m["PCN_CODE"] == code, "PCN_NAME"].iloc[0]
    # each LSOA drawn into one polygon only, to the PCN with the largest share
    w = pcn_weights(national_engine)
    drawn = w[w["area_share"] == 1]
    assert not drawn["lsoa"].duplicated().any()
    lead = w.sort_values("share", ascending=False).drop_duplicates("lsoa").set_index("lsoa")
    assert (drawn.set_index("lsoa")["pcn"] == lead.loc[drawn["lsoa"], "pcn"]).all()
    # the PCN populations are their patients in English LSOAs
    pop = w.groupby("pcn")["patients"].sum()
    for code, r in got.items():
        assert r[4] == pytest.approx(pop[code])


def test_polygons_cover_the_icb(national_engine):
    """Staffordshire and Stoke-on-Trent ICB's LSOAs are (almost) all drawn into a PCN."""
    ((n_icb, n_drawn),) = q(
        national_engine,
        "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM area_lsoa p "
        "JOIN area a ON a.id = p.area_id WHERE p.lsoa_id = w.lsoa_id AND p.kind = 'pcn' "
        "AND a.weight_basis = 'registrations' AND p.area_share = 1)) "
        "FROM area_lsoa w JOIN area i ON i.id = w.area_id WHERE i.code = 'E54000010'",
    )
    assert n_drawn / n_icb > 0.97


def test_cleaning_is_counted_and_reported(national_engine, published):
    reg, _, _ = published
    ((report,),) = q(
        national_engine,
        "SELECT report FROM load_run WHERE 'pcn' = ANY(parts) ORDER BY id DESC LIMIT 1",
    )
    part = next(p for p in report if p["part"] == "pcn")
    code = reg["LSOA_CODE"]
    expected = {
        "Welsh LSOA (W01)": int(code.str.startswith("W").sum()),
        "Scottish data zone (S01)": int(code.str.startswith("S").sum()),
        "Northern Irish area (N..)": int(code.str.startswith("N").sum()),
        "placeholder, not a code (CLOSED, EMPTY ...)": int(code.isin(["CLOSED", "EMPTY"]).sum()),
    }
    for label, n in expected.items():
        assert part["counts"][f"removed: {label} (rows)"] == n > 0
    assert part["counts"]["registration rows read"] == len(reg) == 16_864
    assert part["counts"]["registered patients read"] == reg["n"].sum()
    assert any("1,381 patients" in n and "placeholder" in n for n in part["notes"])


def test_pcn_deprivation_is_weighted_by_registered_patients(
    client, national_engine, data_dir, published
):
    _, _, by = published
    imd = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21.csv").set_index("lsoa21_code")
    code = "U87255"  # Shelton & Hanley PCN
    w = by.loc[code]
    exp = float(np.average(imd.loc[w.index, "IMD_score"], weights=w))
    d = client.get(f"/areas/{code}/deprivation").json()
    assert d["population_basis"] == "gp_registered_patients"
    assert d["population"] == pytest.approx(float(w.sum()))
    assert d["average_score"] == pytest.approx(exp, rel=1e-9)


def test_overlaps_with_pcns_give_the_residents_registered_there(
    client, national_engine, data_dir, published
):
    """Which PCNs serve a programme area, with the share of its residents registered there."""
    _, _, by = published
    ((code, lsoas),) = q(
        national_engine,
        "SELECT a.code, a.properties->'lsoa21' FROM area a JOIN area_lsoa w ON w.area_id = a.id "
        "JOIN area i ON i.code = 'E54000010' JOIN area_lsoa iw ON iw.area_id = i.id "
        "AND iw.lsoa_id = w.lsoa_id WHERE a.kind = 'programme' GROUP BY a.id "
        "ORDER BY a.population DESC LIMIT 1",
    )
    census = pd.read_csv(
        data_dir / "population" / "census21_lsoa21_residents_disability.csv"
    ).set_index("lsoa21_code")["total_residents"]
    lsoas = json.loads(lsoas) if isinstance(lsoas, str) else lsoas
    shares = by / by.groupby(level=1).transform("sum")
    res = census[lsoas]
    exp = {}
    for pcn, s in shares.groupby(level=0):
        s = s.droplevel(0).reindex(lsoas).fillna(0.0)
        v = float((s * res).sum() / res.sum())
        if v > 0:
            exp[pcn] = v
    d = client.get(f"/areas/{code}/overlaps?kind=pcn").json()
    got = {
        o["code"]: o["share_of_population"]
        for o in d["overlaps"]
        if o["code"] in exp or o["code"].startswith("U")
    }
    assert set(got) == set(exp)
    for k, v in exp.items():
        assert got[k] == pytest.approx(v, rel=1e-9)
    assert sum(exp.values()) == pytest.approx(1.0)


def test_icb_supplied_footprints_sit_beside_the_derived_ones(national_engine, data_dir):
    rows = q(
        national_engine,
        "SELECT code, properties->>'source', properties->>'supplier', properties->>'ods_code', "
        "weight_basis, population_basis, properties->>'Patients' FROM area WHERE kind = 'pcn'",
    )
    supplied = [r for r in rows if r[1] == "icb_supplied"]
    derived = [r for r in rows if r[1] == "registrations"]
    assert len(supplied) == 39 and len(derived) == 25
    assert all(r[0].startswith("nhs-sussex-icb:") for r in supplied)
    assert all((r[4], r[5]) == ("area", "census2021_residents") for r in supplied)
    assert sum(1 for r in supplied if r[3]) == 38
    gj = json.loads((data_dir / "nhs" / "sussex_pcn_footprints_2023.geojson").read_text())
    patients = {f["properties"]["PCN_Name"]: f["properties"]["Patients"] for f in gj["features"]}
    names = dict(q(national_engine, "SELECT code, name FROM area WHERE kind = 'pcn'"))
    for r in supplied:
        assert float(r[6]) == patients[names[r[0]]]
