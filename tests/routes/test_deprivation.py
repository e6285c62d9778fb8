"""Deprivation measures against the published IoD 2025 figures and an independent computation."""

import csv
import io

import numpy as np
import pandas as pd
import pytest

from depmap.core.vocab import MEASURES
from tests.expected import extent_weight_by_hand

pytestmark = [pytest.mark.db, pytest.mark.data]
N = 33_755


@pytest.fixture(scope="module")
def lsoas(data_dir):
    imd = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21.csv")
    pop = pd.read_csv(data_dir / "population" / "census21_lsoa21_residents_disability.csv")
    icb = pd.read_csv(data_dir / "lookups" / "lsoa21_sicbl24_icb24.csv")
    la = pd.read_csv(data_dir / "lookups" / "lsoa21_ward24_ltla24.csv")
    return (
        imd.merge(pop, on="lsoa21_code")
        .merge(icb[["lsoa21_code", "icb24_code"]])
        .merge(la[["lsoa21_code", "ltla24_code"]])
    )


def test_cheshire_and_merseyside_matches_the_published_icb_summary(client):
    r = client.get("/areas/E54000008/deprivation")
    assert r.status_code == 200
    d = r.json()
    # IoD 2025 ICB summaries (MHCLG, with its own denominators): agreement to ~1%
    # with Census 2021 rather than MHCLG's mid-2022 denominators: 0.07%, 0.2% and 0.001% off
    assert d["average_score"] == pytest.approx(25.531, rel=2e-3)
    assert d["extent"] == pytest.approx(0.3045, rel=3e-3)
    assert d["local_concentration"] == pytest.approx(33118.01, rel=1e-4)
    assert round(d["proportion_most_deprived_10"], 4) == 0.2011
    assert d["population_basis"] == "census2021_residents"
    assert d["ranks"]["of"] == 42
    assert sum(x["population"] for x in d["deciles"]) == pytest.approx(d["population"])


@pytest.mark.parametrize("kind, col, n", [("icb", "icb24_code", 42), ("ltla", "ltla24_code", 296)])
def test_every_icb_and_local_authority_agrees_with_an_independent_computation(
    client, lsoas, kind, col, n
):
    r = client.get(f"/rankings?kind={kind}&domain=imd")
    assert r.status_code == 200
    got = {a["code"]: a for a in r.json()["areas"]}
    assert len(got) == n
    for code, g in lsoas.groupby(col):
        w = g["total_residents"].to_numpy()
        a = got[code]
        # the proportion of LSOAs in the most deprived 10% is exact
        assert a["proportion_most_deprived_10"] == (g["IMD_decile"] == 1).sum() / len(g), code
        assert a["average_score"] == pytest.approx(np.average(g["IMD_score"], weights=w))
        assert a["average_rank"] == pytest.approx(np.average(N + 1 - g["IMD_rank"], weights=w))
        assert a["extent"] == pytest.approx(
            np.average([extent_weight_by_hand(r) for r in g["IMD_rank"]], weights=w)
        )
        s = g.sort_values("IMD_rank")
        take = np.clip(
            0.1 * w.sum() - (s["total_residents"].cumsum() - s["total_residents"]),
            0,
            s["total_residents"],
        )
        assert a["local_concentration"] == pytest.approx(
            np.average(N + 1 - s["IMD_rank"], weights=take)
        )


