"""Change over time: the series of :data:`depmap.core.vocab.SERIES` for any area, and the
national frame they and programme evaluations are computed from.

Computations are :mod:`geo.series`; this module reads ``lsoa_series`` and shapes
answers. The national frame (every LSOA21's series, residents, local authority and
area) is read once per data version when a cache is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import CannotCompute, NotLoaded
from depmap.core.vocab import LSOA_SERIES_COLUMNS, SERIES, Series
from geo.series import POPULATION, area_values, changes, england_values
from queries.areas import Area
from queries.db import sql

METHOD = (
    "Each series over the area's LSOA21s weighted by the share of each LSOA's people inside "
    "the area: counts (households, residents) as sum(share x numerator) / sum(share x "
    "denominator), 2011 counts carried from LSOA11 by population; IoD positions as the "
    "population-weighted mean (Census 2021 residents) of each LSOA's position in its own "
    "edition. change = followup - baseline, in the series' unit (percentage points for "
    "shares); difference_vs_england = change - England's change."
)


class FrameCache(Protocol):
    """Where the national frame is kept between requests (per data version)."""

    def get(self, key: tuple[object, ...]) -> Any: ...

    def put(self, key: tuple[object, ...], value: Any) -> None: ...


@dataclass(frozen=True)
class National:
    """Every LSOA21: its series (the frame of :mod:`geo.series`), code, area (km²), local
    authority, and the touching pairs."""

    frame: pd.DataFrame
    adjacency: np.ndarray
    #: local authority code -> name
    la_names: dict[str, str]

    @property
    def england(self) -> pd.DataFrame:
        return england_values(self.frame)


async def england(
    conn: AsyncConnection, *, cache: FrameCache | None = None, version: int | None = None
) -> pd.DataFrame:
    """England's value of every series and year (the shape of :func:`geo.series.area_values`,
    ``area_id`` "England"), computed by the load; kept per data version."""
    key = ("england-series", version)
    if cache is not None and version is not None:
        got = cache.get(key)
        if got is not None:
            return got
    rows = (await conn.execute(sql("series_england"))).all()
    out = pd.DataFrame(
        [("England", *r) for r in rows],
        columns=["area_id", "series", "year", "value", "numerator", "denominator"],
    ).set_index(["area_id", "series", "year"])
    if cache is not None and version is not None:
        cache.put(key, out)
    return out


def _rows(res: Any) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in res], columns=list(res.keys()))


async def national(
    conn: AsyncConnection, *, cache: FrameCache | None = None, version: int | None = None
) -> National:
    """The national frame (read once per data version with a cache)."""
    key = ("national-series", version)
    if cache is not None and version is not None:
        got = cache.get(key)
        if got is not None:
            return got
    df = _rows(await conn.execute(sql("series_national")))
    if df.empty:
        raise NotLoaded("no series are loaded: run `depmap load all` (the series part)")
    df = df.loc[:, ~df.columns.duplicated()].set_index("lsoa_id")
    num = [c for c in (*LSOA_SERIES_COLUMNS, POPULATION, "area_m2") if c in df]
    df[num] = df[num].astype(float)
    pairs = (await conn.execute(sql("adjacency_pairs"))).all()
    adj = np.array([tuple(p) for p in pairs], dtype=np.int64).reshape(-1, 2)
    for c in ("code", "ltla", "ltla_name"):
        df[c] = df[c].astype(object)
    la = df[["ltla", "ltla_name"]].dropna().drop_duplicates("ltla")
    out = National(
        frame=df, adjacency=adj, la_names=dict(zip(la["ltla"], la["ltla_name"], strict=True))
    )
    if cache is not None and version is not None:
        cache.put(key, out)
    return out


def _points(v: pd.DataFrame, code: str) -> list[dict[str, Any]]:
    sub = v.xs(code, level="series")
    return [
        {"year": int(y), "value": None if pd.isna(r["value"]) else float(r["value"])}
        for y, r in sub.droplevel("area_id").iterrows()
    ]


def series_info(s: Series) -> dict[str, Any]:
    """What a series is, for answers (label, unit, years, direction, source, note)."""
    return {
        "indicator": s.code,
        "label": s.label,
        "short": s.short,
        "unit": s.unit,
        "kind": s.kind,
        "years": list(s.years),
        "baseline_year": s.baseline,
        "followup_year": s.followup,
        "higher_is_worse": s.higher_is_worse,
        "better": "lower" if s.higher_is_worse else "higher",
        "source": s.source,
        "note": s.note,
    }


async def area_change(
    conn: AsyncConnection,
    area: Area,
    indicators: tuple[str, ...] = (),
    *,
    cache: FrameCache | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """Every series (or those asked for) of ``area`` at each year, its change from the
    baseline to the follow-up, and England's."""
    chosen = [SERIES[c] for c in (indicators or tuple(SERIES))]
    res = await conn.execute(sql("series_for_area"), {"id": area.id})
    df = _rows(res)
    if df.empty:
        raise CannotCompute(
            f"{area.code} covers no 2021 LSOA with series loaded (run `depmap load all`)",
            area=area.code,
        )
    df = df.loc[:, ~df.columns.duplicated()]
    frame = df.set_index("lsoa_id").drop(columns=["pop_share"]).astype(float)
    weights = pd.DataFrame(
        {"area_id": 0, "lsoa_id": df["lsoa_id"].to_numpy(), "pop_share": df["pop_share"]}
    )
    values = area_values(frame, weights, chosen)
    eng = await england(conn, cache=cache, version=version)
    ch = changes(values)
    ech = changes(eng)
    out = []
    for s in chosen:
        if s.code not in values.index.get_level_values("series"):
            continue
        n_lsoa = int(values.xs(s.code, level="series")["n_lsoa"].max())
        if n_lsoa == 0:
            continue
        c = ch.loc[(0, s.code)] if (0, s.code) in ch.index else None
        e = ech.loc[("England", s.code)] if ("England", s.code) in ech.index else None
        change = None if c is None or pd.isna(c["change"]) else float(c["change"])
        e_change = None if e is None or pd.isna(e["change"]) else float(e["change"])
        out.append(
            {
                **series_info(s),
                "points": _points(values, s.code),
                "change": change,
                "england": {"points": _points(eng, s.code), "change": e_change},
                "difference_vs_england": (
                    None if change is None or e_change is None else change - e_change
                ),
                "lsoa21": n_lsoa,
            }
        )
    if not out:
        raise CannotCompute(
            f"{area.code} has no LSOA with values for "
            + ", ".join(s.code for s in chosen)
            + " (run `depmap load all`: the series part)",
            area=area.code,
        )
    return {
        "area": {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "population": area.population,
            "population_basis": area.population_basis,
        },
        "count": len(out),
        "changes": out,
        "method": METHOD,
    }


#: Columns of ``/areas/{id}/change?format=csv``: one row per indicator and year.
CHANGE_CSV_COLUMNS = (
    "indicator",
    "label",
    "unit",
    "year",
    "value",
    "england",
    "baseline_year",
    "followup_year",
    "change",
    "england_change",
    "difference_vs_england",
    "higher_is_worse",
)


def change_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The change answer as a table: one row per indicator and year."""
    rows = []
    for c in answer["changes"]:
        eng = {p["year"]: p["value"] for p in c["england"]["points"]}
        for p in c["points"]:
            rows.append(
                {
                    **{k: c[k] for k in ("indicator", "label", "unit")},
                    "year": p["year"],
                    "value": p["value"],
                    "england": eng.get(p["year"]),
                    "baseline_year": c["baseline_year"],
                    "followup_year": c["followup_year"],
                    "change": c["change"],
                    "england_change": c["england"]["change"],
                    "difference_vs_england": c["difference_vs_england"],
                    "higher_is_worse": c["higher_is_worse"],
                }
            )
    return rows
