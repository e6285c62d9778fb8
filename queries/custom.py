"""Custom areas: polygons drawn by users, weighted over LSOA21s when they are stored."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pandas as pd
import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.db import LOAD_LOCK_KEY, delete_area_rows
from depmap.core.errors import InvalidGeometry, LoadInProgress
from depmap.core.schema import SRID, area_measure
from depmap.core.sqlfiles import sql as shared_sql
from depmap.core.vocab import MEASURES
from geo.geometry import Drawn
from geo.summary import compute_summaries
from queries.db import sql
from queries.deprivation import area_inputs, national_lsoa_count


async def summarise_stored(conn: AsyncConnection, area_id: int) -> None:
    """Compute and store the measures and profile of one area from its weights."""
    n_lsoa = await national_lsoa_count(conn)
    weights, stats = await area_inputs(conn, area_id)
    measures, prof = compute_summaries(weights, stats, n_lsoa)
    rows = []
    for (aid, domain), r in measures.iterrows():
        rows.append(
            {
                "area_id": int(aid),
                "domain": domain,
                "population": float(r["population"]),
                **{k: (None if pd.isna(r[k]) else float(r[k])) for k in MEASURES},
                "decile_population": [float(x) for x in r["decile_population"]],
            }
        )
    await conn.execute(area_measure.insert(), rows)
    p = prof.iloc[0]
    await conn.execute(
        sql("insert_area_profile"),
        {
            "area_id": area_id,
            "population": float(p["population"]),
            "lsoa_count": float(p["lsoa_count"]),
            "health": p["health"],
        },
    )


async def hold_off_loads(conn: AsyncConnection) -> None:
    """Take the load lock shared for this transaction, or 503 while a load runs (a load
    recomputes every area's summary from a snapshot that would miss this change)."""
    got = (
        await conn.execute(
            text("SELECT pg_try_advisory_xact_lock_shared(:k)"), {"k": LOAD_LOCK_KEY}
        )
    ).scalar()
    if not got:
        raise LoadInProgress("a data load is running; try again in a minute")


#: Ids of custom areas: private ones (token holders only) and shared ones (anyone with the
#: id, which is unguessable: 128 random bits).
PRIVATE_PREFIX, SHARED_PREFIX = "c-", "s-"
CUSTOM_PREFIXES = (PRIVATE_PREFIX, SHARED_PREFIX)


def new_custom_code(shared: bool) -> str:
    """A new custom area id: ``c-`` and 12 hex digits, or ``s-`` and 32 when shared."""
    return (
        SHARED_PREFIX + secrets.token_hex(16) if shared else PRIVATE_PREFIX + secrets.token_hex(6)
    )


#: A drawn area with less of its area in England than this is refused (422); one with
#: less than WARN_IN_ENGLAND is stored with a warning. depmap's atoms are England's LSOAs:
#: the measures of the rest would silently cover only the English part.
MIN_IN_ENGLAND = 0.5
WARN_IN_ENGLAND = 0.99


def england_check(share: float) -> list[str]:
    """The warnings for a drawn area with ``share`` of its area in England (or a 422)."""
    outside = f"{1 - share:.0%} of the polygon lies outside England's 2021 LSOAs"
    if share < MIN_IN_ENGLAND:
        raise InvalidGeometry(
            f"only {share:.0%} of the polygon lies in England ({outside}, in Wales, "
            "Scotland or the sea): depmap covers England only; draw the English part",
            share_in_england=round(share, 4),
        )
    if share < WARN_IN_ENGLAND:
        return [
            f"{outside} (Wales, Scotland or the sea): its measures cover the English part "
            "only (share_in_england)"
        ]
    return []


async def create_custom_area(
    conn: AsyncConnection, drawn: Drawn, name: str | None, *, shared: bool = False
) -> dict[str, Any]:
    """Store a drawn polygon with its LSOA weights and summaries, in one transaction.

    Refused with 503 while a data load runs (the load would recompute every
    area's summary from a snapshot that does not include this one), and with 422 when
    less than half of it is in England (see :func:`england_check`).
    """
    async with conn.begin():
        await hold_off_loads(conn)
        code = new_custom_code(shared)
        label = (name or "").strip()[:200] or f"Custom area {code}"
        wkb = shapely.to_wkb(shapely.set_srid(drawn.geom, SRID), include_srid=True)
        props = {
            k: v
            for k, v in drawn.properties.items()
            if isinstance(v, str | int | float | bool) and len(str(k)) <= 100
        }
        area_id = (
            await conn.execute(
                sql("insert_custom_area"),
                {
                    "code": code,
                    "name": label,
                    "wkb": wkb,
                    "props": json.dumps({"input_crs": drawn.crs, "properties": props}),
                },
            )
        ).scalar_one()
        res = await conn.execute(shared_sql("area_weights"), {"ids": [area_id]})
        if not res.rowcount:
            raise InvalidGeometry("the polygon lies outside England: it covers no 2021 LSOA")
        share = (await conn.execute(sql("share_in_england"), {"id": area_id})).scalar_one()
        share = min(1.0, float(share or 0.0))
        warnings = england_check(share)
        await conn.execute(
            sql("set_custom_share_in_england"), {"id": area_id, "share": round(share, 6)}
        )
        population = (
            await conn.execute(sql("set_population_from_weights"), {"id": area_id})
        ).scalar_one()
        await summarise_stored(conn, area_id)
    return {
        "id": code,
        "name": label,
        "kind": "custom",
        "area_m2": drawn.geom.area,
        "population": population,
        "vertices": drawn.vertices,
        "lsoa21_count": int(res.rowcount),
        "shared": shared,
        "share_in_england": share,
        "warnings": warnings,
    }


async def delete_custom_area(conn: AsyncConnection, area_id: int) -> bool:
    """Delete a custom area and every row that refers to it (in the caller's transaction)."""
    n = await conn.run_sync(lambda c: delete_area_rows(c, [area_id]))
    return bool(n)
