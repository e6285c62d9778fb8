"""PCNs derived from every registration extract of the shared data (the July 2022
national file on 2011 LSOAs and the October 2025 Staffordshire and Stoke-on-Trent file),
checked against independent pandas readings of the published files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

pytestmark = [pytest.mark.db, pytest.mark.data]

REG = "nhs/gp-reg-pat-prac-lsoa-all_QNC_oct2025.csv"
NATIONAL = "nhs/gp-reg-pat-prac-lsoa-all_national_jul2022_lsoa11.csv"
MAP = "nhs/gp-reg-pat-prac-map.csv"
STAFFS, CHESHIRE = "E54000010", "E54000008"


@pytest.fixture(scope="module")
def published(data_dir):
    """Patients per PCN and LSOA21 of the October 2025 file, by plain pandas."""
    reg = pd.read_csv(data_dir / REG, dtype=str)
    reg["n"] = reg["NUMBER_OF_PATIENTS"].astype(int)
    m = pd.read_csv(data_dir / MAP, dtype=str).set_index("PRACTICE_CODE")
    lsoas = set(pd.read_csv(data_dir / "lookups" / "lsoa21_msoa21.csv")["lsoa21_code"])
    reg["pcn"] = reg["PRACTICE_CODE"].map(m["PCN_CODE"])
    ok = reg["LSOA_CODE"].isin(lsoas) & reg["pcn"].notna() & (reg["pcn"] != "U")
    by = reg[ok].groupby(["pcn", "LSOA_CODE"])["n"].sum()
    return reg, m, by


@pytest.fixture(scope="module")
def census(data_dir):
    return (
        pd.read_csv(data_dir / "population" / "census21_lsoa21_residents_disability.csv")
        .set_index("lsoa21_code")["total_residents"]
        .astype(float)
    )


def q(engine, sql, **p):
    with engine.connect() as c:
        return c.execute(text(sql), p).all()


@pytest.fixture(scope="module")
def weights(national_engine):
    rows = q(
        national_engine,
        "SELECT a.code, l.code, w.population, w.pop_share, w.area_share, "
        "a.properties->>'icb_code' FROM area a "
        "JOIN area_lsoa w ON w.area_id = a.id JOIN area l ON l.id = w.lsoa_id "
        "WHERE a.kind = 'pcn' AND a.weight_basis = 'registrations'",
    )
    return pd.DataFrame(rows, columns=["pcn", "lsoa", "patients", "share", "area_share", "icb"])


def test_staffordshire_patients_per_lsoa_equal_the_october_2025_file(weights, published):
    """The latest extract wins for each practice: every practice of Staffordshire and
    Stoke-on-Trent comes from the October 2025 file, none from July 2022."""
    _, _, by = published
    staffs = set(by.index.get_level_values(0))
    w = weights[weights["pcn"].isin(staffs)].set_index(["pcn", "lsoa"])["patients"]
    assert len(staffs) == 25
    assert len(w) == len(by)
    assert (w.sort_index() == by.sort_index().astype(float)).all()
    assert w.sum() == 1_208_850


def test_shares_follow_the_rule(weights, census):
    """pop_share = patients / max(all loaded patients in the LSOA, its residents)."""
    lsoa_patients = weights.groupby("lsoa")["patients"].transform("sum")
    res = weights["lsoa"].map(census)
    exp = weights["patients"] / np.maximum(lsoa_patients, res)
    assert np.allclose(weights["share"], exp, rtol=1e-12)
    # never more residents than patients; an LSOA's shares sum to at most 1
    assert (weights["share"] * res <= weights["patients"] * (1 + 1e-12)).all()
    assert weights.groupby("lsoa")["share"].sum().max() <= 1 + 1e-9


def test_national_pcns(national_engine, weights):
    """Every PCN of England from the national file: 1,250-1,300, each ICB with its own."""
    n = weights["pcn"].nunique()
    assert 1_250 <= n <= 1_300
    icbs = q(national_engine, "SELECT code FROM area WHERE kind = 'icb'")
    own = weights.groupby("icb")["pcn"].nunique()
    assert {c for (c,) in icbs} <= set(own.index)
    assert own.min() >= 4
    # the 41 other ICBs from the July 2022 extract, carried to 2021 LSOAs
    vintages = dict(
        q(
            national_engine,
            "SELECT vintage, count(*) FROM area WHERE kind = 'pcn' "
            "AND weight_basis = 'registrations' GROUP BY vintage",
        )
    )
    assert vintages == {"2025-10": 25, "2022-07": n - 25}


def test_every_pcn_has_a_polygon_of_the_lsoas_it_leads(national_engine, published, weights):
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
    assert set(staffs) <= set(got)
    names = m.drop_duplicates("PCN_CODE").set_index("PCN_CODE")["PCN_NAME"]
    for code, name, m2, geom_m2, _pop, basis, _vintage, lsoa_m2 in rows:
        assert m2 > 0 and geom_m2 == pytest.approx(m2)
        assert m2 == pytest.approx(lsoa_m2, rel=1e-4), code  # the union of its LSOAs
        assert basis == "gp_registered_patients"
        assert name == names[code]
    # each LSOA drawn into one polygon at most (fallbacks aside), to the PCN leading it
    w = weights.assign(lp=weights.groupby("lsoa")["patients"].transform("sum"))
    drawn = w[w["area_share"] == 1]
    lead = w.sort_values("patients", ascending=False).drop_duplicates("lsoa").set_index("lsoa")
    lead_drawn = drawn[drawn["pcn"].to_numpy() == lead.loc[drawn["lsoa"], "pcn"].to_numpy()]
    assert not lead_drawn["lsoa"].duplicated().any()
    assert len(drawn) - len(lead_drawn) <= 20  # PCNs leading nowhere, drawn over their best
    # the PCN populations are their patients in English LSOAs
    pop = weights.groupby("pcn")["patients"].sum()
    for code, r in got.items():
        assert r[4] == pytest.approx(pop[code])


def test_polygons_cover_every_icb(national_engine):
    """Each ICB's LSOAs are (almost) all drawn into a PCN."""
    rows = q(
        national_engine,
        "SELECT i.code, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM area_lsoa p "
        "JOIN area a ON a.id = p.area_id WHERE p.lsoa_id = w.lsoa_id AND p.kind = 'pcn' "
        "AND a.weight_basis = 'registrations' AND p.area_share = 1)) "
        "FROM area_lsoa w JOIN area i ON i.id = w.area_id WHERE i.kind = 'icb' GROUP BY i.code",
    )
    assert len(rows) == 42
    drawn = {code: d / n for code, n, d in rows}
    assert drawn[STAFFS] > 0.97
    assert min(drawn.values()) > 0.9


