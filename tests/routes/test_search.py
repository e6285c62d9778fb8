"""Searching areas (``/areas?q=``, the map's search box): an exact name or code first, then
larger kinds before smaller ones (2011 LSOAs last), then names starting with the text before
names only containing it."""

from __future__ import annotations

import pytest

from depmap.core.vocab import SEARCH_ORDER

pytestmark = [pytest.mark.db, pytest.mark.data]


def search(client, q: str, **params: object) -> list[dict]:
    r = client.get("/areas", params={"q": q, "limit": 1000, **params})
    assert r.status_code == 200, r.text
    return r.json()["areas"]


def test_liverpool_finds_the_city_first_and_2011_lsoas_last(client):
    areas = search(client, "Liverpool")
    assert areas[0]["code"] == "E08000012" and areas[0]["kind"] == "ltla"
    kinds = [a["kind"] for a in areas]
    assert "lsoa11" in kinds and "lsoa21" in kinds
    # every 2021 LSOA and MSOA comes before the first 2011 LSOA
    first_lsoa11 = kinds.index("lsoa11")
    assert all(k == "lsoa11" for k in kinds[first_lsoa11:])
    assert kinds.index("msoa21") < kinds.index("lsoa21") < first_lsoa11


def test_after_exact_matches_larger_kinds_come_first_then_prefix_then_contains(client):
    areas = search(client, "Liverpool")
    rest = [a for a in areas if a["name"].lower() != "liverpool"]
    order = [SEARCH_ORDER.index(a["kind"]) for a in rest]
    assert order == sorted(order)
    for kind in {a["kind"] for a in rest}:
        starts = [a["name"].lower().startswith("liverpool") for a in rest if a["kind"] == kind]
        assert starts == sorted(starts, reverse=True), kind  # all prefixes, then the others


def test_exact_name_beats_a_larger_kind_and_a_code_is_exact_too(client):
    # "Halton" is a local authority; Halton wards, MSOAs and LSOAs follow
    areas = search(client, "Halton")
    assert areas[0]["code"] == "E06000006"
    # an MSOA's exact name comes before the ICBs and LSOAs that merely contain it
    areas = search(client, "Liverpool 056")
    assert (areas[0]["kind"], areas[0]["name"]) == ("msoa21", "Liverpool 056")
    assert search(client, "E54000008")[0]["kind"] == "icb"
