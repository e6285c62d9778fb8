"""JSON rendering: what is not JSON (NaN, infinities) becomes null, at any depth."""

from __future__ import annotations

import json

import numpy as np

from queries.formats import dumps


def test_nan_and_infinities_are_null_at_any_depth() -> None:
    body = {
        "a": float("nan"),
        "b": [1.5, float("inf"), {"c": -float("inf")}],
        "d": (float("nan"), 2),
        "e": np.array([np.nan, 0.25, np.inf]),
        "f": np.float64("nan"),
        "g": np.float32(np.inf),
        "h": {1: np.int64(7)},
    }
    assert json.loads(dumps(body)) == {
        "a": None,
        "b": [1.5, None, {"c": None}],
        "d": [None, 2],
        "e": [None, 0.25, None],
        "f": None,
        "g": None,
        "h": {"1": 7},
    }
