"""Overlap arithmetic over LSOA weights."""

import numpy as np
import pytest

from geo.overlap import overlap_rows, shares


def pairs(rows):
    return np.array(rows, dtype=float)


def by_b(o):
    return {int(b): (a, p) for b, a, p in zip(o.b_id, o.overlap_area_m2, o.population, strict=True)}


def test_whole_lsoa_footprints_overlap_exactly():
    p = pairs(
        [
            (7, 1, 100.0, 1, 1, 50.0, 1, 1),
            (7, 2, 200.0, 1, 1, 80.0, 1, 1),
            (8, 3, 300.0, 1, 1, 20.0, 1, 1),
        ]
    )
    o = by_b(overlap_rows(p))
    assert o[7] == (300, 130)
    assert o[8] == (300, 20)


def test_a_cut_lsoa_is_apportioned_by_area():
    # A covers 30% of LSOA 1 (so 30% of its 100 people); B holds all of it
    o = by_b(overlap_rows(pairs([(7, 1, 1000.0, 0.3, 0.3, 30.0, 1, 1)])))
    assert o[7] == pytest.approx((300, 30))


def test_both_cut_needs_the_triple_intersection():
    p = pairs([(7, 1, 1000.0, 0.5, 0.5, 50.0, 0.4, 0.4)])
    o = by_b(overlap_rows(p, both_cut_area={(7, 1): 100.0}))
    assert o[7] == pytest.approx((100, 50 * 100 / 500))


def test_registration_weights_spread_over_the_lsoa():
    # B (a PCN) has 25% of the LSOA's registered patients; A holds all its residents
    p = pairs([(9, 1, 1000.0, 1, 1, 400.0, 0, 0.25)])
    o = by_b(overlap_rows(p, b_registrations=np.array([True])))
    assert o[9] == pytest.approx((0, 100))


def test_shares():
    o = overlap_rows(pairs([(1, 1, 50.0, 1, 1, 25.0, 1, 1)]))
    s = shares(o, 200.0, 100.0, np.array([500.0]))
    assert (s["share_of_area"][0], s["share_of_other_area"][0], s["share_of_population"][0]) == (
        0.25,
        0.1,
        0.25,
    )