def test_cleaning_is_counted_and_reported(national_engine, data_dir, published):
    reg, m, _ = published
    nat = pd.read_csv(data_dir / NATIONAL, dtype=str)
    nat["n"] = nat["NUMBER_OF_PATIENTS"].astype(int)
    ((report,),) = q(
        national_engine,
        "SELECT report FROM load_run WHERE 'pcn' = ANY(parts) ORDER BY id DESC LIMIT 1",
    )
    part = next(p for p in report if p["part"] == "pcn")
    counts, notes = part["counts"], part["notes"]
    assert counts["registration files"] == 2
    assert counts["registration rows read"] == len(reg) + len(nat) == 16_864 + 865_965
    assert counts["registered patients read"] == reg["n"].sum() + nat["n"].sum()
    # latest wins: the July 2022 rows of the 141 practices of the October 2025 file
    old = nat[nat["PRACTICE_CODE"].isin(reg["PRACTICE_CODE"])]
    assert counts["rows superseded by a later extract"] == len(old)
    assert any(
        f"{len(old):,} rows, {old['n'].sum():,} patients of 141 practices left aside" in n
        for n in notes
    )
    # practices missing from the October 2025 map: reported, not guessed
    gone = nat[~nat["PRACTICE_CODE"].isin(m.index)]
    assert gone["PRACTICE_CODE"].nunique() == 294 and gone["n"].sum() == 1_637_913
    assert gone["n"].sum() / nat["n"].sum() == pytest.approx(0.0265, abs=5e-4)
    assert any(
        f"removed {len(gone):,} rows, 1,637,913 patients, 294 practices: practice not in "
        "the practice-to-PCN map" in n
        for n in notes
    )
    unallocated = nat[nat["PRACTICE_CODE"].map(m["PCN_CODE"]) == "U"]
    assert unallocated["PRACTICE_CODE"].nunique() == 62
    used = nat[
        nat["PRACTICE_CODE"].isin(m.index)
        & (nat["PRACTICE_CODE"].map(m["PCN_CODE"]) != "U")
        & ~nat["PRACTICE_CODE"].isin(reg["PRACTICE_CODE"])
    ]
    code = pd.concat([reg["LSOA_CODE"], used["LSOA_CODE"]])
    expected = {
        "Welsh LSOA (W01)": int(code.str.startswith("W").sum()),
        "Scottish data zone (S01)": int(code.str.startswith("S").sum()),
        "no LSOA of residence (NO2011, NO2021)": int((code == "NO2011").sum()),
        "placeholder, not a code (CLOSED, EMPTY, blank ...)": int(
            code.isin(["CLOSED", "EMPTY"]).sum()
        ),
    }
    for label, n in expected.items():
        assert counts[f"removed: {label} (rows)"] == n > 0, label
    assert any("1,381 patients" in n and "placeholder" in n and "oct2025" in n for n in notes)
    # each extract's geography, told by its codes
    assert any(
        "national_jul2022_lsoa11.csv: extract of 01 Jul 2022 on LSOA11s (told by its codes: "
        "1,034 of 2011 LSOAs only)" in n
        for n in notes
    )
    assert any("QNC_oct2025.csv: extract of 01 Oct 2025 on LSOA21s" in n for n in notes)
    # per ICB: the extract used, practices and patients placed, residents covered
    assert sum(n.startswith("E54") for n in notes) == 42
    staffs = next(n for n in notes if n.startswith(STAFFS))
    assert "the 2025-10 extract, 141 practices, 1,208,850 patients placed, 25 PCNs" in staffs


