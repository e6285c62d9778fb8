"""Gi* hotspots on a small grid: where, how significant, and the same every time."""

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from geo.hotspots import getis_ord, neighbours_within

N = 12  # a 12 x 12 grid of units, ids 0..143


def grid():
    pairs = []
    for i in range(N):
        for j in range(N):
            for di, dj in ((0, 1), (1, 0), (1, 1), (1, -1)):
                a, b = i + di, j + dj
                if 0 <= a < N and 0 <= b < N:
                    pairs.append((i * N + j, a * N + b))
    return neighbours_within(list(range(N * N)), pairs)


def values(seed=3):
    rnd = np.random.default_rng(seed)
    v = {k: float(rnd.normal(10, 2)) for k in range(N * N)}
    for i in range(3):  # a deprived corner
        for j in range(3):
            v[i * N + j] += 15
    return v


def test_the_deprived_corner_is_a_hotspot():
    res = getis_ord(values(), grid(), alpha=0.05, permutations=499, seed=1)
    hot = {res.ids[k] for k in np.flatnonzero(res.hot)}
    assert {0, 1, N, N + 1} <= hot
    assert all(res.z[k] > 0 for k in np.flatnonzero(res.hot))
    far = (N - 1) * N + (N - 1)
    assert far not in hot


def test_same_answer_whatever_the_order_and_concurrency():
    nb, v = grid(), values()
    first = getis_ord(v, nb, permutations=199, seed=7)
    keys = list(nb)
    random.Random(0).shuffle(keys)
    shuffled = {k: nb[k] for k in keys}
    again = getis_ord(v, shuffled, permutations=199, seed=7)
    assert np.array_equal(first.p, again.p) and first.ids == again.ids
    # the threads of the service run several at once: esda seeds numpy globally
    with ThreadPoolExecutor(4) as ex:
        runs = list(ex.map(lambda _: getis_ord(v, nb, permutations=199, seed=7), range(8)))
    assert all(np.array_equal(r.p, first.p) for r in runs)


def test_fdr_threshold_is_benjamini_hochberg():
    # 999 permutations: p-values down to 0.001, small enough to pass 0.05 k / 144
    res = getis_ord(values(), grid(), alpha=0.05, fdr=True, permutations=999, seed=2)
    # by hand: the Benjamini-Hochberg critical value k/m * alpha at the largest rank k
    # whose sorted p-value p(k) is below it
    p = np.sort(res.p)
    m = len(p)
    ks = [k + 1 for k in range(m) if p[k] < (k + 1) / m * 0.05]
    assert ks, "the deprived corner should pass the false-discovery-rate bound"
    assert res.threshold == pytest.approx(max(ks) / m * 0.05)
    assert res.hot.sum() > 0 and (res.p[res.hot] <= res.threshold).all()
    plain = getis_ord(values(), grid(), alpha=0.05, permutations=999, seed=2)
    assert res.hot.sum() <= plain.hot.sum()
