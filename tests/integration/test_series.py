"""Change over time and programme evaluation on the shared data, checked against an
independent recomputation from the published CSVs (pandas, not the loaders' code)."""

from __future__ import annotations

import csv
import io
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from depmap.core.errors import LoadError
from loaders.pipeline import run_load

pytestmark = [pytest.mark.db, pytest.mark.data]

PROGRAMME = "left-behind-neighbourhoods"


@pytest.fixture(scope="module")
def by_hand(data_dir: Path) -> dict[str, pd.DataFrame]:
    """The 2011 counts on LSOA21, carried by hand: each LSOA11's count split between its
    LSOA21 children in proportion to their Census 2021 residents, then summed per LSOA21
    (unchanged and merged LSOAs get their parents' counts whole)."""
    lk = pd.read_csv(data_dir / "lookups" / "lsoa11_lsoa21_ltla22.csv")[
        ["lsoa11_code", "lsoa21_code"]
    ].drop_duplicates()
    res21 = pd.read_csv(data_dir / "population" / "census21_lsoa21_residents_disability.csv")
    lk = lk.merge(res21[["lsoa21_code", "total_residents"]], on="lsoa21_code")
    lk["split"] = lk["total_residents"] / lk.groupby("lsoa11_code")["total_residents"].transform(
        "sum"
    )
    out = {}
    for name, rel in (
        ("hh11", "population/census11_lsoa11_household_deprivation.csv"),
        ("gh11", "health/census11_general_health_lsoa11.csv"),
    ):
        t = pd.read_csv(data_dir / rel).set_index("lsoa11_code")
        j = lk.join(t, on="lsoa11_code")
        cols = [c for c in t.columns if c != "lsoa11_name"]
        out[name] = (j[cols].mul(j["split"], axis=0)).groupby(j["lsoa21_code"]).sum()
    out["hh21"] = pd.read_csv(
        data_dir / "population" / "census21_lsoa21_household_deprivation.csv"
    ).set_index("lsoa21_code")
    out["gh21"] = pd.read_csv(data_dir / "health" / "census21_general_health_lsoa21.csv").set_index(
        "lsoa21_code"
    )
    cni = pd.read_csv(data_dir / "community" / "cni2023_lsoa21.csv")
    flag = cni["Left Behind Area?"].astype(str).str.lower() == "true"
    out["programme"] = pd.DataFrame(index=pd.Index(cni.loc[flag, "lsoa21_code"]))
    return out


def _share(num: pd.Series, den: pd.Series) -> float:
    return float(100 * num.sum() / den.sum())


def _hh_any(t: pd.DataFrame) -> pd.Series:
    return t[[f"households_deprived_in_{i}_dimensions" for i in (1, 2, 3, 4)]].sum(axis=1)


def expected(by_hand: dict[str, pd.DataFrame], codes: pd.Index | None) -> dict[str, tuple]:
    """(baseline, followup) of three series over ``codes`` (None: England)."""

    def pick(t: pd.DataFrame) -> pd.DataFrame:
        return t if codes is None else t.loc[t.index.isin(codes)]

    hh11, hh21, gh11, gh21 = (pick(by_hand[k]) for k in ("hh11", "hh21", "gh11", "gh21"))
    return {
        "households_deprived_any": (
            _share(_hh_any(hh11), hh11["households_total"]),
            _share(_hh_any(hh21), hh21["households_total"]),
        ),
        "general_health_very_good": (
            _share(gh11["very_good"], gh11["total"]),
            _share(gh21["very_good"], gh21["total"]),
        ),
        "general_health_bad": (
            _share(gh11["bad"] + gh11["very_bad"], gh11["total"]),
            _share(gh21["bad"] + gh21["very_bad"], gh21["total"]),
        ),
    }


def test_england_matches_the_published_census_figures(client, by_hand):
    """England: 42.5% of households deprived in no dimension in 2011, 48.4% in 2021; very
    good health 47.17% -> 48.49%; bad or very bad 5.5% -> 5.15% (the shared data's README)."""
    r = client.get("/areas/E54000008/change")
    assert r.status_code == 200
    england = {c["indicator"]: c["england"] for c in r.json()["changes"]}
    pts = {k: [p["value"] for p in v["points"]] for k, v in england.items()}
    assert 100 - pts["households_deprived_any"][0] == pytest.approx(42.5, abs=0.05)
    assert 100 - pts["households_deprived_any"][1] == pytest.approx(48.4, abs=0.05)
    assert pts["general_health_very_good"] == pytest.approx([47.17, 48.49], abs=0.005)
    assert pts["general_health_bad"] == pytest.approx([5.5, 5.15], abs=0.01)
    for k, (b, f) in expected(by_hand, None).items():
        assert pts[k] == pytest.approx([b, f], rel=1e-9), k
    # IoD positions: about a tenth of England's residents in decile 1 in every edition
    assert pts["imd_decile1_share"] == pytest.approx([10.1, 10.0, 10.1], abs=0.2)


