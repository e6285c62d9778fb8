"""Programmes (Big Local and others): the list, and one programme's summary table."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import UnknownProgramme
from depmap.core.names import programme_slug
from depmap.core.vocab import DOMAINS, FOOTPRINT_KINDS, HEALTH_COLUMNS, RANKING_MEASURES
from geo.pcn import listed
from queries.db import sql
from queries.registrations import DERIVED, coverage_note, public, registrations
from queries.workbook import Sheet

#: PCNs listed per area: those holding at least this share of its residents, at most MAX_PCNS.
MIN_PCN_SHARE = 0.01
MAX_PCNS = 5
CSV_PCNS = 3

SUMMARY_COLUMNS: tuple[str, ...] = (
    "code",
    "source_code",
    "name",
    "population",
    "population_basis",
    "area_km2",
    *RANKING_MEASURES,
    "rank_in_programme",
    *[f"{d}_average_score" for d in DOMAINS if d != "imd"],
    *[c for c in HEALTH_COLUMNS if c != "health_score"],
    "cni_score",
    "left_behind_share",
    *[f"{k}_{f}" for k in FOOTPRINT_KINDS for f in ("code", "name", "share")],
    "pcn_coverage",
    "pcn_note",
    "pcn_extracts",
    *[f"pcn_{i}_{f}" for i in range(1, CSV_PCNS + 1) for f in ("code", "name", "share")],
)

#: The columns of the PCN sheet of a summary workbook: every PCN listed for each area.
PCN_COLUMNS: tuple[str, ...] = (
    "area_code",
    "area_name",
    "pcn_code",
    "pcn_name",
    "source",
    "extract_date",
    "population_basis",
    "share_of_residents",
    "share_of_pcn_patients",
)

METHOD = (
    "IoD 2025 summary measures of the imd domain (average_score ... local_concentration) and "
    "every domain's population-weighted average score, over each area's LSOA21 weights "
    "(area-weighted inside LSOAs a drawn boundary cuts); rank_in_programme: 1 = highest "
    "average score in the programme. Health indicators population-weighted. ICB, sub-ICB and "
    "local authority: the one holding the largest share of the area's residents. PCNs, by "
    "the one rule of /areas/{id}/overlaps?kind=pcn: share_of_residents = the area's "
    "residents attributed to the PCN (each LSOA's residents in proportion to the PCNs' "
    "registered patients there, never more residents than patients); "
    "share_of_pcn_patients = the PCN's registered patients living in the area over all its "
    "patients; pcn_coverage = the share of the area's residents the loaded registrations "
    "account for; below 5% no PCN derived from registrations is listed and pcn_note says "
    "why. The extracts are in `registrations`."
)


async def list_programmes(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = (await conn.execute(sql("programme_list"))).mappings().all()
    return [
        {
            "name": r["name"],
            "slug": programme_slug(r["name"]),
            "areas": int(r["areas"]),
            "population": float(r["population"] or 0),
            "population_basis": r["population_basis"],
            "area_km2": round(float(r["area_m2"] or 0) / 1e6, 3),
            "source_file": r["source_file"],
            "format": r["format"],
            "loaded_at": r["loaded_at"].isoformat() if r["loaded_at"] else None,
            "links": {"summary": f"/programmes/{programme_slug(r['name'])}/summary"},
        }
        for r in rows
    ]


async def find_programme(conn: AsyncConnection, name: str) -> str:
    """The programme called ``name`` (or whose slug is ``name``), or :class:`UnknownProgramme`."""
    names = [r[0] for r in (await conn.execute(sql("programme_names"))).all()]
    want = name.strip()
    for n in names:
        if n == want:
            return str(n)
    for n in names:
        if n.lower() == want.lower() or programme_slug(n) == programme_slug(want):
            return str(n)
    known = ", ".join(sorted(names)) or "none is loaded"
    raise UnknownProgramme(f"no programme named {name!r} (programmes: {known})", programme=name)


def _pcn_items(
    rows: list[Any], population: float, block: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], float, str | None]:
    """The PCNs listed for one area (rows of ``programme_pcns``; the floor of
    :mod:`geo.pcn` applied), its coverage and note."""
    # (sort key, row, share) of the PCNs holding enough of its residents to be listed: the
    # many PCNs with a handful of its residents only count towards the coverage
    candidates: list[tuple[tuple[bool, float, str], Any, float]] = []
    coverage = attributed = 0.0
    derived = 0
    for r in rows:
        residents = float(r.residents or 0.0)
        share = residents / population if population > 0 else 0.0
        is_derived = r.source == DERIVED
        if is_derived:
            coverage += share
            attributed += residents
            derived += 1
        if share >= MIN_PCN_SHARE:
            candidates.append(((not is_derived, -share, r.code), r, share))
    coverage = min(coverage, 1.0)
    note = None
    if not listed(coverage):
        note = coverage_note(coverage, population, block, attributed=attributed, pcns=derived)
        candidates = [c for c in candidates if c[1].source != DERIVED]
    candidates.sort(key=lambda c: c[0])
    kept = [
        {
            "code": r.code,
            "name": r.name,
            "source": r.source,
            "extract_date": r.extract_date,
            "population_basis": r.population_basis,
            "share_of_residents": share,
            "share_of_pcn_patients": (
                float(r.patients) / float(r.pcn_population) if r.pcn_population else None
            ),
        }
        for _, r, share in candidates[:MAX_PCNS]
    ]
    return kept, coverage, note


async def programme_summary(conn: AsyncConnection, name: str) -> dict[str, Any]:
    """Every area of the programme with its measures, health, footprints and PCNs."""
    programme = await find_programme(conn, name)
    p = {"programme": programme}
    areas = pd.DataFrame(
        [dict(r) for r in (await conn.execute(sql("programme_areas"), p)).mappings()]
    )
    foot = pd.DataFrame(
        (
            await conn.execute(sql("programme_footprints"), {**p, "kinds": list(FOOTPRINT_KINDS)})
        ).all(),
        columns=["area_id", "kind", "code", "name", "share"],
    )
    # plain rows grouped by area: a pandas group per area costs more than the query
    by_area_pcn: dict[int, list[Any]] = {}
    for row in (await conn.execute(sql("programme_pcns"), p)).all():
        by_area_pcn.setdefault(row.area_id, []).append(row)
    block = await registrations(conn)
    ranks = areas["average_score"].rank(ascending=False, method="min")
    by_area_foot = {
        (r.area_id, r.kind): (r.code, r.name, r.share) for r in foot.itertuples(index=False)
    }
    out = []
    for i, r in enumerate(areas.to_dict("records")):
        health = r["health_profile"] or {}
        if isinstance(health, str):
            health = json.loads(health)
        pop = float(r["population"] or 0)
        item: dict[str, Any] = {
            "code": r["code"],
            "source_code": r["source_code"],
            "name": r["name"],
            "population": pop,
            "population_basis": r["population_basis"],
            "area_km2": round(float(r["area_m2"]) / 1e6, 6),
            **{m: _num(r[m]) for m in RANKING_MEASURES},
            "rank_in_programme": None if pd.isna(ranks.iloc[i]) else int(ranks.iloc[i]),
            **{f"{d}_average_score": _num(r[d]) for d in DOMAINS if d != "imd"},
            **{c: _num(health.get(c)) for c in HEALTH_COLUMNS if c != "health_score"},
            "cni_score": _num(r["cni_score"]),
            "left_behind_share": _num(r["left_behind_share"]),
        }
        for k in FOOTPRINT_KINDS:
            code, fname, share = by_area_foot.get((r["id"], k), (None, None, None))
            item[f"{k}_code"] = code
            item[f"{k}_name"] = fname
            item[f"{k}_share"] = _num(share)
        g = by_area_pcn.get(r["id"])
        plist, coverage, note = (
            _pcn_items(g, pop, block)
            if g is not None
            else ([], 0.0, coverage_note(0.0, pop, block, attributed=0.0, pcns=0))
        )
        item["pcn_coverage"] = coverage
        item["pcn_note"] = note
        # the extract dates the listed PCNs' patients come from (CSV: the PCNs' columns
        # carry none)
        item["pcn_extracts"] = "; ".join(
            sorted({x["extract_date"] for x in plist if x.get("extract_date")}, reverse=True)
        )
        item["pcns"] = plist
        for n in range(CSV_PCNS):
            x = plist[n] if n < len(plist) else {}
            item[f"pcn_{n + 1}_code"] = x.get("code")
            item[f"pcn_{n + 1}_name"] = x.get("name")
            item[f"pcn_{n + 1}_share"] = x.get("share_of_residents")
        out.append(item)
    return {
        "programme": programme,
        "slug": programme_slug(programme),
        "count": len(out),
        "population_basis": out[0]["population_basis"] if out else None,
        "method": METHOD,
        "registrations": public(block),
        "areas": out,
    }


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(f) else f


def summary_sheets(summary: dict[str, Any]) -> list[Sheet]:
    """The tables of a programme summary: its areas (the CSV's columns), and every PCN
    serving each area (the CSV has the first three)."""
    name = summary["programme"]
    pcns = [
        {
            "area_code": a["code"],
            "area_name": a["name"],
            "pcn_code": p["code"],
            "pcn_name": p["name"],
            **{k: p[k] for k in PCN_COLUMNS[4:]},
        }
        for a in summary["areas"]
        for p in a["pcns"]
    ]
    return [
        Sheet(
            "Areas",
            f"{name}: every area with its deprivation, health, ICB, sub-ICB location, local "
            "authority and first PCNs",
            SUMMARY_COLUMNS,
            summary["areas"],
            table="programme_summary",
        ),
        Sheet(
            "PCNs",
            f"{name}: the primary care networks serving each area (at least "
            f"{MIN_PCN_SHARE:.0%} of its residents, at most {MAX_PCNS})",
            PCN_COLUMNS,
            pcns,
            table="programme_pcns",
        ),
    ]
