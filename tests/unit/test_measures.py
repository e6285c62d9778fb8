"""IoD summary measures on hand-made numbers."""

import numpy as np
import pandas as pd
import pytest

from geo.measures import decile, extent_weight, local_concentration, rank_within, summarise

N = 1000


def lsoas(ranks, scores=None):
    ranks = np.asarray(ranks, float)
    df = pd.DataFrame(
        {"imd_rank": ranks, "imd_decile": decile(ranks, N)},
        index=pd.Index(range(1, len(ranks) + 1), name="lsoa_id"),
    )
    df["imd_score"] = scores if scores is not None else 100.0 - ranks / 10
    return df


def weights(area_pops, area_id=1, shares=None):
    n = len(area_pops)
    return pd.DataFrame(
        {
            "area_id": area_id,
            "lsoa_id": range(1, n + 1),
            "pop_share": shares if shares is not None else np.ones(n),
            "population": np.asarray(area_pops, float),
        }
    )


def test_extent_weights_follow_the_published_scheme():
    # percentiles 1-10 weigh 1, 11th 0.95 falling linearly to 0.05 at the 30th, then 0
    r = np.array([1, 100, 101, 110, 200, 291, 300, 301, 1000])
    w = extent_weight(r, N)
    assert w.tolist() == pytest.approx(
        [1, 1, 0.95, 0.95, 0.95 - 9 * 0.9 / 19, 0.05, 0.05, 0.0, 0.0]
    )


def test_average_score_and_rank_are_population_weighted():
    m = summarise(
        weights([100, 300]), lsoas([10, 500], scores=[40.0, 10.0]), domains=("imd",), n_lsoa=N
    ).loc[(1, "imd")]
    assert m["average_score"] == pytest.approx((40 * 100 + 10 * 300) / 400)
    # reversed ranks: most deprived has the highest rank (N + 1 - rank)
    assert m["average_rank"] == pytest.approx(((N + 1 - 10) * 100 + (N + 1 - 500) * 300) / 400)
    assert m["population"] == 400


def test_proportion_in_most_deprived_10_counts_lsoas_not_people():
    m = summarise(
        weights([10, 1000, 1000, 1000]), lsoas([5, 50, 500, 900]), domains=("imd",), n_lsoa=N
    ).loc[(1, "imd")]
    assert m["proportion_most_deprived_10"] == pytest.approx(2 / 4)


def test_cut_lsoas_count_by_their_population_share():
    w = weights([50, 100], shares=[0.25, 1.0])
    m = summarise(w, lsoas([5, 900]), domains=("imd",), n_lsoa=N).loc[(1, "imd")]
    assert m["proportion_most_deprived_10"] == pytest.approx(0.25 / 1.25)


def test_local_concentration_takes_only_the_needed_part_of_the_last_lsoa():
    # 10% of 1000 people = 100: all 60 of the most deprived LSOA, 40 of the next
    w = weights([60, 100, 840])
    m = summarise(w, lsoas([1, 2, 700]), domains=("imd",), n_lsoa=N).loc[(1, "imd")]
    assert m["local_concentration"] == pytest.approx((60 * 1000 + 40 * 999) / 100)


def test_local_concentration_of_many_areas_at_once():
    f = pd.DataFrame(
        {
            "area_id": [1, 1, 2, 2],
            "rank": [3.0, 1.0, 10.0, 20.0],
            "population": [50.0, 50.0, 10.0, 10.0],
        }
    )
    lc = local_concentration(f, "rank", "population", N)
    assert lc[1] == pytest.approx(N + 1 - 1)
    assert lc[2] == pytest.approx(N + 1 - 10)


def test_scale_sums_numerators_by_share():
    ls = lsoas([5, 10])
    ls["income_rank"], ls["income_decile"], ls["income_score"] = ls["imd_rank"], 1.0, 0.3
    ls["income_numerator"] = [200.0, 80.0]
    m = summarise(weights([1000, 500], shares=[1.0, 0.5]), ls, domains=("income",), n_lsoa=N).loc[
        (1, "income")
    ]
    assert m["scale"] == pytest.approx(200 + 40)


def test_decile_population_and_missing_values():
    ls = lsoas([5, 150, 950])
    ls.loc[2, "imd_score"] = np.nan
    m = summarise(weights([10, 20, 30]), ls, domains=("imd",), n_lsoa=N).loc[(1, "imd")]
    assert m["decile_population"] == [10, 20, 0, 0, 0, 0, 0, 0, 0, 30]
    assert m["average_score"] == pytest.approx(
        (ls.loc[1, "imd_score"] * 10 + ls.loc[3, "imd_score"] * 30) / 40
    )


def test_rank_within_kind_puts_the_most_deprived_first():
    w = pd.concat(
        [
            weights([100], area_id=1),
            weights([100], area_id=2).assign(lsoa_id=2),
            weights([100], area_id=3).assign(lsoa_id=3),
        ]
    )
    m = summarise(w, lsoas([5, 500, 50]), domains=("imd",), n_lsoa=N)
    r = rank_within(m, pd.Series({1: "icb", 2: "icb", 3: "ltla"}))
    assert r.loc[(1, "imd"), "rank_average_score"] == 1
    assert r.loc[(2, "imd"), "rank_average_score"] == 2
    assert r.loc[(3, "imd"), "rank_average_score"] == 1