def test_cheshire_and_merseyside_change_agrees_with_its_deprivation(client):
    r = client.get("/areas/E54000008/change")
    body = r.json()
    assert [c["indicator"] for c in body["changes"]] == [
        "imd_decile1_share",
        "imd_average_percentile",
        "households_deprived_any",
        "households_deprived_2plus",
        "general_health_very_good",
        "general_health_bad",
    ]
    d = client.get("/areas/E54000008/deprivation").json()
    decile1 = 100 * d["deciles"][0]["share"]
    imd = body["changes"][0]
    assert [p["year"] for p in imd["points"]] == [2015, 2019, 2025]
    assert imd["points"][2]["value"] == pytest.approx(decile1, rel=1e-12)
    for c in body["changes"]:
        first, last = c["points"][0]["value"], c["points"][-1]["value"]
        assert c["change"] == pytest.approx(last - first)
        assert c["difference_vs_england"] == pytest.approx(c["change"] - c["england"]["change"])
        assert c["lsoa21"] == 1601


def test_change_as_csv_has_a_row_per_indicator_and_year(client):
    r = client.get("/areas/E06000006/change?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 3 + 3 + 2 * 4
    for row in rows:
        float(row["value"]), float(row["england"]), int(row["year"])
    one = client.get("/areas/E06000006/change?indicator=general_health_bad&format=csv")
    assert len(list(csv.DictReader(io.StringIO(one.text)))) == 2


def test_a_custom_polygon_has_its_change(client, auth):
    poly = {
        "type": "Feature",
        "properties": {"name": "Runcorn box"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[-2.74, 53.33], [-2.70, 53.33], [-2.70, 53.35], [-2.74, 53.35], [-2.74, 53.33]]
            ],
        },
    }
    created = client.post("/areas", json=poly, headers=auth)
    assert created.status_code == 201
    cid = created.json()["id"]
    try:
        r = client.get(f"/areas/{cid}/change?indicator=general_health_bad")
        assert r.status_code == 200
        (c,) = r.json()["changes"]
        assert 0 < c["points"][0]["value"] < 100 and c["lsoa21"] >= 1
    finally:
        client.delete(f"/areas/{cid}", headers=auth)


def test_left_behind_evaluation_baseline_and_followup_match_the_csvs(client, by_hand):
    r = client.get(
        f"/programmes/{PROGRAMME}/evaluation?indicator=households_deprived_any"
        "&indicator=general_health_very_good&indicator=general_health_bad"
    )
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["areas"] == 621 and body["lsoa21"] == 1262
    want_prog = expected(by_hand, by_hand["programme"].index)
    want_eng = expected(by_hand, None)
    assert body["count"] == 3
    for e in body["evaluations"]:
        code = e["indicator"]
        p, eng = e["programme_group"], e["england"]
        assert (p["baseline"], p["followup"]) == pytest.approx(want_prog[code], rel=1e-9)
        assert (eng["baseline"], eng["followup"]) == pytest.approx(want_eng[code], rel=1e-9)
        assert p["lsoa21"] == 1262 and p["areas"] == 621
        m = e["matched_comparators"]
        assert m["k"] == 5 and m["lsoa21"] > 1262
        assert m["matched_on"] == ["imd2015_percentile", "log_density", "baseline_value"]
        assert {b["covariate"] for b in m["balance"]} == set(m["matched_on"])
        # before matching the programme is far more deprived than the pool; after, close
        before = {b["covariate"]: b["smd_before"] for b in m["balance"]}
        after = {b["covariate"]: b["smd_after"] for b in m["balance"]}
        assert before["imd2015_percentile"] < -5
        assert all(abs(v) < 0.2 for v in after.values())
        assert m["balanced"] == all(abs(v) < 0.1 for v in after.values())
        seed = e["seed_method"]
        assert len(seed["local_authorities"]) == 25
        dids = e["difference_in_differences"]
        vm = dids["vs_matched"]
        assert vm["estimate"] == pytest.approx(p["change"] - m["change"])
        assert vm["low"] < vm["estimate"] < vm["high"] and vm["replicates"] == 999
        assert dids["vs_england"]["estimate"] == pytest.approx(p["change"] - eng["change"])
        assert dids["vs_seed_method"]["estimate"] == pytest.approx(p["change"] - seed["change"])
    assert "regression to the mean" in body["regression_to_the_mean"]


