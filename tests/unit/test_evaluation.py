"""Programme evaluation: matching on the baseline, balance, seed method, DiD and its bootstrap."""

import doctest
import json
import math

import numpy as np
import pandas as pd
import pytest

import geo.evaluation
from geo.evaluation import (
    BASELINE_VALUE,
    EvaluationError,
    balance_table,
    baseline_covariates,
    cluster_bootstrap,
    evaluate,
    group_change,
    nearest,
    resample_counts,
    seed_method,
)

COLS = ["baseline_num", "baseline_den", "followup_num", "followup_den"]


def counts_frame(ids, n0, d0, n1, d1):
    return pd.DataFrame(
        dict(zip(COLS, (n0, d0, n1, d1), strict=True)),
        index=pd.Index(ids, name="lsoa_id"),
        dtype=float,
    )


def test_docstring_examples_run():
    res = doctest.testmod(geo.evaluation)
    assert res.attempted >= 8 and res.failed == 0


# ---------------------------------------------------------------- a small world by hand


def small_world():
    """Programme: area 1 = P1 + half of P2, area 2 = P3. Q is adjacent to P1.

    Covariate ``x`` and the baseline value: Q is P1's perfect twin but touches it,
    so P1 must take A (next nearest).
    """
    ids = ["P1", "P2", "P3", "Q", "A", "B", "C", "D"]
    counts = counts_frame(
        ids,
        n0=[50, 30, 20, 50, 50, 30, 20, 10],
        d0=[100, 100, 200, 100, 100, 100, 200, 100],
        n1=[40, 30, 16, 10, 45, 24, 22, 10],
        d1=[100, 120, 200, 100, 100, 100, 200, 100],
    )
    cov = pd.DataFrame({"x": [1.0, 2.0, 3.0, 1.0, 1.1, 2.0, 3.0, 9.0]}, index=ids)
    w = pd.DataFrame(
        {"area_id": [1, 1, 2], "lsoa_id": ["P1", "P2", "P3"], "pop_share": [1.0, 0.5, 1.0]}
    )
    adj = [("P1", "Q"), ("Q", "P1"), ("B", "C")]
    return w, counts, cov, adj


def test_programme_group_matches_england_and_did_by_hand():
    w, counts, cov, adj = small_world()
    ev = evaluate(w, counts, cov, adj, k=1, replicates=0)
    # programme: P1 + 0.5 P2 + P3
    b = 100 * (50 + 15 + 20) / (100 + 50 + 200)
    f = 100 * (40 + 15 + 16) / (100 + 60 + 200)
    g = ev.programme_group
    assert (g.baseline, g.followup, g.change) == pytest.approx((b, f, f - b))
    assert (g.n_areas, g.n_lsoa) == (2, 3)
    # matches with k = 1: P1 -> A (Q touches P1), P2 -> B, P3 -> C
    pairs = ev.matched_comparators.pairs.set_index("lsoa_id")["match_id"].to_dict()
    assert pairs == {"P1": "A", "P2": "B", "P3": "C"}
    # counterfactual: the matches' rates with the programme LSOA's own w * den
    mb = 100 * (100 * 0.50 + 50 * 0.30 + 200 * 0.10) / 350
    mf = 100 * (100 * 0.45 + 60 * 0.24 + 200 * 0.11) / 360
    m = ev.matched_comparators.group
    assert (m.baseline, m.followup) == pytest.approx((mb, mf))
    assert (m.n_areas, m.n_lsoa) == (2, 3)
    e = ev.england
    eb = 100 * counts["baseline_num"].sum() / counts["baseline_den"].sum()
    ef = 100 * counts["followup_num"].sum() / counts["followup_den"].sum()
    assert (e.baseline, e.followup, e.n_lsoa) == pytest.approx((eb, ef, 8))
    did = ev.difference_in_differences
    assert did["vs_matched"].estimate == pytest.approx((f - b) - (mf - mb))
    assert did["vs_england"].estimate == pytest.approx((f - b) - (ef - eb))
    assert math.isnan(did["vs_matched"].low) and did["vs_matched"].replicates == 0
    assert "vs_seed_method" not in did and ev.seed_method is None
    # uses and weights of the matches: each used once, weight w * den0 / k
    lsoas = ev.matched_comparators.lsoas
    assert lsoas["uses"].to_dict() == {"A": 1, "B": 1, "C": 1}
    assert lsoas["weight"].to_dict() == pytest.approx({"A": 100, "B": 50, "C": 200})
    assert ev.matched_comparators.n_pool == 4  # A B C D: not P*, not Q
    json.dumps(ev.to_dict(), allow_nan=True)  # serialisable as it is


