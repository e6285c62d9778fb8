"""Comparator areas for an area: similar places outside its programme (see geo.comparators)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import NotLoaded
from depmap.core.vocab import COMPARATOR_CHOICES, COMPARATOR_KINDS, KINDS
from geo.comparators import DISTANCE, FEATURES, nearest, size_band
from queries.areas import Area
from queries.db import sql
from queries.deprivation import deprivation_all

#: The fields of a comparator row and the columns of its CSV.
COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "kind",
    "population",
    "distance",
    *(f"{d}_average_score" for d in FEATURES),
)

#: A candidate is in the programme if it holds an LSOA where the programme has this share.
IN_PROGRAMME_SHARE = 0.01


async def comparators(
    conn: AsyncConnection,
    area: Area,
    *,
    n: int = 25,
    ratio: float = 1.5,
    kinds: tuple[str, ...] = COMPARATOR_KINDS,
) -> dict[str, Any]:
    """The ``n`` areas of ``kinds`` most similar to ``area`` and not in its programme."""
    deps = await deprivation_all(conn, area, FEATURES)
    target: dict[str, float | None] = {d: deps[d]["average_score"] for d in FEATURES}
    population = float(deps[FEATURES[0]]["population"] or 0.0)
    if target["imd"] is None:
        raise NotLoaded(f"{area.code} has no IMD 2025 score: run `depmap load all`")
    scales_row = (await conn.execute(sql("lsoa_score_scales"))).mappings().one()
    scales = pd.Series({k: float(v or 0.0) for k, v in scales_row.items()})
    lo, hi = size_band(population, ratio)
    rows = (
        await conn.execute(sql("comparator_pool"), {"kinds": list(kinds), "lo": lo, "hi": hi})
    ).mappings()
    pool = pd.DataFrame([dict(r) for r in rows])
    excluded = {
        int(i)
        for (i,) in (
            await conn.execute(
                sql("comparator_excluded"),
                {
                    "area_id": area.id,
                    "programme": area.programme,
                    "kinds": list(kinds),
                    "eps": IN_PROGRAMME_SHARE,
                },
            )
        ).all()
    }
    items: list[dict[str, Any]] = []
    pool_size = 0
    if not pool.empty:
        pool = pool[~pool["id"].isin(excluded) & (pool["id"] != area.id)].set_index("id")
        pool_size = len(pool)
        best = nearest(pd.Series(target), population, pool, scales, n=n, ratio=ratio)
        for r in best.itertuples():
            items.append(
                {
                    "code": r.code,
                    "name": r.name,
                    "kind": r.kind,
                    "population": float(r.population),
                    "distance": float(r.distance),
                    **{f"{d}_average_score": _f(getattr(r, d)) for d in FEATURES},
                }
            )
    return {
        "area": {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "programme": area.programme,
            "population": population,
            "population_basis": area.population_basis,
            **{f"{d}_average_score": target[d] for d in FEATURES},
        },
        "size_band": {"min_population": lo, "max_population": hi, "ratio": ratio},
        "kinds": list(kinds),
        "excluded": (
            f"areas sharing people with {area.code}"
            + (f" or with any area of the programme {area.programme!r}" if area.programme else "")
            + f" (an LSOA where it holds >= {IN_PROGRAMME_SHARE:.0%} of the people)"
        ),
        "distance": DISTANCE,
        "scales": {k: float(v) for k, v in scales.items()},
        "candidates_in_band": pool_size,
        "count": len(items),
        "note": None if items else why_none(area, kinds, lo, hi, ratio),
        "comparators": items,
    }


def why_none(area: Area, kinds: tuple[str, ...], lo: float, hi: float, ratio: float) -> str:
    """Why no comparator was found, and what to ask instead."""
    names = [KINDS[k].plural for k in kinds]
    plural = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
    text = (
        f"none of the {plural} has between {lo:,.0f} and {hi:,.0f} people (the size band: "
        f"{area.code}'s population / and x size_ratio {ratio:g}) and shares no people with "
        + (f"{area.code} or its programme" if area.programme else area.code)
    )
    bigger = [k for k in COMPARATOR_CHOICES if k not in kinds and k not in COMPARATOR_KINDS]
    hints = []
    if bigger and hi > 100_000:
        hints.append("for an area this size ask for " + ", ".join(f"kind={k}" for k in bigger))
    if ratio < 4.0:
        hints.append("widen size_ratio (up to 4)")
    return text + (": " + "; or ".join(hints) if hints else "")


def _f(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)
