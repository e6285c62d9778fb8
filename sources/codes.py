"""GSS codes: the pattern of each kind, and checking a column of them."""

from __future__ import annotations

import pandas as pd

from depmap.core.errors import LoadError
from depmap.core.vocab import GSS_PATTERNS


def check_codes(codes: pd.Series, *, kind: str, source: str, require_england: bool = True) -> None:
    """GSS codes: present, unique, of the right kind and English."""
    if codes.isna().any():
        raise LoadError(f"{source}: {int(codes.isna().sum())} rows have no {kind} code")
    pattern = GSS_PATTERNS.get(kind)
    if pattern:
        s = codes.astype(str)
        not_england = s[~s.str.startswith("E")]
        if require_england and len(not_england):
            ex = ", ".join(not_england.head(5))
            raise LoadError(
                f"{source}: {len(not_england):,} codes are not in England "
                f"(e.g. {ex}); load English {kind} codes only"
            )
        wrong = s[~s.str.fullmatch(pattern)]
        if len(wrong):
            ex = ", ".join(wrong.head(5))
            raise LoadError(
                f"{source}: {len(wrong):,} values are not {kind} codes ({pattern}), e.g. {ex}"
            )
    dup = codes[codes.duplicated()]
    if len(dup):
        raise LoadError(
            f"{source}: duplicate {kind} codes: {', '.join(map(str, dup.unique()[:5]))}"
        )