def test_the_extracts_and_icbs_are_stored_for_the_answers(national_engine, census, data_dir):
    ext = q(
        national_engine,
        "SELECT name, extract_date::text, publication, lsoa_geography, geography_by, practices, "
        "practices_superseded, pcns FROM registration_extract ORDER BY extract_date DESC",
    )
    assert [tuple(r) for r in ext] == [
        (REG, "2025-10-01", "2025-10", "lsoa21", "codes", 141, 0, 25),
        (NATIONAL, "2022-07-01", "2022-07", "lsoa11", "codes", 6_484 - 141, 141, ext[1][7]),
    ]
    icbs = q(
        national_engine,
        "SELECT icb_code, extracts, practices, residents, attributed, coverage "
        "FROM registration_icb ORDER BY icb_code",
    )
    assert len(icbs) == 42
    lookup = pd.read_csv(data_dir / "lookups" / "lsoa21_sicbl24_icb24.csv")
    res = census.groupby(lookup.set_index("lsoa21_code")["icb24_code"]).sum()
    for code, extracts, practices, residents, attributed, coverage in icbs:
        assert extracts == ([REG] if code == STAFFS else [NATIONAL])
        assert practices > 0
        assert residents == pytest.approx(res[code])
        assert coverage == pytest.approx(attributed / residents)
        assert 0.9 < coverage <= 1.0


def test_pcn_deprivation_is_weighted_by_registered_patients(client, data_dir, published):
    _, _, by = published
    imd = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21.csv").set_index("lsoa21_code")
    code = "U87255"  # Shelton & Hanley PCN
    w = by.loc[code]
    exp = float(np.average(imd.loc[w.index, "IMD_score"], weights=w))
    d = client.get(f"/areas/{code}/deprivation").json()
    assert d["population_basis"] == "gp_registered_patients"
    assert d["population"] == pytest.approx(float(w.sum()))
    assert d["average_score"] == pytest.approx(exp, rel=1e-9)