def test_evaluation_is_reproducible_and_its_exports_parse(client):
    q = f"/programmes/{PROGRAMME}/evaluation?indicator=general_health_bad&replicates=199"
    a, b = client.get(q), client.get(q + "&seed=20121")
    assert a.json() == b.json()
    other = client.get(q + "&seed=7").json()["evaluations"][0]["difference_in_differences"]
    assert (
        other["vs_matched"]["estimate"]
        == a.json()["evaluations"][0]["difference_in_differences"]["vs_matched"]["estimate"]
    )
    c = client.get(q + "&format=csv")
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert [r["group"] for r in rows] == [
        "programme_group",
        "matched_comparators",
        "england",
        "seed_method",
    ]
    for r in rows:
        float(r["baseline"]), float(r["followup"]), float(r["change"])
    svg = client.get(q + "&format=svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content
    png = client.get(q + "&format=png")
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(q + "&format=svg").content == svg.content


def test_evaluation_bad_input(client):
    r = client.get(f"/programmes/{PROGRAMME}/evaluation?indicator=happiness")
    assert r.status_code == 422 and "general_health_bad" in r.json()["detail"]
    r = client.get("/programmes/no-such-programme/evaluation")
    assert r.status_code == 404 and r.json()["error"] == "unknown_programme"
    for bad in ("k=0", "k=21", "replicates=-1", "format=gif"):
        r = client.get(f"/programmes/{PROGRAMME}/evaluation?{bad}")
        assert r.status_code == 422, bad
    r = client.get("/areas/E99999999/change")
    assert r.status_code == 404


def test_cli_change_and_evaluate(national_url, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from depmap.cli import app
    from depmap.core.settings import clear_caches

    monkeypatch.setenv("DATABASE_URL", national_url)
    clear_caches()
    runner = CliRunner()
    r = runner.invoke(
        app, ["change", "E06000006", "--indicator", "general_health_bad", "--format", "csv"]
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(x["year"]) for x in rows] == [2011, 2021]
    out = tmp_path / "eval.svg"
    r = runner.invoke(
        app,
        [
            "evaluate",
            PROGRAMME,
            "--indicator",
            "general_health_bad",
            "--replicates",
            "99",
            "--format",
            "svg",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"<?xml")
    r = runner.invoke(app, ["evaluate", PROGRAMME, "--indicator", "happiness"])
    assert r.exit_code == 2 and "happiness" in r.output
    clear_caches()


@pytest.fixture
def series_folder(data_dir: Path, tmp_path: Path) -> Path:
    """The shared data folder as symlinks, so one file can be replaced by a bad copy."""
    for f in data_dir.rglob("*"):
        if f.is_file():
            dest = tmp_path / f.relative_to(data_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.symlink_to(f)
    return tmp_path


def _break(folder: Path, rel: str, change) -> None:
    p = folder / rel
    df = pd.read_csv(p)
    p.unlink()
    change(df).to_csv(p, index=False)


@pytest.mark.parametrize(
    ("rel", "change", "message"),
    [
        (
            "health/census11_general_health_lsoa11.csv",
            lambda d: d.assign(total=d["total"] + (d.index == 5)),
            "do not add up",
        ),
        (
            "population/census21_lsoa21_household_deprivation.csv",
            lambda d: d.assign(households_total=-d["households_total"]),
            "whole number >= 0",
        ),
        ("deprivation/imd2015_lsoa11.csv", lambda d: d.drop(columns="imd_rank"), "imd_rank"),
        (
            "population/census11_lsoa11_household_deprivation.csv",
            lambda d: d.iloc[:-3],
            "expected 32,844",
        ),
    ],
)
def test_a_bad_series_file_changes_nothing(national_engine, series_folder, rel, change, message):
    with national_engine.connect() as c:
        before = c.execute(
            text(
                "SELECT (SELECT value FROM depmap_meta WHERE key = 'data_version'), "
                "(SELECT count(*) FROM indicator_value), (SELECT sum(general_health_bad_2011_num) "
                "FROM lsoa_series)"
            )
        ).one()
    _break(series_folder, rel, change)
    with pytest.raises(LoadError, match=message):
        run_load(national_engine, series_folder, ["series"])
    with national_engine.connect() as c:
        after = c.execute(
            text(
                "SELECT (SELECT value FROM depmap_meta WHERE key = 'data_version'), "
                "(SELECT count(*) FROM indicator_value), (SELECT sum(general_health_bad_2011_num) "
                "FROM lsoa_series)"
            )
        ).one()
    assert tuple(after) == tuple(before)
    assert not math.isnan(float(after[2]))
    shutil.rmtree(series_folder, ignore_errors=True)


def test_series_need_their_data(small_engine, small_url):
    """The synthetic data has no 2011 files: the programme there cannot be evaluated on a
    census series, and says why (422, not 500)."""
    from tests.conftest import make_client

    with small_engine.connect() as c:
        prog = c.execute(
            text("SELECT DISTINCT programme FROM area WHERE kind = 'programme'")
        ).scalar()
    assert prog
    with make_client(small_url) as cl:
        r = cl.get(f"/programmes/{prog}/evaluation?indicator=general_health_bad")
        assert r.status_code == 422
        assert r.json()["error"] == "cannot_compute" and "no LSOA" in r.json()["detail"]
        with small_engine.connect() as c:
            la = c.execute(text("SELECT code FROM area WHERE kind = 'ltla' LIMIT 1")).scalar()
        r = cl.get(f"/areas/{la}/change?indicator=general_health_bad")
        assert r.status_code == 422 and "general_health_bad" in r.json()["detail"]
