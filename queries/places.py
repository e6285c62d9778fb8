"""Where LSOA21s and MSOA21s lie: their MSOA, ward, local authority, sub-ICB and ICB, and
the PCNs their residents are registered with, as columns of an export row.

Each footprint is the one of its kind holding most of the unit's residents (LSOAs lie
whole in every footprint made of whole LSOAs: share 1). PCNs come from the PCNs' own
LSOA weights (``area_lsoa`` rows of kind ``pcn``, share = ``pop_share``), so they follow
whatever rule the PCN loaders store; ``pcn_coverage`` is the share of the unit's residents
that the loaded registrations account for (the sum over PCNs weighted by registrations).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.vocab import PLACE_KINDS
from queries.db import sql

#: PCNs listed per unit: those holding at least this share of its residents, at most MAX_PCNS
#: (registration-based first); CSV_PCNS of them as flat columns.
MIN_PCN_SHARE = 0.01
MAX_PCNS = 5
CSV_PCNS = 3
_FIELDS = ("code", "name", "share")


def place_kinds(unit: str) -> tuple[str, ...]:
    """The footprints a unit of kind ``unit`` is placed in (not its own kind)."""
    return tuple(k for k in PLACE_KINDS if k != unit)


def place_columns(unit: str) -> tuple[str, ...]:
    """The flat columns :func:`places` gives a unit of kind ``unit``."""
    return (
        *(f"{k}_{f}" for k in place_kinds(unit) for f in _FIELDS),
        "pcn_coverage",
        *(f"pcn_{i}_{f}" for i in range(1, CSV_PCNS + 1) for f in _FIELDS),
    )


async def places(conn: AsyncConnection, ids: list[int], unit: str) -> dict[int, dict[str, Any]]:
    """For each unit (area id of an LSOA21 or MSOA21): its :func:`place_columns` and
    ``pcns``, the list of PCNs serving it (code, name, source, share)."""
    kinds = place_kinds(unit)
    out: dict[int, dict[str, Any]] = {
        i: {c: None for c in place_columns(unit)} | {"pcn_coverage": 0.0, "pcns": []} for i in ids
    }
    if not ids:
        return out
    for uid, kind, code, name, share in (
        await conn.execute(sql("unit_places"), {"ids": ids, "kinds": list(kinds)})
    ).all():
        row = out[int(uid)]
        row[f"{kind}_code"], row[f"{kind}_name"] = code, name
        row[f"{kind}_share"] = None if share is None else min(1.0, float(share))
    pcns: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for uid, code, name, basis, source, share in (
        await conn.execute(sql("unit_pcns"), {"ids": ids})
    ).all():
        s = min(1.0, float(share or 0.0))
        if basis == "registrations":
            out[int(uid)]["pcn_coverage"] += s
        pcns[int(uid)].append({"code": code, "name": name, "source": source, "share": s})
    for uid, items in pcns.items():
        items.sort(key=lambda x: (x["source"] != "registrations", -x["share"], x["code"]))
        kept = [x for x in items if x["share"] >= MIN_PCN_SHARE][:MAX_PCNS]
        row = out[uid]
        row["pcn_coverage"] = min(1.0, row["pcn_coverage"])
        row["pcns"] = kept
        for n, x in enumerate(kept[:CSV_PCNS], start=1):
            for f in _FIELDS:
                row[f"pcn_{n}_{f}"] = x[f]
    return out