def test_group_change_alone_agrees_with_the_evaluation():
    w, counts, cov, adj = small_world()
    g = group_change(w, counts)
    assert g == evaluate(w, counts, cov, adj, k=1, replicates=0).programme_group


def test_neither_programme_nor_adjacent_lsoas_are_matched_whatever_the_direction():
    w, counts, cov, _ = small_world()
    for pairs in ([("P1", "Q")], [("Q", "P1")]):
        ev = evaluate(w, counts, cov, pairs, k=3, replicates=0)
        used = set(ev.matched_comparators.lsoas.index)
        assert used.isdisjoint({"P1", "P2", "P3", "Q"})
    # without adjacency Q (P1's twin) is P1's first match
    ev = evaluate(w, counts, cov, np.empty((0, 2)), k=1, replicates=0)
    assert ev.matched_comparators.pairs.set_index("lsoa_id").loc["P1", "match_id"] == "Q"


def test_ties_are_broken_by_the_smaller_id_whatever_the_input_order():
    ids = ["T", "z9", "a1", "m5", "far"]
    counts = counts_frame(ids, [10] * 5, [100] * 5, [10] * 5, [100] * 5)
    cov = pd.DataFrame({"x": [0.0, 1.0, 1.0, 1.0, 5.0]}, index=ids)
    w = pd.DataFrame({"area_id": [1], "lsoa_id": ["T"], "pop_share": [1.0]})
    firsts = set()
    for seed in range(5):
        perm = np.random.default_rng(seed).permutation(len(ids))
        ev = evaluate(w, counts.iloc[perm], cov.iloc[perm], [], k=2, replicates=0)
        firsts.add(tuple(ev.matched_comparators.pairs["match_id"]))
    assert firsts == {("a1", "m5")}


def test_nearest_breaks_ties_by_pool_row_even_beyond_the_first_fetch():
    pool = np.zeros((10, 1))  # ten identical candidates
    rows, dist = nearest(np.zeros((1, 1)), pool, 3)
    assert rows.tolist() == [[0, 1, 2]] and dist.tolist() == [[0.0, 0.0, 0.0]]
    pool = np.array([[3.0], [1.0], [1.0], [1.0], [1.0], [1.0], [0.5]])
    rows, _ = nearest(np.zeros((1, 1)), pool, 2)
    assert rows.tolist() == [[6, 1]]


# ------------------------------------------------------- against a brute-force reference


