"""Rendering answers as JSON, CSV or GeoJSON."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import orjson


def _default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps(content: Any) -> bytes:
    """JSON bytes. NaN and infinities are not JSON: orjson writes them as null (Python
    and numpy floats alike), in C, so answers need no walk in Python to clean them.

    >>> dumps({"a": float("nan"), "b": [float("inf"), 1.5]})
    b'{"a":null,"b":[null,1.5]}'
    """
    return orjson.dumps(
        content, default=_default, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    )


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    r"""The one CSV writer of depmap (API ``format=csv`` and the CLI's ``--format csv``).

    Cells are plain text a spreadsheet or ``csv``/pandas reads as numbers: numpy scalars
    become Python numbers, whole numbers are written without a decimal point (``1601``,
    not ``1601.0``), other floats with up to 10 decimals, never in a Python ``repr``; a
    missing value or NaN is an empty cell; lists and dicts are JSON; text that a
    spreadsheet would run as a formula is quoted with ``'``.

    >>> import numpy as np
    >>> to_csv([{"a": np.float64(58.874), "b": 1706.0, "c": None, "d": "=1+1"}], "abcd")
    "a,b,c,d\n58.874,1706,,'=1+1\n"
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def _cell(v: Any) -> Any:
    if isinstance(v, np.generic):  # numpy scalars (np.float64 is a float: repr says so)
        v = v.item()
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        v = round(v, 10)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, list | dict):
        return orjson.dumps(v).decode()
    text = str(v)
    # keep spreadsheet applications from running formulas found in names
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def feature_collection(features: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, **extra}
