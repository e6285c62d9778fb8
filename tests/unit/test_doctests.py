"""The examples in docstrings run and say what they show (geo/, the core's names, formats)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "geo.comparators",
    "geo.crosswalk",
    "geo.evaluation",
    "geo.measures",
    "geo.neighbourhoods",
    "geo.overlap",
    "geo.pcn",
    "geo.registrations",
    "geo.series",
    "geo.union",
    "depmap.core.names",
    "depmap.core.vocab",
    "queries.formats",
    "queries.geopackage",
    "queries.ogc",
    "queries.registrations",
    "tiles.grid",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    failed, tried = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failed == 0, f"{name}: {failed} of {tried} examples failed"
    assert tried > 0, f"{name} has no examples"
