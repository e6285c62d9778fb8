"""The GP registrations behind the PCNs, as answers cite them.

Every answer naming PCNs derived from registrations carries ``pcn_coverage`` (the
share of the area's population the loaded registrations account for, by the rule
of :mod:`geo.pcn`) and a ``registrations`` block: the extracts (file, extract date,
LSOA geography, practices, patients placed, the ICBs whose practices each
supplies). Below :data:`geo.pcn.PCN_COVERAGE_FLOOR` the list of derived PCNs is
empty and a note says how much the registrations account for and which ICBs
they cover.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from geo.pcn import PCN_COVERAGE_FLOOR, icb_list, listed
from queries.db import sql

#: The ``source`` of PCNs derived from registrations (others: ``icb_supplied``).
DERIVED = "registrations"


async def registrations(conn: AsyncConnection) -> dict[str, Any] | None:
    """The ``registrations`` block: the extracts PCNs were derived from (None if none)."""
    if not (await conn.execute(sql("registration_tables"))).scalar():
        return None
    rows = (await conn.execute(sql("registration_extracts"))).mappings().all()
    if not rows:
        return None
    names: dict[str, str] = {}
    extracts = []
    for r in rows:
        names.update(zip(r["icbs"], r["icb_names"], strict=True))
        extracts.append(
            {
                "file": r["name"],
                "extract_date": r["extract_date"].isoformat(),
                "publication": r["publication"],
                "lsoa_geography": r["lsoa_geography"],
                "geography_from": r["geography_by"],
                "practices": int(r["practices"]),
                "patients_placed": round(float(r["patients_placed"]), 1),
                "pcns": int(r["pcns"]),
                "icbs": list(r["icbs"]),
            }
        )
    return {
        "extracts": extracts,
        "icbs_covered": len(names),
        "icb_names": names,
        "coverage_floor": PCN_COVERAGE_FLOOR,
        "rule": "residents of each LSOA attributed to PCNs in proportion to their "
        "registered patients there, never more residents than patients",
    }


async def national_coverage(conn: AsyncConnection) -> float:
    """The share of England's residents the loaded registrations account for."""
    return float((await conn.execute(sql("registration_national"))).scalar() or 0.0)


def public(block: dict[str, Any] | None) -> dict[str, Any] | None:
    """The block as answers show it (ICB names are kept for notes only)."""
    if block is None:
        return None
    return {k: v for k, v in block.items() if k != "icb_names"}


def covered_icbs(block: dict[str, Any] | None) -> str:
    """The ICBs the loaded registrations cover, for notes and the map."""
    if not block:
        return "no ICB"
    return icb_list(block["icb_names"], block["icb_names"])


def extracts_text(block: dict[str, Any] | None) -> str:
    """'the extract of 2025-10' or 'the extracts of 2025-10 and 2022-07'."""
    if not block:
        return "no extract"
    months = [e["publication"] for e in block["extracts"]]
    return ("the extract of " if len(months) == 1 else "the extracts of ") + " and ".join(months)


def percent(share: float) -> str:
    """A share as a percentage, with two significant digits below 1%.

    >>> percent(0.0000856), percent(0.0321), percent(0.97587)
    ('0.0086%', '3.2%', '97.6%')
    """
    return f"{100 * share:.2g}%" if share < 0.01 else f"{100 * share:.1f}%"


def coverage_note(
    coverage: float,
    population: float,
    block: dict[str, Any] | None,
    *,
    attributed: float,
    pcns: int,
    what: str = "this area's residents",
) -> str | None:
    """The note of an answer whose area the registrations barely reach (None above the
    floor).

    >>> b = {"extracts": [{"publication": "2025-10"}], "icb_names": {"E54000010": "Staffs"}}
    >>> print(coverage_note(0.0000856, 128476, b, attributed=11, pcns=6))
    The loaded GP registrations account for 0.0086% of this area's residents (11 of \
128,476): they hold the practices of Staffs (the extract of 2025-10). PCNs are listed \
where they account for at least 5%; 11 residents are attributed to 6 PCNs elsewhere.
    """
    if listed(coverage):
        return None
    if block is None:
        return "No GP registrations are loaded: PCNs cannot be derived (depmap load pcn)."
    tail = (
        f"; {attributed:,.0f} residents are attributed to {pcns} PCN{'s' * (pcns != 1)} elsewhere."
        if pcns
        else "."
    )
    return (
        f"The loaded GP registrations account for {percent(coverage)} of {what} "
        f"({attributed:,.0f} of {population:,.0f}): they hold the practices of "
        f"{covered_icbs(block)} ({extracts_text(block)}). PCNs are listed where they "
        f"account for at least {100 * PCN_COVERAGE_FLOOR:.0f}%" + tail
    )


def map_note(block: dict[str, Any] | None) -> str:
    """What the map says about its PCN outlines and popups.

    >>> b = {"extracts": [{"publication": "2025-10", "icbs": ["E1"]},
    ...                   {"publication": "2022-07", "icbs": [f"E{i}" for i in range(2, 43)]}],
    ...      "icb_names": {f"E{i}": f"ICB {i}" for i in range(1, 43)}, "icbs_covered": 42}
    >>> print(map_note(b))
    PCN outlines, and PCNs in popups, only where GP registrations are loaded: the \
practices of 42 ICBs (extracts: 2025-10 for ICB 1; 2022-07 for 41 ICBs).
    """
    if not block:
        return "PCNs: no GP registrations are loaded."
    used = [e for e in block["extracts"] if e["icbs"]]
    if len(used) == 1:
        which = f"extract of {used[0]['publication']}"
    else:
        which = "extracts: " + "; ".join(
            f"{e['publication']} for {icb_list(e['icbs'], block['icb_names'], limit=3)}"
            for e in used
        )
    return (
        "PCN outlines, and PCNs in popups, only where GP registrations are loaded: "
        f"the practices of {covered_icbs(block)} ({which})."
    )