def reference(w, counts, cov, adj, k, scale=100.0):
    """Matching and DiD the slow, obvious way (loops, pandas)."""
    rate0 = counts["baseline_num"] / counts["baseline_den"]
    rate1 = counts["followup_num"] / counts["followup_den"]
    x = cov.copy()
    x[BASELINE_VALUE] = scale * rate0
    prog = set(w.loc[w["pop_share"] > 0, "lsoa_id"])
    touching = {b for a, b in adj if a in prog} | {a for a, b in adj if b in prog}
    pool = sorted(i for i in counts.index if i not in prog and i not in touching)
    treated = sorted(prog)
    sd = pd.concat([x.loc[treated], x.loc[pool]]).std(ddof=1)
    z = x / sd
    matches = {}
    for t in treated:
        d = np.sqrt(((z.loc[pool] - z.loc[t]) ** 2).sum(axis=1))
        matches[t] = sorted(pool, key=lambda j, d=d: (d[j], j))[:k]
    cf0 = {t: np.mean([rate0[j] for j in m]) for t, m in matches.items()}
    cf1 = {t: np.mean([rate1[j] for j in m]) for t, m in matches.items()}
    rows = w[w["pop_share"] > 0]
    s = {key: 0.0 for key in ("n0", "d0", "n1", "d1", "c0", "c1")}
    for _, r in rows.iterrows():
        c = counts.loc[r["lsoa_id"]]
        s["n0"] += r["pop_share"] * c["baseline_num"]
        s["d0"] += r["pop_share"] * c["baseline_den"]
        s["n1"] += r["pop_share"] * c["followup_num"]
        s["d1"] += r["pop_share"] * c["followup_den"]
        s["c0"] += r["pop_share"] * c["baseline_den"] * cf0[r["lsoa_id"]]
        s["c1"] += r["pop_share"] * c["followup_den"] * cf1[r["lsoa_id"]]
    prog_change = scale * (s["n1"] / s["d1"] - s["n0"] / s["d0"])
    matched_change = scale * (s["c1"] / s["d1"] - s["c0"] / s["d0"])
    # balance: treated weighted by w * den0, matches by w * den0 / k of who they serve
    tw = rows.assign(den=rows["lsoa_id"].map(counts["baseline_den"]) * rows["pop_share"])
    tw = tw.groupby("lsoa_id")["den"].sum()
    mw = pd.Series(0.0, index=pool)
    for t, m in matches.items():
        for j in m:
            mw[j] += tw[t] / k
    mean_t = x.loc[tw.index].mul(tw, axis=0).sum() / tw.sum()
    sd_t = np.sqrt(((x.loc[tw.index] - mean_t) ** 2).mul(tw, axis=0).sum() / tw.sum())
    pw = counts.loc[pool, "baseline_den"]
    mean_pool = x.loc[pool].mul(pw, axis=0).sum() / pw.sum()
    mean_m = x.loc[pool].mul(mw, axis=0).sum() / mw.sum()
    return {
        "matches": matches,
        "programme_change": prog_change,
        "matched_change": matched_change,
        "smd_before": (mean_t - mean_pool) / sd_t,
        "smd_after": (mean_t - mean_m) / sd_t,
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_a_brute_force_reference(seed):
    rng = np.random.default_rng(seed)
    n = 400
    ids = np.arange(1000, 1000 + n)  # integer ids, as in the database
    d0 = rng.integers(200, 800, n).astype(float)
    d1 = d0 * rng.uniform(0.9, 1.2, n)
    p = rng.uniform(0.05, 0.5, n)
    counts = counts_frame(
        ids, rng.binomial(d0.astype(int), p), d0, rng.binomial(d1.astype(int), p), d1
    )
    cov = pd.DataFrame(
        {"imd2015_percentile": rng.uniform(0, 100, n), "log_density": rng.normal(8, 1, n)},
        index=ids,
    )
    prog = rng.choice(ids, 30, replace=False)
    w = pd.DataFrame(
        {"area_id": np.arange(30) % 12, "lsoa_id": prog, "pop_share": rng.uniform(0.2, 1.0, 30)}
    )
    adj = [(int(a), int(a) + 1) for a in ids[:-1] if rng.random() < 0.5]
    k = 4
    ev = evaluate(w, counts, cov, adj, k=k, replicates=0)
    ref = reference(w, counts, cov, adj, k)
    got = ev.matched_comparators.pairs.groupby("lsoa_id")["match_id"].apply(list).to_dict()
    assert got == ref["matches"]
    assert ev.programme_group.change == pytest.approx(ref["programme_change"])
    assert ev.matched_comparators.group.change == pytest.approx(ref["matched_change"])
    bal = ev.matched_comparators.balance
    assert bal["smd_before"].to_dict() == pytest.approx(ref["smd_before"].to_dict())
    assert bal["smd_after"].to_dict() == pytest.approx(ref["smd_after"].to_dict())


def test_balance_flags_a_covariate_left_unbalanced():
    # treated at x = 0; the pool has nothing nearer than x = 1 with the same baseline
    ids = ["t1", "t2", "c1", "c2", "c3"]
    counts = counts_frame(ids, [10] * 5, [100] * 5, [10] * 5, [100] * 5)
    cov = pd.DataFrame({"x": [0.0, 0.2, 1.0, 1.2, 5.0]}, index=ids)
    w = pd.DataFrame({"area_id": [1, 2], "lsoa_id": ["t1", "t2"], "pop_share": 1.0})
    m = evaluate(w, counts, cov, [], k=1, replicates=0).matched_comparators
    # treated mean 0.1, SD 0.1; matched: t1 -> c1, t2 -> c1 (both nearer than c2)
    assert m.lsoas["uses"].to_dict() == {"c1": 2}
    assert m.balance.loc["x", "smd_after"] == pytest.approx((0.1 - 1.0) / 0.1)
    assert m.balance.loc["x", "smd_before"] == pytest.approx((0.1 - (1.0 + 1.2 + 5.0) / 3) / 0.1)
    assert not m.balanced and "x" in m.message and "not balanced" in m.message
    # the baseline value is identical everywhere: its SD falls back, SMD 0
    assert m.balance.loc[BASELINE_VALUE, "smd_after"] == 0


def test_balance_table_by_hand():
    t = np.array([[1.0, 10.0], [3.0, 10.0]])
    b = balance_table(
        ["a", "b"],
        t,
        np.array([1.0, 1.0]),
        np.array([[0.0, 9.0], [4.0, 12.0]]),
        np.array([3.0, 1.0]),
        np.array([0.0, 2.0]),
        fallback_sd=np.array([1.0, 2.0]),
    )
    assert b.loc["a", "mean_treated"] == 2 and b.loc["a", "sd_treated"] == 1
    assert b.loc["a", "smd_before"] == pytest.approx(2 - 1)  # pool mean (0*3 + 4) / 4
    assert b.loc["a", "smd_after"] == pytest.approx(2 - 4)
    assert b.loc["b", "sd_treated"] == 2  # treated SD 0: the fallback
    assert b.loc["b", "smd_before"] == pytest.approx((10 - 9.75) / 2)


# ------------------------------------------------------------------------- seed method


def test_seed_method_pools_the_las_nearest_in_population_weighted_score():
    ids = [f"L{i}" for i in range(8)]
    counts = counts_frame(
        ids, [30, 10, 20, 40, 5, 5, 50, 60], [100] * 8, [20, 10, 10, 30, 5, 5, 40, 50], [100] * 8
    )
    la = pd.Series(["X", "X", "Y", "Y", "Z", "Z", "W", "W"], index=ids)
    score = pd.Series([40.0, 20.0, 10.0, 50.0, 5.0, 5.0, 35.0, 35.0], index=ids)
    pop = pd.Series([100.0, 300.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0], index=ids)
    # X: (40*100 + 20*300) / 400 = 25; Y: 30; Z: 5; W: 35
    w = pd.DataFrame({"area_id": [1, 1], "lsoa_id": ["L0", "L3"], "pop_share": [1.0, 0.5]})
    prog = (40 * 100 + 50 * 50) / 150  # 43.33: W (8.3) then Y (13.3) are nearest
    s = seed_method(w, counts, la, score, pop, n_las=2)
    assert s.programme_score == pytest.approx(prog)
    assert s.las.index.tolist() == ["W", "Y"]
    assert s.las["score"].tolist() == pytest.approx([35, 30])
    g = s.group
    assert (g.baseline, g.followup) == pytest.approx((100 * 170 / 400, 100 * 130 / 400))
    assert (g.n_areas, g.n_lsoa) == (2, 4)
    # equal distances: by code
    w2 = pd.DataFrame({"area_id": [1], "lsoa_id": ["L2"], "pop_share": [1.0]})
    s2 = seed_method(
        w2,
        counts,
        la,
        pd.Series([30.0, 30.0, 20.0, 20.0, 10.0, 10.0, 30.0, 30.0], index=ids),
        pop,
        n_las=2,
    )
    assert s2.las.index.tolist() == ["Y", "W"]  # W, X and Z all 10 away: W first
    with pytest.raises(EvaluationError, match="fewer than 5"):
        seed_method(w, counts, la, score, pop, n_las=5)


def test_evaluate_reports_the_seed_method_beside_the_others():
    w, counts, cov, adj = small_world()
    la = pd.Series(["a", "a", "b", "b", "c", "c", "d", "d"], index=counts.index)
    score = pd.Series(np.arange(8.0), index=counts.index)
    pop = pd.Series(1.0, index=counts.index)
    ev = evaluate(
        w,
        counts,
        cov,
        adj,
        k=1,
        replicates=50,
        lsoa_la=la,
        imd2015_score=score,
        population=pop,
        n_las=2,
    )
    assert ev.seed_method is not None
    d = ev.difference_in_differences["vs_seed_method"]
    assert d.estimate == pytest.approx(ev.programme_group.change - ev.seed_method.group.change)
    with pytest.raises(EvaluationError, match="seed method needs"):
        evaluate(w, counts, cov, adj, lsoa_la=la)


# -------------------------------------------------------------------------- bootstrap


def test_resample_counts_and_cluster_bootstrap_are_the_resampled_sums():
    c = resample_counts(7, 500, np.random.default_rng(3))
    assert c.shape == (500, 7) and np.all(c.sum(axis=1) == 7)
    assert c.mean() == pytest.approx(1.0, abs=0.05)  # each area drawn once on average
    sums = np.arange(14.0).reshape(7, 2)
    b = cluster_bootstrap(sums, 500, np.random.default_rng(3))
    assert np.allclose(b, c @ sums)  # the same draws, summed


def test_the_interval_is_reproducible_and_matches_the_textbook_standard_error():
    # 200 areas of one LSOA each, equal denominators: DiD is a mean of per-area
    # differences, whose bootstrap SE is sd / sqrt(n)
    rng = np.random.default_rng(11)
    n_prog, n_pool = 200, 2000
    ids = np.arange(n_prog + n_pool)
    x = rng.uniform(0, 1, n_prog + n_pool)
    n0 = np.round(100 * x * 0.5)
    n1 = n0.copy()
    n1[:n_prog] += rng.integers(-10, 11, n_prog)  # the programme's noisy change
    counts = counts_frame(ids, n0, np.full(len(ids), 100.0), n1, np.full(len(ids), 100.0))
    cov = pd.DataFrame({"x": x}, index=ids)
    w = pd.DataFrame({"area_id": ids[:n_prog], "lsoa_id": ids[:n_prog], "pop_share": 1.0})
    ev = evaluate(w, counts, cov, [], k=3, replicates=999, seed=4)
    d = ev.difference_in_differences["vs_matched"]
    # comparators do not change: DiD = mean programme change
    assert d.estimate == pytest.approx(np.mean(n1[:n_prog] - n0[:n_prog]))
    textbook = np.std(n1[:n_prog] - n0[:n_prog]) / np.sqrt(n_prog)
    assert d.se == pytest.approx(textbook, rel=0.1)
    assert d.low < d.estimate < d.high and d.replicates == 999
    assert "999" in d.method and "200 programme areas" in d.method
    again = evaluate(w, counts, cov, [], k=3, replicates=999, seed=4).difference_in_differences
    assert (again["vs_matched"].low, again["vs_matched"].high) == (d.low, d.high)
    other = evaluate(w, counts, cov, [], k=3, replicates=999, seed=5).difference_in_differences
    assert other["vs_matched"].low != d.low
    # England's change is held fixed: the same spread shifted
    e = ev.difference_in_differences["vs_england"]
    assert e.se == pytest.approx(ev.difference_in_differences["vs_matched"].se, rel=1e-9)


def test_regression_to_the_mean_fools_england_but_not_the_matched_comparison():
    """No programme effect: every LSOA's true rate falls by 3 points. The programme
    takes LSOAs whose *observed* baseline was high, so part of that height was
    noise and they seem to improve more than England; matched on the baseline,
    the comparison sees no effect. (Over 60 seeds: England's DiD -2.06 +- 0.24,
    the matched DiD -0.09 +- 0.29, resampled intervals covering 0 in 97%.)"""
    rng = np.random.default_rng(2024)
    n = 6000
    p = rng.uniform(0.1, 0.6, n)
    den = np.full(n, 150.0)
    n0 = rng.binomial(150, p).astype(float)
    n1 = rng.binomial(150, p - 0.03).astype(float)
    ids = np.arange(n)
    counts = counts_frame(ids, n0, den, n1, den)
    cov = pd.DataFrame({"imd2015_percentile": 100 * (1 - p) + rng.normal(0, 5, n)}, index=ids)
    high = np.flatnonzero(n0 / den >= np.quantile(n0 / den, 0.85))
    chosen = rng.choice(high, size=400, replace=False)
    w = pd.DataFrame({"area_id": np.arange(400) // 2, "lsoa_id": chosen, "pop_share": 1.0})
    fixed = evaluate(w, counts, cov, [], replicates=999, seed=1)
    both = evaluate(w, counts, cov, [], replicates=999, seed=1, resample_matches=True)
    for ev in (fixed, both):
        eng = ev.difference_in_differences["vs_england"]
        assert eng.high < -0.5  # a spurious "improvement" against England
        assert abs(ev.difference_in_differences["vs_matched"].estimate) < 1.0
        assert ev.matched_comparators.balanced
    matched = both.difference_in_differences["vs_matched"]
    assert matched.low < 0 < matched.high  # no effect seen
    # resampling the comparators too widens the interval
    assert matched.se > fixed.difference_in_differences["vs_matched"].se
    assert "matched LSOAs resampled" in matched.method


def test_one_area_gives_no_interval_and_says_so():
    w, counts, cov, adj = small_world()
    one = w[w["area_id"] == 2]
    ev = evaluate(one, counts, cov, adj, k=1, replicates=99)
    d = ev.difference_in_differences["vs_matched"]
    assert math.isnan(d.low) and math.isnan(d.high)
    assert any("one programme area" in n for n in ev.notes)


# ---------------------------------------------------------------------------- errors


def test_errors_say_what_is_wrong():
    w, counts, cov, adj = small_world()
    assert issubclass(EvaluationError, ValueError)
    nodata = counts.copy()
    nodata.loc[["P1", "P2", "P3"], "followup_num"] = np.nan
    with pytest.raises(EvaluationError, match="no LSOA of the programme has data"):
        evaluate(w, nodata, cov, adj)
    with pytest.raises(EvaluationError, match="no LSOA of the programme has data"):
        group_change(w, nodata)
    with pytest.raises(
        EvaluationError, match=r"only 4 eligible comparator LSOAs .*, fewer than k = 5"
    ):
        evaluate(w, counts, cov, adj, k=5)
    with pytest.raises(EvaluationError, match="lacks columns"):
        evaluate(w, counts.drop(columns="baseline_den"), cov, adj)
    with pytest.raises(EvaluationError, match="lack columns"):
        evaluate(w.drop(columns="pop_share"), counts, cov, adj)
    with pytest.raises(EvaluationError, match="positive share"):
        evaluate(w.assign(pop_share=0.0), counts, cov, adj)
    with pytest.raises(EvaluationError, match="k must be at least 1"):
        evaluate(w, counts, cov, adj, k=0)
    nocov = cov.copy()
    nocov.loc[["P1", "P2", "P3"], "x"] = np.nan
    with pytest.raises(EvaluationError, match="covariates"):
        evaluate(w, counts, nocov, adj, k=1)


def test_a_programme_lsoa_without_data_is_left_out_with_a_note():
    w, counts, cov, adj = small_world()
    c = counts.copy()
    c.loc["P2", "baseline_den"] = 0.0  # no households: no rate
    ev = evaluate(w, c, cov, adj, k=1, replicates=0)
    assert ev.programme_group.n_lsoa == 2
    assert ev.programme_group.baseline == pytest.approx(100 * 70 / 300)
    assert any("1 of the programme's 3 LSOAs" in n for n in ev.notes)


def test_baseline_covariates():
    c = baseline_covariates(
        pd.Series({"a": 1.0, "b": 32_845.0 / 2}),
        pd.Series({"a": 2000.0, "b": 0.0}),
        pd.Series({"a": 4.0, "b": 1.0}),
    )
    assert c.loc["a", "imd2015_percentile"] == 0
    assert c.loc["b", "imd2015_percentile"] == pytest.approx(100 * (32_843 / 2) / 32_844)
    assert c.loc["a", "log_density"] == pytest.approx(math.log(500))
    assert math.isnan(c.loc["b", "log_density"])  # nobody lives there: no density
