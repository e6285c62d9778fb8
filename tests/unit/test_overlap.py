"""Overlap arithmetic over LSOA weights."""

import pandas as pd
import pytest

from geo.overlap import overlap_rows, shares


def pairs(rows):
    return pd.DataFrame(
        rows, columns=["b_id", "lsoa_id", "lsoa_area", "a_as", "a_ps", "a_pop", "b_as", "b_ps"]
    )


def test_whole_lsoa_footprints_overlap_exactly():
    p = pairs(
        [
            (7, 1, 100.0, 1, 1, 50.0, 1, 1),
            (7, 2, 200.0, 1, 1, 80.0, 1, 1),
            (8, 3, 300.0, 1, 1, 20.0, 1, 1),
        ]
    )
    o = overlap_rows(p).set_index("b_id")
    assert o.loc[7, "overlap_area_m2"] == 300 and o.loc[7, "population"] == 130
    assert o.loc[8, "overlap_area_m2"] == 300 and o.loc[8, "population"] == 20


def test_a_cut_lsoa_is_apportioned_by_area():
    # A covers 30% of LSOA 1 (so 30% of its 100 people); B holds all of it
    p = pairs([(7, 1, 1000.0, 0.3, 0.3, 30.0, 1, 1)])
    o = overlap_rows(p).iloc[0]
    assert o["overlap_area_m2"] == pytest.approx(300)
    assert o["population"] == pytest.approx(30)


def test_both_cut_needs_the_triple_intersection():
    p = pairs([(7, 1, 1000.0, 0.5, 0.5, 50.0, 0.4, 0.4)])
    o = overlap_rows(p, both_cut_area={(7, 1): 100.0}).iloc[0]
    assert o["overlap_area_m2"] == pytest.approx(100)
    assert o["population"] == pytest.approx(50 * 100 / 500)


def test_registration_weights_spread_over_the_lsoa():
    # B (a PCN) has 25% of the LSOA's registered patients; A holds all its residents
    p = pairs([(9, 1, 1000.0, 1, 1, 400.0, 0, 0.25)])
    o = overlap_rows(p, b_registrations=pd.Series({9: True})).iloc[0]
    assert o["population"] == pytest.approx(100)
    assert o["overlap_area_m2"] == 0


def test_shares():
    o = pd.DataFrame({"b_id": [1], "overlap_area_m2": [50.0], "population": [25.0]})
    s = shares(o, 200.0, 100.0, pd.Series({1: 500.0})).iloc[0]
    assert (s["share_of_area"], s["share_of_other_area"], s["share_of_population"]) == (
        0.25,
        0.1,
        0.25,
    )
