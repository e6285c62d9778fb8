"""Reading published tables, and finding their columns by header.

One way to match a header, used by every reader (the loaders' CSVs, the converters
of ``depmap fetch``, programme files): whitespace collapsed and case folded, exactly
or, for a candidate ending in ``*``, by an unambiguous prefix (published headers
drift in both and some are cut short). Every reader raises :class:`LoadError`
naming the file and what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from depmap.core.errors import LoadError


def norm(header: object) -> str:
    """A header with whitespace collapsed and case folded (published headers drift in both)."""
    return " ".join(str(header).split()).casefold()


def find_column(
    headers: Iterable[object], candidates: Sequence[str], source: str, *, required: bool = True
) -> str | None:
    """The header matching a candidate: exactly (normalised), or by prefix for ``'prefix*'``.

    A prefix that matches several headers is an error (the match must be unambiguous).
    """
    hs = [str(h) for h in headers]
    by_norm = {norm(h): h for h in hs}
    for cand in candidates:
        if cand.endswith("*"):
            pre = norm(cand[:-1])
            hits = [h for h in hs if norm(h).startswith(pre)]
            if len(hits) > 1:
                raise LoadError(f"{source}: several columns start with {cand[:-1]!r}: {hits}")
            if hits:
                return hits[0]
        elif norm(cand) in by_norm:
            return by_norm[norm(cand)]
    if required:
        shown = ", ".join(hs[:15]) + (" ..." if len(hs) > 15 else "")
        raise LoadError(
            f"{source}: no column {' or '.join(repr(c) for c in candidates)} "
            f"(the file has: {shown})"
        )
    return None


def read_csv(
    path: Path,
    *,
    required: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
    dtype: Mapping[str, object] | None = None,
    optional: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a CSV and check its header.

    ``required`` are the canonical column names; ``aliases`` maps a canonical
    name to other headers used by the official publication (matched as
    :func:`find_column` does). The result has the canonical names. A missing
    column raises :class:`LoadError` naming it.
    """
    aliases = aliases or {}
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise LoadError(f"{path.name}: not a readable CSV: {e}") from e
    rename: dict[str, str] = {}
    missing: list[str] = []
    for canon in list(required) + list(optional):
        col = find_column(header, [canon, *aliases.get(canon, ())], path.name, required=False)
        if col is not None and col in rename:
            continue
        if col is None:
            if canon in required:
                missing.append(canon)
        else:
            rename[col] = canon
    if missing:
        shown = ", ".join(header[:12]) + (" ..." if len(header) > 12 else "")
        raise LoadError(
            f"{path.name}: wrong header: missing column(s) {', '.join(missing)} "
            f"(the file has: {shown})"
        )
    try:
        df = pd.read_csv(
            path,
            usecols=list(rename),
            encoding="utf-8-sig",
            dtype={k: v for k, v in (dtype or {}).items()}
            | {c: "string" for c in rename if rename[c].endswith("_code")},
            keep_default_na=True,
        )
    except (ValueError, pd.errors.ParserError) as e:
        raise LoadError(f"{path.name}: cannot be parsed: {e}") from e
    return df.rename(columns=rename)


def numeric(df: pd.DataFrame, cols: Sequence[str], source: str) -> pd.DataFrame:
    """Coerce columns to numbers; text that is not a number is an error, empty is missing."""
    for c in cols:
        if pd.api.types.is_numeric_dtype(df[c]):
            continue
        conv = pd.to_numeric(df[c], errors="coerce")
        bad = df[c].notna() & conv.isna() & (df[c].astype("string").str.strip() != "")
        if bad.any():
            ex = df.loc[bad, c].head(3).tolist()
            raise LoadError(f"{source}: column {c} has values that are not numbers, e.g. {ex}")
        df[c] = conv
    return df


def read_table(path: Path) -> pd.DataFrame:
    """A published CSV, every cell as text (UTF-8, with or without BOM, else Windows-1252)."""
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise LoadError(f"{path.name}: not a readable CSV: {e}") from e
    raise LoadError(f"{path.name}: not a readable CSV (neither UTF-8 nor Windows-1252)")


def select(
    df: pd.DataFrame,
    spec: Mapping[str, Sequence[str]],
    source: str,
    optional: Iterable[str] = (),
) -> pd.DataFrame:
    """The columns of ``spec`` (canonical name -> published names) under canonical names."""
    opt = set(optional)
    cols: dict[str, str] = {}
    for canon, cands in spec.items():
        col = find_column(df.columns, cands, source, required=canon not in opt)
        if col is not None:
            cols[canon] = col
    return pd.DataFrame({canon: df[col].to_numpy() for canon, col in cols.items()})


def to_numbers(df: pd.DataFrame, cols: Iterable[str], source: str) -> pd.DataFrame:
    """Numbers from published text (thousands separators allowed; empty is missing)."""
    for c in cols:
        raw = df[c].astype("string").str.strip().str.replace(",", "", regex=False)
        conv = pd.to_numeric(raw.replace("", pd.NA), errors="coerce")
        bad = conv.isna() & raw.fillna("").ne("")
        if bad.any():
            ex = df.loc[bad, c].head(3).tolist()
            raise LoadError(f"{source}: column {c!r} has values that are not numbers, e.g. {ex}")
        df[c] = conv
    return df


def england(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """Rows whose code in ``col`` is English: ``E`` and a digit (drops Welsh ``W`` codes,
    footnotes and placeholders; the full pattern is checked afterwards)."""
    return df[df[col].astype(str).str.strip().str.match(r"E\d")].reset_index(drop=True)
