"""Where LSOA21s and MSOA21s lie: their MSOA, ward, local authority, sub-ICB and ICB, and
the PCNs their residents are registered with, as columns of an export row.

Each footprint is the one of its kind holding most of the unit's residents (LSOAs lie
whole in every footprint made of whole LSOAs: share 1). PCNs come from the PCNs' own
LSOA weights (``area_lsoa`` rows of kind ``pcn``, share = ``pop_share``), so they follow
the one attribution rule of :mod:`geo.pcn` (never more residents than patients);
``pcn_coverage`` is the share of the unit's residents that the loaded registrations account
for (the sum over PCNs weighted by registrations). Below the rule's coverage floor a unit
lists no PCN derived from registrations (as ``/areas/{id}/overlaps?kind=pcn``);
``pcn_extracts`` names the extract dates of the PCNs listed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.vocab import PLACE_KINDS
from geo.pcn import listed
from queries.db import sql
from queries.directory import AreaDirectory
from queries.registrations import DERIVED

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
        "pcn_extracts",
        *(f"pcn_{i}_{f}" for i in range(1, CSV_PCNS + 1) for f in _FIELDS),
    )


async def places(
    conn: AsyncConnection, ids: list[int], unit: str, areas: AreaDirectory
) -> dict[int, dict[str, Any]]:
    """For each unit (area id of an LSOA21 or MSOA21): its :func:`place_columns` and
    ``pcns``, the list of PCNs serving it (code, name, source, extract_date, share)."""
    kinds = place_kinds(unit)
    out: dict[int, dict[str, Any]] = {
        i: {c: None for c in place_columns(unit)} | {"pcn_coverage": 0.0, "pcns": []} for i in ids
    }
    if not ids:
        return out
    # (unit, kind, place, share of the unit's residents)
    found: list[tuple[int, str, int, float | None]] = []
    if unit == "lsoa21":  # an LSOA lies in an area as that area's share of it
        res = await conn.execute(sql("unit_places_lsoa21"), {"ids": ids, "kinds": [*kinds, "pcn"]})
        found = [(int(u), k, int(p), share) for u, k, p, share in res]
    else:  # the residents of the unit's LSOAs each area holds, over the unit's
        res = await conn.execute(sql("unit_places"), {"ids": ids, "kinds": [*kinds, "pcn"]})
        rows = [(int(u), k, int(p), r) for u, k, p, r in res]
        if rows:
            pop = areas.named(np.array([u for u, *_ in rows], dtype=np.int64)).population
            found = [
                (u, k, p, None if r is None or n == 0 else float(r) / float(n))
                for (u, k, p, r), n in zip(rows, pop.tolist(), strict=True)
            ]
    if not found:
        return out
    place_ids = np.array([p for _, _, p, _ in found], dtype=np.int64)
    named = areas.named(place_ids)
    # each PCN's source and extract, read once for the whole answer
    sources = iter(areas.property_values(place_ids[named.kind == "pcn"], "source", DERIVED))
    extracts = iter(areas.property_values(place_ids[named.kind == "pcn"], "extract_date"))
    best: dict[tuple[int, str], tuple[float, str, str]] = {}
    pcns: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (uid, kind, _pid, share), code, name, basis in zip(
        found, named.code.tolist(), named.name.tolist(), named.weight_basis.tolist(), strict=True
    ):
        if kind == "pcn":
            s = min(1.0, float(share or 0.0))
            if basis == "registrations":
                out[uid]["pcn_coverage"] += s
            pcns[uid].append(
                {
                    "code": code,
                    "name": name,
                    "source": next(sources),
                    "extract_date": next(extracts),
                    "share": s,
                }
            )
            continue
        # the area of each kind holding most of the unit's residents (then by code)
        key, s = (uid, kind), -1.0 if share is None else float(share)
        held = best.get(key)
        if held is None or s > held[0] or (s == held[0] and code < held[1]):
            best[key] = (s, code, name)
    for (uid, kind), (s, code, name) in best.items():
        row = out[uid]
        row[f"{kind}_code"], row[f"{kind}_name"] = code, name
        row[f"{kind}_share"] = None if s < 0 else min(1.0, s)
    for uid, items in pcns.items():
        row = out[uid]
        row["pcn_coverage"] = min(1.0, row["pcn_coverage"])
        if not listed(row["pcn_coverage"]):  # the registrations barely reach it
            items = [x for x in items if x["source"] != DERIVED]
        items.sort(key=lambda x: (x["source"] != DERIVED, -x["share"], x["code"]))
        kept = [x for x in items if x["share"] >= MIN_PCN_SHARE][:MAX_PCNS]
        row["pcns"] = kept
        row["pcn_extracts"] = "; ".join(
            sorted({x["extract_date"] for x in kept if x["extract_date"]}, reverse=True)
        )
        for n, x in enumerate(kept[:CSV_PCNS], start=1):
            for f in _FIELDS:
                row[f"pcn_{n}_{f}"] = x[f]
    return out
