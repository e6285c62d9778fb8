"""Structured (JSON lines) logging; secrets are never logged."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time

_RESERVED = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
_SECRET = re.compile(r"(://[^:/@\s]+:)([^@\s]+)(@)|((?:token|password|secret)=)([^&\s]+)", re.I)


def redact(s: str) -> str:
    """Hide passwords in DSNs and ``token=``-style values."""
    return _SECRET.sub(
        lambda m: (m.group(1) + "***" + m.group(3)) if m.group(1) else (m.group(4) + "***"), s
    )


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for k, v in record.__dict__.items():
            if k not in _RESERVED and not k.startswith("_"):
                out[k] = redact(v) if isinstance(v, str) else v
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, default=str)


def setup(level: str | None = None) -> None:
    """JSON logs on stderr at ``DEPMAP_LOG_LEVEL`` (default INFO)."""
    lvl = (level or os.environ.get("DEPMAP_LOG_LEVEL") or "INFO").upper()
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_depmap", False):
            root.removeHandler(h)
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(JsonFormatter())
    h._depmap = True  # type: ignore[attr-defined]
    root.addHandler(h)
    root.setLevel(lvl)
    # pyogrio: GDAL's notes on every file written ("Created 1,601 records")
    for noisy in ("uvicorn.access", "pyogrio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