def test_cheshire_and_merseyside_is_served_by_its_own_pcns(client, weights, census, data_dir):
    """With every ICB loaded, Cheshire and Merseyside's PCN overlaps name its own PCNs,
    covering at least 95% of its residents; Staffordshire PCNs get no more residents
    there than the registrations place."""
    d = client.get(f"/areas/{CHESHIRE}/overlaps?kind=pcn").json()
    icb_of = weights.drop_duplicates("pcn").set_index("pcn")["icb"]
    own = [o for o in d["overlaps"] if icb_of.get(o["code"]) == CHESHIRE]
    assert sum(o["share_of_population"] for o in own) >= 0.95  # 0.970, by its 49 PCNs
    assert d["overlaps"][0]["code"] in set(own[i]["code"] for i in range(len(own)))
    assert d["pcn_coverage"] == pytest.approx(0.975873, abs=1e-5)
    assert sum(o["population"] for o in d["overlaps"]) == pytest.approx(2_457_903.16, abs=0.01)
    assert d["note"] is None and len(d["overlaps"]) == 254
    lookup = pd.read_csv(data_dir / "lookups" / "lsoa21_sicbl24_icb24.csv")
    cm = set(lookup.loc[lookup["icb24_code"] == CHESHIRE, "lsoa21_code"])
    staffs_there = weights[(weights["icb"] == STAFFS) & weights["lsoa"].isin(cm)]
    got = sum(o["population"] for o in d["overlaps"] if icb_of.get(o["code"]) == STAFFS)
    assert got <= staffs_there["patients"].sum() + 1e-6
    # every derived PCN row says where it comes from
    assert {o["source"] for o in d["overlaps"]} == {"registrations"}
    assert {o["extract_date"] for o in own} == {"2022-07-01"}
    assert [e["publication"] for e in d["registrations"]["extracts"]] == ["2025-10", "2022-07"]
    assert d["registrations"]["icbs_covered"] == 42


def test_halton_with_every_icb_loaded(client):
    d = client.get("/areas/E06000006/overlaps?kind=pcn").json()
    assert d["pcn_coverage"] == pytest.approx(0.999984, abs=1e-6)
    assert sum(o["population"] for o in d["overlaps"]) == pytest.approx(128_474.0, abs=0.01)
    assert d["count"] == 52
    assert d["overlaps"][0]["name"] in ("WIDNES PCN", "RUNCORN PCN")


def test_overlaps_with_pcns_give_the_residents_attributed_by_the_rule(
    client, national_engine, weights, census
):
    """Which PCNs serve a programme area: per LSOA its residents times each PCN's share
    of them (patients / max(patients loaded, residents)), recomputed from the stored
    patients."""
    ((code, lsoas),) = q(
        national_engine,
        "SELECT a.code, a.properties->'lsoa21' FROM area a JOIN area_lsoa w ON w.area_id = a.id "
        "JOIN area i ON i.code = 'E54000010' JOIN area_lsoa iw ON iw.area_id = i.id "
        "AND iw.lsoa_id = w.lsoa_id WHERE a.kind = 'programme' GROUP BY a.id "
        "ORDER BY a.population DESC LIMIT 1",
    )
    lsoas = json.loads(lsoas) if isinstance(lsoas, str) else lsoas
    w = weights[weights["lsoa"].isin(lsoas)].copy()
    lp = weights[weights["lsoa"].isin(lsoas)].groupby("lsoa")["patients"].sum()
    res = census[lsoas]
    w["res"] = (
        w["patients"] / np.maximum(w["lsoa"].map(lp), w["lsoa"].map(census)) * w["lsoa"].map(census)
    )
    exp = (w.groupby("pcn")["res"].sum() / res.sum()).to_dict()
    d = client.get(f"/areas/{code}/overlaps?kind=pcn").json()
    got = {o["code"]: o["share_of_population"] for o in d["overlaps"]}
    assert set(got) == set(exp)
    for k, v in exp.items():
        assert got[k] == pytest.approx(v, rel=1e-9)
    assert d["pcn_coverage"] == pytest.approx(sum(exp.values()))
    assert sum(exp.values()) <= 1.0 + 1e-12


