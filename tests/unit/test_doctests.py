"""The examples in the docstrings of the pure computations run and give what they say
(the documentation's Methods page points at them)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "geo.measures",
    "geo.overlap",
    "geo.crosswalk",
    "geo.pcn",
    "geo.comparators",
    "queries.ogc",
    "queries.formats",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    res = doctest.testmod(importlib.import_module(name))
    assert res.attempted > 0 and res.failed == 0, res
