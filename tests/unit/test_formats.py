"""JSON rendering: what is not JSON (NaN, infinities) becomes null, at any depth."""

from __future__ import annotations

import json

import numpy as np

from queries.formats import dumps, to_csv


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


def test_csv_cells_are_plain_numbers() -> None:
    """Found by a newcomer: numpy floats were written as ``np.float64(58.874)``."""
    rows = [
        {
            "a": np.float64(58.874),
            "b": 1706.0,
            "c": np.int64(3),
            "d": float("nan"),
            "e": None,
            "f": 0.1 + 0.2,
            "g": np.float32(0.5),
            "h": True,
            "i": "=SUM(A1)",
            "j": -2.5,
            "k": 0.99999999999,
        }
    ]
    assert to_csv(rows, list(rows[0])).splitlines() == [
        "a,b,c,d,e,f,g,h,i,j,k",
        "58.874,1706,3,,,0.3,0.5,true,'=SUM(A1),-2.5,1",
    ]
