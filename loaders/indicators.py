"""The indicator catalogue and its values per LSOA21."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from depmap.core.errors import LoadError
from loaders.base import LoadContext, copy_binary, copy_frame, temp_table
from sources.codes import check_codes


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the catalogue and where its values are in a frame.

    ``value``/``rank``/``decile`` name columns of the frame handed to
    :func:`write_indicators` (``None`` when not published).
    """

    code: str
    label: str
    domain: str
    source: str
    vintage: str
    unit: str
    higher_is_worse: bool | None
    value: str | None
    rank: str | None = None
    decile: str | None = None
    extensive: bool = False
    geography: str = "lsoa21"
    description: str = ""


def align_to_lsoas(
    ctx: LoadContext, codes: pd.Series, source: str, *, complete: bool = True
) -> np.ndarray:
    """area ids of the LSOA21 codes of a table, checking they are the loaded LSOAs."""
    check_codes(codes, kind="lsoa21", source=source)
    ids = ctx.require_lsoas()
    mapped = codes.map(ids)
    unknown = codes[mapped.isna()]
    if len(unknown):
        raise LoadError(
            f"{source}: {len(unknown):,} LSOA21 codes are not among the loaded LSOA21 "
            f"boundaries, e.g. {', '.join(unknown.head(5))}"
        )
    if complete and len(codes) != len(ids):
        missing = sorted(set(ids) - set(codes))
        raise LoadError(
            f"{source}: {len(missing):,} LSOA21s have no row, e.g. {', '.join(missing[:5])}"
        )
    return mapped.to_numpy(dtype=np.int64)


#: Columns of ``indicator`` besides its id, in the order :func:`catalogue_frame` writes them.
CATALOGUE_COLUMNS = (
    "code",
    "label",
    "domain",
    "source",
    "vintage",
    "unit",
    "higher_is_worse",
    "extensive",
    "geography",
    "description",
)

Columns = dict[str, tuple[str, np.ndarray]]


def catalogue_frame(specs: Sequence[IndicatorSpec]) -> pd.DataFrame:
    """The ``indicator`` rows of ``specs`` (a description defaults to the label)."""
    return pd.DataFrame(
        [
            (
                *(getattr(s, c) for c in CATALOGUE_COLUMNS[:-1]),
                s.description or s.label,
            )
            for s in specs
        ],
        columns=list(CATALOGUE_COLUMNS),
    )


def value_batches(
    spec: IndicatorSpec, frame: pd.DataFrame, lsoa_ids: np.ndarray, indicator_id: int
) -> Iterator[Columns]:
    """The ``indicator_value`` rows of one indicator, as NULL-free column batches for
    :func:`~loaders.base.copy_binary`: one batch per pattern of missing fields (an LSOA
    with a value but no rank goes in another batch than one with both)."""
    cols: Columns = {}
    for fld, src, pgtype in (
        ("value", spec.value, "float8"),
        ("rank", spec.rank, "float8"),
        ("decile", spec.decile, "int2"),
    ):
        if src is not None:
            cols[fld] = (pgtype, pd.to_numeric(frame[src], errors="coerce").to_numpy(float))
    if not cols:
        return
    present = np.column_stack([~np.isnan(v) for _, v in cols.values()])
    patterns, inverse = np.unique(present, axis=0, return_inverse=True)
    for k, pat in enumerate(patterns):
        if not pat.any():
            continue
        rows_k = inverse.ravel() == k
        batch: Columns = {
            "indicator_id": ("int4", np.full(int(rows_k.sum()), indicator_id, dtype=np.int32)),
            "lsoa_id": ("int8", lsoa_ids[rows_k]),
        }
        for (fld, (pgtype, v)), keep in zip(cols.items(), pat, strict=True):
            if keep:
                vv = v[rows_k]
                batch[fld] = (pgtype, np.round(vv).astype(np.int16) if pgtype == "int2" else vv)
        yield batch


def replace_catalogue(conn: Connection, prefix: str, cat: pd.DataFrame) -> dict[str, int]:
    """Make the indicators whose code starts with ``prefix`` exactly those of ``cat``
    (others of the prefix go with their values); their ids by code, values emptied."""
    temp_table(
        conn,
        "tmp_indicator",
        "code text, label text, domain text, source text, vintage text, unit text, "
        "higher_is_worse boolean, extensive boolean, geography text, description text",
    )
    copy_frame(conn, "tmp_indicator", cat)
    conn.execute(text("ANALYZE tmp_indicator"))
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    gone = [
        int(i)
        for (i,) in conn.execute(
            text(
                "SELECT i.id FROM indicator i WHERE i.code LIKE :like "
                "AND NOT EXISTS (SELECT 1 FROM tmp_indicator t WHERE t.code = i.code)"
            ),
            {"like": like},
        )
    ]
    if gone:
        conn.execute(
            text("DELETE FROM indicator_value WHERE indicator_id = ANY(:ids)"), {"ids": gone}
        )
        conn.execute(text("DELETE FROM indicator WHERE id = ANY(:ids)"), {"ids": gone})
    rows = conn.execute(
        text(
            """
            INSERT INTO indicator (code, label, domain, source, vintage, unit,
                                   higher_is_worse, extensive, geography, description)
            SELECT * FROM tmp_indicator
            ON CONFLICT (code) DO UPDATE SET label = excluded.label,
                domain = excluded.domain, source = excluded.source,
                vintage = excluded.vintage, unit = excluded.unit,
                higher_is_worse = excluded.higher_is_worse, extensive = excluded.extensive,
                geography = excluded.geography, description = excluded.description
            RETURNING code, id
            """
        )
    )
    ids = {c: int(i) for c, i in rows}
    conn.execute(
        text("DELETE FROM indicator_value WHERE indicator_id = ANY(:ids)"),
        {"ids": list(ids.values())},
    )
    return ids


def write_indicators(
    ctx: LoadContext,
    *,
    prefix: str,
    specs: Sequence[IndicatorSpec],
    frame: pd.DataFrame,
    lsoa_ids: np.ndarray,
) -> int:
    """Replace every indicator whose code starts with ``prefix`` by ``specs``.

    ``frame`` rows align with ``lsoa_ids``. Returns the number of values written.
    """
    for s in specs:
        if not s.code.startswith(prefix):
            raise ValueError(f"indicator {s.code} does not start with {prefix}")
    ids = replace_catalogue(ctx.conn, prefix, catalogue_frame(specs))
    lsoa_ids = np.asarray(lsoa_ids, dtype=np.int64)
    written = 0
    for s in specs:
        for batch in value_batches(s, frame, lsoa_ids, ids[s.code]):
            written += copy_binary(ctx.conn, "indicator_value", batch)
    return written