def test_rankings_csv_has_the_published_columns_and_ranks(client):
    r = client.get("/rankings?kind=icb&format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    # the JSON rows' fields: population and every measure with its rank
    assert rows[0] == [
        "code",
        "name",
        "programme",
        "population",
        "population_basis",
        "average_score",
        "average_rank",
        "proportion_most_deprived_10",
        "extent",
        "local_concentration",
        "scale",
        "rank_average_score",
        "rank_average_rank",
        "rank_proportion_most_deprived_10",
        "rank_extent",
        "rank_local_concentration",
        "rank_scale",
    ]
    assert len(rows) == 43
    scores = [float(x[5]) for x in rows[1:]]
    assert scores == sorted(scores, reverse=True)  # ordered by rank of average score
    assert [x[11] for x in rows[1:]] == [str(k) for k in range(1, 43)]
    assert all(x[3].isdigit() for x in rows[1:])  # populations are whole numbers
    j = client.get("/rankings?kind=icb&measure=extent").json()["areas"]
    assert [a["rank_extent"] for a in j] == list(range(1, 43))


def test_income_scale_is_the_sum_of_numerators(client, data_dir):
    ind = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21_indicators.csv")
    lk = pd.read_csv(data_dir / "lookups" / "lsoa21_sicbl24_icb24.csv")
    exp = ind.merge(lk).query("icb24_code == 'E54000008'")["income_domain_numerator"].sum()
    d = client.get("/areas/E54000008/deprivation?domain=income").json()
    assert d["scale"] == pytest.approx(exp)
    assert client.get("/areas/E54000008/deprivation?domain=crime").json()["scale"] is None


def test_an_lsoa_is_its_own_summary(client, lsoas):
    row = lsoas.iloc[123]
    d = client.get(f"/areas/{row['lsoa21_code']}/deprivation").json()
    assert d["average_score"] == pytest.approx(row["IMD_score"])
    assert d["average_rank"] == pytest.approx(N + 1 - row["IMD_rank"])
    assert d["population"] == row["total_residents"]


def test_health_profile_is_population_weighted(client, data_dir):
    ind = pd.read_csv(data_dir / "deprivation" / "imd2025_lsoa21_indicators.csv")
    pop = pd.read_csv(data_dir / "population" / "census21_lsoa21_residents_disability.csv")
    lk = pd.read_csv(data_dir / "lookups" / "lsoa21_sicbl24_icb24.csv")
    g = ind.merge(pop).merge(lk).query("icb24_code == 'E54000008'")
    ok = g["acute_morbidity_indicator"].notna()
    exp = np.average(g.loc[ok, "acute_morbidity_indicator"], weights=g.loc[ok, "total_residents"])
    d = client.get("/areas/E54000008/deprivation").json()
    got = {h["code"]: h["value"] for h in d["health"]}
    assert got["acute_morbidity"] == pytest.approx(exp, rel=1e-5)


def test_profile_routes_into_the_health_system(client):
    p = client.get("/areas/E06000006/profile").json()  # Halton
    assert p["area"]["kind"] == "ltla"
    icbs = p["overlaps"]["icb"]
    assert icbs[0]["code"] == "E54000008" and icbs[0]["share_of_population"] == pytest.approx(1)
    assert set(p["deprivation"]) == {
        "imd",
        "income",
        "employment",
        "education",
        "health",
        "crime",
        "housing",
        "environment",
    }


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("E01012733", "lsoa21"),
        ("E01006519", "lsoa21"),
        ("E01033769", "lsoa21"),  # new in 2021 (a split)
        ("E01012733", "lsoa11"),
        ("E01000010", "lsoa11"),  # split in 2021: weights over several LSOA21s
    ],
)
def test_stored_lsoa_answers_are_the_computed_ones(client, national_url, code, kind):
    """LSOAs' measures are stored at load (a first answer in milliseconds): the same as
    the summary of their weights computed now, as for a custom area when it is drawn."""
    import asyncio
    import json

    from depmap.core.db import make_async_engine
    from depmap.core.settings import DatabaseSettings
    from geo.summary import compute_summaries
    from queries.areas import get_area
    from queries.deprivation import area_inputs

    stored = client.get(f"/areas/{code}/deprivation?area_kind={kind}&domain=income").json()

    async def compute():  # type: ignore[no-untyped-def]
        eng = make_async_engine(DatabaseSettings(url=national_url))  # type: ignore[arg-type]
        try:
            async with eng.connect() as conn:
                area = await get_area(conn, code, kind)
                weights, stats = await area_inputs(conn, area.id)
                measures, prof = compute_summaries(weights, stats, N)
                p = prof.iloc[0]
                return measures.loc[area.id], {
                    "population": float(p["population"]),
                    "lsoa_count": float(p["lsoa_count"]),
                    "health": json.loads(p["health"]),
                }
        finally:
            await eng.dispose()

    measures, prof = asyncio.run(compute())
    row = measures.loc["income"]
    for k in MEASURES:
        want = row[k]
        assert (stored[k] is None) == pd.isna(want), k
        if stored[k] is not None:
            assert stored[k] == pytest.approx(float(want), rel=1e-12), k
    assert stored["population"] == pytest.approx(prof["population"], rel=1e-12)
    assert stored["lsoa_count"] == pytest.approx(prof["lsoa_count"], rel=1e-12)
    total = sum(row["decile_population"])
    shares = [d["share"] for d in stored["deciles"]]
    assert shares == pytest.approx([p / total for p in row["decile_population"]], abs=1e-6)
    assert {h["code"]: h["value"] for h in stored["health"]} == prof["health"]