def test_profile_lists_the_pcns_with_their_own_deprivation(client, weights):
    """Routes in: for a programme area, the PCNs serving its residents with the share of
    its residents and of each PCN's patients, and how deprived each PCN's list is
    beside the other PCNs of its ICB."""
    area = "left-behind-neighbourhoods:E06000002-02"
    p = client.get(f"/areas/{area}/profile").json()
    pcns = p["overlaps"]["pcn"]
    assert pcns and p["pcn_coverage"] > 0.9 and p["pcn_note"] is None
    assert p["registrations"]["extracts"][0]["publication"] == "2025-10"
    ranked = client.get("/rankings?kind=pcn").json()
    by_code = {r["code"]: r for r in ranked["areas"]}
    for x in pcns:
        assert x["source"] == "registrations"
        assert 0 < x["share_of_pcn_patients"] <= 1
        dep = x["deprivation"]
        r = by_code[x["code"]]
        assert dep["average_score"] == pytest.approx(r["average_score"])
        assert dep["rank_average_score"] == r["rank_average_score"]
        same_icb = [a for a in ranked["areas"] if a.get("icb_code") == dep["icb_code"]]
        assert dep["pcns_in_icb"] == len(same_icb)
        higher = [a for a in same_icb if a["average_score"] > dep["average_score"]]
        assert dep["rank_in_icb"] == len(higher) + 1
    # the same share of residents as the overlaps route
    o = client.get(f"/areas/{area}/overlaps?kind=pcn").json()
    by = {x["code"]: x for x in o["overlaps"]}
    for x in pcns:
        assert x["share_of_population"] == by[x["code"]]["share_of_population"]
        assert x["share_of_pcn_patients"] == by[x["code"]]["share_of_pcn_patients"]


def test_rankings_of_pcns_say_where_they_come_from(client):
    d = client.get("/rankings?kind=pcn").json()
    derived = [a for a in d["areas"] if a["source"] == "registrations"]
    assert 1_250 <= len(derived) <= 1_300
    assert all(a["icb_code"] and a["extract_date"] for a in derived)
    assert d["pcn_coverage"] == pytest.approx(0.97515, abs=1e-4)
    assert d["registrations"]["icbs_covered"] == 42
    csv = client.get("/rankings?kind=pcn&format=csv").text.splitlines()
    assert csv[0].endswith("source,extract_date,icb_code,icb_name")


def test_icb_supplied_footprints_sit_beside_the_derived_ones(national_engine, data_dir):
    rows = q(
        national_engine,
        "SELECT code, properties->>'source', properties->>'supplier', properties->>'ods_code', "
        "weight_basis, population_basis, properties->>'Patients' FROM area WHERE kind = 'pcn'",
    )
    supplied = [r for r in rows if r[1] == "icb_supplied"]
    derived = [r for r in rows if r[1] == "registrations"]
    assert len(supplied) == 39 and 1_250 <= len(derived) <= 1_300
    assert all(r[0].startswith("nhs-sussex-icb:") for r in supplied)
    assert all((r[4], r[5]) == ("area", "census2021_residents") for r in supplied)
    assert sum(1 for r in supplied if r[3]) == 38
    gj = json.loads((data_dir / "nhs" / "sussex_pcn_footprints_2023.geojson").read_text())
    patients = {f["properties"]["PCN_Name"]: f["properties"]["Patients"] for f in gj["features"]}
    names = dict(q(national_engine, "SELECT code, name FROM area WHERE kind = 'pcn'"))
    for r in supplied:
        assert float(r[6]) == patients[names[r[0]]]
