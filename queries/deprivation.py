"""The IoD summary measures of an area, its decile mix and health profile; rankings."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import NotLoaded
from depmap.core.vocab import (
    DOMAIN_TABLE,
    DOMAINS,
    HEALTH_COLUMNS,
    HEALTH_TABLE,
    KINDS,
    LSOA_STAT_COLUMNS,
    MEASURES,
    NATIONAL_LSOA21,
    RANKED_KINDS,
)
from queries.areas import Area
from queries.db import sql
from queries.directory import AreaDirectory
from queries.registrations import national_coverage, public, registrations
from queries.workbook import Sheet

#: the fields of a ``/rankings`` row, and the columns of its CSV (and of
#: ``depmap rankings --format csv``): the measures, then the rank of each (1 = most deprived)
RANKING_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "programme",
    "population",
    "population_basis",
    *MEASURES,
    *(f"rank_{m}" for m in MEASURES),
)
#: what PCN rankings add: where each PCN comes from, and its ICB
PCN_RANKING_FIELDS = ("source", "extract_date", "icb_code", "icb_name")


def ranking_columns(kind: str) -> tuple[str, ...]:
    """The fields of a ``/rankings`` row of ``kind`` (and the columns of its CSV)."""
    return RANKING_COLUMNS + PCN_RANKING_FIELDS if kind == "pcn" else RANKING_COLUMNS


METHOD = (
    "IoD summary measures as MHCLG defines them for local authorities and ICBs, over the "
    "area's LSOA21s weighted by population (LSOAs it cuts count by their population share); "
    "ranks reversed so that the most deprived LSOA has rank 33,755."
)


def lsoa_count(v: float) -> int | float:
    """LSOAs counted by population share: a whole number (``1601``, not ``1601.0``) for an
    area of whole LSOAs, else the sum of the shares (an area cutting an LSOA counts its
    share of it)."""
    f = float(v)
    return int(f) if f.is_integer() else f


async def national_lsoa_count(conn: AsyncConnection, areas: AreaDirectory | None = None) -> int:
    """LSOA21s ranked nationally (IoD 2025), once some are loaded (``areas`` knows
    whether they are)."""
    if areas is not None:
        n = areas.lsoa_stats
    else:
        n = int((await conn.execute(sql("lsoa_count"))).scalar() or 0)
    if n == 0:
        raise NotLoaded("no deprivation data is loaded: run `depmap load all`")
    return NATIONAL_LSOA21


async def area_inputs(conn: AsyncConnection, area_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An area's LSOA weights and the statistics of those LSOAs, for geo.summary."""
    res = await conn.execute(sql("lsoa_stats_for_area"), {"id": area_id})
    df = pd.DataFrame([tuple(r) for r in res], columns=list(res.keys()))
    df = df.loc[:, ~df.columns.duplicated()]
    stats = df.set_index("lsoa_id")[["population", *LSOA_STAT_COLUMNS]].astype(float)
    weights = df[["area_id", "lsoa_id", "pop_share", "weight"]].rename(
        columns={"weight": "population"}
    )
    return weights, stats


async def deprivation(
    conn: AsyncConnection, area: Area, domain: str, areas: AreaDirectory | None = None
) -> dict[str, Any]:
    """The summary measures of one domain (see :func:`deprivation_all`)."""
    return (await deprivation_all(conn, area, (domain,), areas))[domain]


