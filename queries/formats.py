"""Rendering answers as JSON, CSV or GeoJSON."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

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
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        return repr(round(v, 10))
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
