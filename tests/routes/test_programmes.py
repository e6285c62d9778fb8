"""GET /programmes, /programmes/{name}/summary and /areas/{id}/comparators on the national
data (the demo programme 'Left-behind neighbourhoods' and the Staffordshire PCNs)."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from depmap.core.vocab import DOMAINS
from queries.programmes import SUMMARY_COLUMNS

pytestmark = [pytest.mark.db, pytest.mark.data]

PROG = "Left-behind neighbourhoods"
SLUG = "left-behind-neighbourhoods"


@pytest.fixture(scope="module")
def lbn(data_dir):
    cni = pd.read_csv(data_dir / "community" / "cni2023_lsoa21.csv")
    return set(cni.loc[cni["Left Behind Area?"].astype(str) == "True", "lsoa21_code"])


@pytest.fixture(scope="module")
def summary(client):
    r = client.get(f"/programmes/{SLUG}/summary")
    assert r.status_code == 200, r.text
    return r.json()


def test_programmes_lists_the_demo_programme(client, data_dir, lbn):
    d = client.get("/programmes").json()
    p = next(x for x in d["programmes"] if x["name"] == PROG)
    census = pd.read_csv(data_dir / "population" / "census21_lsoa21_residents_disability.csv")
    exp = census.loc[census["lsoa21_code"].isin(lbn), "total_residents"].sum()
    assert p["population"] == pytest.approx(exp)
    assert p["slug"] == SLUG and p["links"]["summary"] == f"/programmes/{SLUG}/summary"


def test_summary_has_every_area_with_measures_and_routes(summary, national_engine, data_dir):
    with national_engine.connect() as c:
        n = c.execute(
            text("SELECT count(*) FROM area WHERE kind = 'programme' AND programme = :p"),
            {"p": PROG},
        ).scalar()
        members = dict(
            c.execute(
                text(
                    "SELECT code, properties->'lsoa21' FROM area WHERE kind = 'programme' "
                    "AND programme = :p"
                ),
                {"p": PROG},
            ).all()
        )
    assert summary["count"] == n == len(summary["areas"])
    assert summary["population_basis"] == "census2021_residents"
    imd = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21.csv").set_index("lsoa21_code")
    census = pd.read_csv(
        data_dir / "population" / "census21_lsoa21_residents_disability.csv"
    ).set_index("lsoa21_code")["total_residents"]
    icb = pd.read_csv(data_dir / "lookups" / "lsoa21_sicbl24_icb24.csv").set_index("lsoa21_code")
    for a in summary["areas"][::37]:
        ls = members[a["code"]]
        w = census[ls]
        assert a["population"] == pytest.approx(w.sum())
        assert a["average_score"] == pytest.approx(np.average(imd.loc[ls, "IMD_score"], weights=w))
        assert a["income_average_score"] == pytest.approx(
            np.average(imd.loc[ls, "Income_score"], weights=w)
        )
        assert a["proportion_most_deprived_10"] == pytest.approx(
            (imd.loc[ls, "IMD_decile"] == 1).mean()
        )
        top = w.groupby(icb.loc[ls, "icb24_code"].to_numpy()).sum().sort_values()
        assert a["icb_code"] == top.index[-1]
        assert a["icb_share"] == pytest.approx(top.iloc[-1] / w.sum())
        assert a["left_behind_share"] == pytest.approx(1.0)
    ranks = [a["rank_in_programme"] for a in summary["areas"]]
    assert sorted(ranks)[0] == 1 and max(ranks) <= summary["count"]


def test_summary_names_the_pcns_serving_every_area(summary):
    """With every ICB's registrations loaded, every area has its PCNs; Staffordshire's
    come from the October 2025 extract, the others from July 2022."""
    assert [e["publication"] for e in summary["registrations"]["extracts"]] == [
        "2025-10",
        "2022-07",
    ]
    for a in summary["areas"]:
        assert a["pcns"], a["code"]
        # lower where the practices of 2022 have closed or merged since (not in the
        # October 2025 practice map): 0.49 at least, in a Leeds neighbourhood
        assert a["pcn_coverage"] > 0.4 and a["pcn_note"] is None
        # derived PCNs first (largest share first), then footprints an ICB supplies
        derived = [p for p in a["pcns"] if p["source"] == "registrations"]
        assert a["pcns"][: len(derived)] == derived
        shares = [p["share_of_residents"] for p in derived]
        assert shares == sorted(shares, reverse=True)
        assert a["pcn_1_code"] == a["pcns"][0]["code"]
        assert all(p["population_basis"] == "gp_registered_patients" for p in derived)
    staffs = [a for a in summary["areas"] if a["icb_code"] == "E54000010"]
    assert staffs
    for a in staffs:
        assert a["pcns"][0]["extract_date"] == "2025-10-01"
    cover = [a["pcn_coverage"] for a in summary["areas"]]
    assert np.median(cover) > 0.95 and np.percentile(cover, 5) > 0.8


def test_pcn_shares_agree_with_the_overlaps_route(client, summary):
    """Inside the registrations' reach the capped shares are the overlaps' shares."""
    full = [x for x in summary["areas"] if x["pcn_coverage"] > 1 - 1e-9]
    assert full
    for a in full:
        o = client.get(f"/areas/{a['code']}/overlaps?kind=pcn").json()
        by = {x["code"]: x["share_of_population"] for x in o["overlaps"]}
        for p in a["pcns"]:
            assert p["share_of_residents"] == pytest.approx(by[p["code"]], rel=1e-9)


def test_pcn_shares_are_capped_by_the_registrations(summary, national_engine, data_dir):
    """share_of_residents = sum over LSOAs of residents x patients / max(patients loaded,
    residents) / residents, recomputed from the stored patients and the census file."""
    census = pd.read_csv(
        data_dir / "population" / "census21_lsoa21_residents_disability.csv"
    ).set_index("lsoa21_code")["total_residents"]
    with national_engine.connect() as c:
        members = dict(
            c.execute(
                text("SELECT code, properties->'lsoa21' FROM area WHERE programme = :p"),
                {"p": PROG},
            ).all()
        )
        rows = c.execute(
            text(
                "SELECT l.code, a.code, w.population FROM area_lsoa w "
                "JOIN area a ON a.id = w.area_id AND a.weight_basis = 'registrations' "
                "JOIN area l ON l.id = w.lsoa_id WHERE w.kind = 'pcn'"
            )
        ).all()
    by = pd.DataFrame(rows, columns=["lsoa", "pcn", "n"]).set_index(["lsoa", "pcn"])["n"]
    tot = by.groupby(level=0).sum()
    for a in [x for x in summary["areas"] if x["pcns"]][::5]:
        ls = members[a["code"]]
        res = census[ls]
        for p in [x for x in a["pcns"] if x["source"] == "registrations"]:
            s = sum(
                res[lc] * by.get((lc, p["code"]), 0) / max(tot[lc], res[lc])
                for lc in ls
                if lc in tot.index
            )
            assert p["share_of_residents"] == pytest.approx(s / res.sum(), rel=1e-9)


def test_summary_csv_has_the_columns_and_the_same_values(client, summary):
    r = client.get(f"/programmes/{PROG}/summary?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert len(rows) == summary["count"]
    first = summary["areas"][0]
    assert rows[0]["code"] == first["code"]
    assert float(rows[0]["average_score"]) == pytest.approx(first["average_score"])


def test_unknown_programme_is_404_naming_it(client):
    r = client.get("/programmes/No%20Such%20Programme/summary")
    assert r.status_code == 404
    assert r.json()["error"] == "unknown_programme"
    assert "No Such Programme" in r.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        f"/programmes/{SLUG}/summary?format=xml",
        "/areas/E01014211/comparators?n=0",
        "/areas/E01014211/comparators?n=500",
        "/areas/E01014211/comparators?size_ratio=10",
        "/areas/E01014211/comparators?kind=pcn",
        "/areas/E01014211/comparators?format=geojson",
    ],
)
def test_bad_parameters_are_422(client, url):
    r = client.get(url)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_parameter"


def test_comparators_unknown_area_is_404(client):
    r = client.get("/areas/E01999999/comparators")
    assert r.status_code == 404 and "E01999999" in r.json()["detail"]


def test_comparators_are_similar_areas_outside_the_programme(client, summary, data_dir, lbn):
    a = max(summary["areas"], key=lambda x: x["population"])
    d = client.get(f"/areas/{a['code']}/comparators?n=25").json()
    assert d["count"] == 25
    lo, hi = d["size_band"]["min_population"], d["size_band"]["max_population"]
    assert lo == pytest.approx(a["population"] / 1.5) and hi == pytest.approx(a["population"] * 1.5)
    dist = [c["distance"] for c in d["comparators"]]
    assert dist == sorted(dist)
    msoa = pd.read_csv(data_dir / "lookups" / "lsoa21_msoa21.csv")
    lbn_msoas = set(msoa.loc[msoa["lsoa21_code"].isin(lbn), "msoa21_code"])
    for c in d["comparators"]:
        assert lo <= c["population"] <= hi
        assert c["code"] not in lbn and c["code"] not in lbn_msoas
    # the distance, recomputed from the scores the answer gives and the LSOA spread
    imd = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21.csv")
    stems = dict(
        zip(
            DOMAINS,
            (
                "IMD",
                "Income",
                "Employment",
                "Education",
                "Health",
                "Crime",
                "Housing_and_Services",
                "Environment",
            ),
            strict=True,
        )
    )
    sd = {d_: imd[f"{s}_score"].std(ddof=0) for d_, s in stems.items()}
    t, c = d["area"], d["comparators"][0]
    z = {k: (c[f"{k}_average_score"] - t[f"{k}_average_score"]) / sd[k] for k in DOMAINS}
    exp = math.sqrt(z["imd"] ** 2 + sum(z[k] ** 2 for k in DOMAINS[1:]) / 7)
    assert c["distance"] == pytest.approx(exp, rel=1e-6)
    assert "standardised Euclidean" in d["distance"]


def test_comparators_of_one_kind_and_csv(client):
    r = client.get("/areas/E54000010/comparators?n=3&kind=msoa21")
    assert r.status_code == 200
    assert r.json()["count"] == 0  # no MSOA is the size of an ICB
    r = client.get("/areas/E02006050/comparators?n=5&kind=msoa21&format=csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 5 and all(x["kind"] == "msoa21" for x in rows)
    assert "E02006050" not in {x["code"] for x in rows}


def test_no_comparators_says_why_and_what_to_ask(client):
    """Found by a newcomer: an ICB got 0 comparators with no explanation."""
    d = client.get("/areas/E54000008/comparators").json()
    assert d["count"] == 0 and "kind=icb" in d["note"] and "size band" in d["note"]
    icbs = client.get("/areas/E54000008/comparators?kind=icb").json()
    assert icbs["count"] > 0 and icbs["note"] is None
    assert all(c["kind"] == "icb" and c["code"] != "E54000008" for c in icbs["comparators"])