async def deprivation_all(
    conn: AsyncConnection,
    area: Area,
    domains: tuple[str, ...] = DOMAINS,
    areas: AreaDirectory | None = None,
) -> dict[str, dict[str, Any]]:
    """The summary measures, decile mix and health profile of an area, per domain.

    Read, one query for all domains: the measures of every area are stored (by the
    load; a custom area's when it is drawn).
    """
    n_lsoa = await national_lsoa_count(conn, areas)
    per_domain: dict[str, tuple[dict[str, Any], list[float], dict[str, Any] | None]] = {}
    res = await conn.execute(
        sql("area_measures"), {"id": area.id, "domains": list(domains), "kind": area.kind}
    )
    rows = {r["domain"]: r for r in res.mappings()}
    prof_row = (await conn.execute(sql("area_profile"), {"id": area.id})).mappings().first()
    if prof_row is None or any(d not in rows for d in domains):
        raise NotLoaded(f"no deprivation measures for {area.code}: run `depmap load all`")
    prof = dict(prof_row)
    for d in domains:
        m = rows[d]
        ranks = None
        if area.kind in RANKED_KINDS:
            ranks = {k: m[f"rank_{k}"] for k in MEASURES}
            ranks["of"] = int(m["of_kind"])
            ranks["among"] = area.kind
        per_domain[d] = ({k: m[k] for k in MEASURES}, list(m["decile_population"]), ranks)
    health = prof["health"] if isinstance(prof["health"], dict) else json.loads(prof["health"])
    health_items = [
        {
            "code": c,
            "label": HEALTH_TABLE[c].label,
            "higher_is_worse": HEALTH_TABLE[c].higher_is_worse,
            "value": health.get(c),
        }
        for c in HEALTH_COLUMNS
    ]
    out: dict[str, dict[str, Any]] = {}
    for d, (values, deciles, ranks) in per_domain.items():
        total = sum(deciles) or 1.0
        out[d] = {
            "area": {"code": area.code, "name": area.name, "kind": area.kind},
            "domain": d,
            "population": prof["population"],
            "population_basis": area.population_basis,
            "lsoa_count": lsoa_count(prof["lsoa_count"]),
            **values,
            "ranks": ranks,
            "deciles": [
                {"decile": i + 1, "population": p, "share": p / total}
                for i, p in enumerate(deciles)
            ],
            "health": health_items,
            "n_lsoa_national": n_lsoa,
            "method": METHOD,
        }
    return out


async def rankings(
    conn: AsyncConnection, kind: str, domain: str, measure: str, programme: str | None = None
) -> list[dict[str, Any]]:
    rows = (
        (
            await conn.execute(
                sql("rankings"), {"kind": kind, "domain": domain, "programme": programme}
            )
        )
        .mappings()
        .all()
    )
    out = [{k: r[k] for k in ranking_columns(kind)} for r in rows]
    key = f"rank_{measure}"
    out.sort(key=lambda x: (x[key] is None, x[key] or 0, x["code"]))
    return out


def ranking_sheets(answer: dict[str, Any]) -> list[Sheet]:
    """The table of a ``/rankings`` answer: every area of the kind, ranked."""
    kind = KINDS[answer["kind"]].plural
    what = f"{kind[0].upper()}{kind[1:]}" + (
        f" of {answer['programme']}" if answer.get("programme") else ""
    )
    return [
        Sheet(
            "Rankings",
            f"{what}: the IoD 2025 summary measures of the "
            f"{DOMAIN_TABLE[answer['domain']].name} and their ranks (1 = most deprived), "
            f"ordered by rank_{answer['measure']}",
            ranking_columns(answer["kind"]),
            answer["areas"],
            table="rankings",
        )
    ]


async def rankings_answer(
    conn: AsyncConnection, kind: str, domain: str, measure: str, programme: str | None = None
) -> dict[str, Any]:
    """``GET /rankings``: every area of a kind ranked; for PCNs also the share of England's
    residents the loaded registrations account for and the extracts."""
    items = await rankings(conn, kind, domain, measure, programme)
    out: dict[str, Any] = {
        "kind": kind,
        "domain": domain,
        "measure": measure,
        "programme": programme,
        "count": len(items),
        "areas": items,
    }
    if kind == "pcn":
        block = await registrations(conn)
        out["pcn_coverage"] = await national_coverage(conn) if block else 0.0
        out["registrations"] = public(block)
    return out
