"""Which areas of a kind an area overlaps, with area and population shares.

For ``kind=pcn`` the answer also says how much of the area's population the loaded GP
registrations account for (``pcn_coverage``, by the rule of :mod:`geo.pcn`), which
extracts they are (``registrations``), and for each PCN where it comes from and the
share of its patients living in the area; below the coverage floor it lists no PCN
derived from registrations and a ``note`` says why.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from geo.overlap import WHOLE, overlap_rows, shares
from geo.pcn import listed
from queries.areas import Area
from queries.db import sql
from queries.directory import AreaDirectory
from queries.registrations import DERIVED, coverage_note, public, registrations

COLUMNS = (
    "code",
    "name",
    "kind",
    "programme",
    "overlap_area_m2",
    "share_of_area",
    "share_of_other_area",
    "population",
    "share_of_population",
)
#: What PCN overlaps add: where each PCN comes from, the share of its patients living in
#: the area, and (repeated on each row of the CSV) the area's coverage.
PCN_COLUMNS = ("source", "extract_date", "pcn_patients", "share_of_pcn_patients", "pcn_coverage")
#: What an answer naming PCNs adds at its top level.
PCN_ANSWER = ("pcn_coverage", "registrations", "note")


def columns(kind: str) -> tuple[str, ...]:
    """The CSV columns of the overlaps of ``kind``."""
    return COLUMNS + PCN_COLUMNS if kind == "pcn" else COLUMNS


async def overlaps(
    conn: AsyncConnection,
    area: Area,
    kind: str,
    min_share: float = 0.0,
    areas: AreaDirectory | None = None,
) -> dict[str, Any]:
    """The areas of ``kind`` that ``area`` overlaps (see :mod:`geo.overlap`).

    ``min_share`` keeps overlaps holding at least that share of the area's area
    or of its population. ``areas`` names them (read now if not given).
    """
    if areas is None:
        areas = await AreaDirectory.read(conn)
    query = "overlap_pairs_lsoa21" if kind == "lsoa21" else "overlap_pairs"
    rows = (await conn.execute(sql(query), {"area_id": area.id, "kind": kind})).all()
    items: list[dict[str, Any]] = []
    pcn: dict[str, Any] = {}
    if rows:
        # columns: b_id, lsoa_id, then A's and B's shares (PAIR_COLUMNS without the
        # LSOA's area, which the directory gives). Transposed once, in C: numpy would
        # probe every Row for array interfaces.
        cols = list(zip(*rows, strict=True))
        raw = np.array(cols, dtype=float)
        lsoa_ids = raw[1].astype(np.int64)
        pairs = np.column_stack([raw[0], raw[1], areas.named(lsoa_ids).area_m2, *raw[2:]])
        b_col = raw[0].astype(np.int64)
        # B's attributes, once per B, in the order of overlap_rows' answer (sorted ids)
        b_ids = np.unique(b_col)
        b = areas.named(b_ids)
        b_reg = (b.weight_basis == "registrations")[np.searchsorted(b_ids, b_col)]
        tri: dict[tuple[int, int], float] = {}
        # both cut the LSOA geometrically: the only overlaps that need geometry
        both_cut = (
            (pairs[:, 3] < WHOLE)
            & (pairs[:, 6] < WHOLE)
            & (b.weight_basis == "area")[np.searchsorted(b_ids, b_col)]
        )
        if both_cut.any() and area.weight_basis == "area":
            k = np.flatnonzero(both_cut)
            res = await conn.execute(
                sql("triple_intersection"),
                {
                    "area_id": area.id,
                    "b_ids": b_col[k].tolist(),
                    "lsoa_ids": lsoa_ids[k].tolist(),
                },
            )
            tri = {(int(bb), int(lsoa)): float(a) for bb, lsoa, a in res}
        o = overlap_rows(
            pairs,
            b_registrations=b_reg,
            a_registrations=area.weight_basis == "registrations",
            both_cut_area=tri,
        )
        sh = shares(o, area.area_m2, area.population, b.area_m2)
        keep = (o.overlap_area_m2 > 0) | (o.population > 0)
        if kind == "pcn":
            pcn = _pcn_extras(area, o, b_ids, b, areas, keep)
            keep &= pcn["keep"]
        if min_share > 0:
            keep &= (sh["share_of_area"] >= min_share) | (sh["share_of_population"] >= min_share)
        # largest population share first, then area share, then code
        order = np.lexsort((b.code.astype(str), -sh["share_of_area"], -sh["share_of_population"]))
        order = order[keep[order]]
        items = [
            dict(zip(COLUMNS, values, strict=True))
            for values in zip(
                b.code[order].tolist(),
                b.name[order].tolist(),
                b.kind[order].tolist(),
                b.programme[order].tolist(),
                [round(a, 2) for a in o.overlap_area_m2[order].tolist()],
                sh["share_of_area"][order].tolist(),
                sh["share_of_other_area"][order].tolist(),
                o.population[order].tolist(),
                sh["share_of_population"][order].tolist(),
                strict=True,
            )
        ]
        if kind == "pcn":
            for item, i in zip(items, order.tolist(), strict=True):
                derived = pcn["source"][i] == DERIVED
                item["source"] = pcn["source"][i]
                item["extract_date"] = pcn["extract_date"][i]
                item["pcn_patients"] = float(o.other_population[i]) if derived else None
                item["share_of_pcn_patients"] = (
                    float(o.other_population[i] / b.population[i])
                    if derived and b.population[i] > 0
                    else None
                )
                item["pcn_coverage"] = pcn["coverage"]
    out: dict[str, Any] = {
        "area": {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "area_m2": area.area_m2,
            "population": area.population,
            "population_basis": area.population_basis,
        },
        "kind": kind,
        "min_share": min_share,
        "population_basis": area.population_basis,
        "count": len(items),
        "overlaps": items,
    }
    if kind == "pcn":
        out.update(await pcn_summary(conn, area, pcn))
    return out


def _pcn_extras(
    area: Area, o: Any, b_ids: np.ndarray, b: Any, areas: AreaDirectory, keep: np.ndarray
) -> dict[str, Any]:
    """Coverage of the area by the PCNs derived from registrations, and per PCN its
    source and extract; which PCNs are listed (none derived below the floor)."""
    source = areas.property_values(b_ids, "source", DERIVED)
    is_derived = np.array([s == DERIVED for s in source], dtype=bool) & (
        b.weight_basis == "registrations"
    )
    attributed = float(o.population[is_derived].sum())
    coverage = attributed / area.population if area.population > 0 else 0.0
    return {
        "coverage": min(coverage, 1.0),
        "attributed": attributed,
        "pcns": int((is_derived & keep).sum()),
        "source": source,
        "extract_date": areas.property_values(b_ids, "extract_date"),
        "keep": ~is_derived | listed(coverage),
    }


async def pcn_summary(conn: AsyncConnection, area: Area, pcn: dict[str, Any]) -> dict[str, Any]:
    """``pcn_coverage``, ``registrations`` and ``note`` of an answer naming PCNs."""
    block = await registrations(conn)
    coverage = float(pcn.get("coverage", 0.0))
    return {
        "pcn_coverage": coverage,
        "registrations": public(block),
        "note": coverage_note(
            coverage,
            area.population,
            block,
            attributed=float(pcn.get("attributed", 0.0)),
            pcns=int(pcn.get("pcns", 0)),
        ),
    }
