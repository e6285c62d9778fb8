"""A programme's evaluation: its change against baseline-matched neighbourhoods, England and
the published crude comparison (the method is :mod:`geo.evaluation`).

``GET /programmes/{name}/evaluation`` and ``depmap evaluate NAME``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import CannotCompute
from depmap.core.names import programme_slug
from depmap.core.vocab import SERIES, Series
from geo.evaluation import COVARIATES, Evaluation, EvaluationError, baseline_covariates, evaluate
from geo.series import area_values, baseline_followup, changes
from queries.db import sql
from queries.programmes import find_programme
from queries.series import FrameCache, National, national, series_info

#: Matches per programme LSOA, bootstrap replicates and seed, unless asked otherwise.
DEFAULT_K = 5
DEFAULT_REPLICATES = 999
DEFAULT_SEED = 20121
#: Words for the covariates an evaluation matches on.
MATCHED_ON = {
    "imd2015_percentile": "IoD 2015 national IMD percentile (0 = most deprived), the baseline",
    "log_density": "log of residents per km² in 2011",
    "baseline_value": "the indicator's own baseline value",
}

METHOD = (
    "Programme group: the programme's LSOA21s weighted by each area's share of their people. "
    "Matched comparators: for every programme LSOA the k most similar LSOA21s outside the "
    "programme and not adjacent to it (queen contiguity), with replacement, on the baseline "
    "(IoD 2015 percentile, the indicator's baseline value, log residents per km² in 2011), "
    "each covariate divided by its standard deviation; their values are aggregated with the "
    "programme LSOAs' own weights. Balance: standardised mean differences (treated minus "
    "control, over the treated standard deviation, as MatchIt/cobalt) before and after "
    "matching. Seed method: the 25 local authorities whose population-weighted average IMD "
    "2015 score is nearest the programme's, pooled (the published comparison). Difference "
    "in differences: programme change minus comparator change; the 95% interval of "
    "vs_matched from a cluster bootstrap over programme areas that also resamples the "
    "matched LSOAs (seeded: the same request gives the same interval)."
)

REGRESSION_TO_THE_MEAN = (
    "Areas chosen because they were deprived when chosen drift back towards the average at "
    "the next measurement even if nothing is done (regression to the mean): part of their "
    "measured 'improvement' is that drift. Comparing with England or with whole local "
    "authorities credits the drift to the programme; comparing with neighbourhoods that "
    "looked the same at the baseline and were not chosen does not, because they drift "
    "alike. The reverse holds for areas chosen on data measured after the baseline: against "
    "baseline-matched comparators they look as if they got worse."
)


def _group(g: Any) -> dict[str, Any]:
    return {
        "areas": g.n_areas,
        "lsoa21": g.n_lsoa,
        "baseline": _f(g.baseline),
        "followup": _f(g.followup),
        "change": _f(g.change),
    }


def _f(v: Any) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _seed_las(
    nat: National, series: Series, las: pd.DataFrame, names: dict[str, str]
) -> list[dict[str, Any]]:
    """The seed method's local authorities with their own baseline, follow-up and change."""
    frame = nat.frame
    member = frame["ltla"].isin(set(las.index))
    w = pd.DataFrame(
        {
            "area_id": frame.loc[member, "ltla"].to_numpy(),
            "lsoa_id": frame.index[member],
            "pop_share": 1.0,
        }
    )
    ch = changes(area_values(frame, w, [series]))
    out = []
    for code, r in las.iterrows():
        c = ch.loc[(code, series.code)] if (code, series.code) in ch.index else None
        out.append(
            {
                "code": str(code),
                "name": names.get(str(code), str(code)),
                "imd2015_average_score": float(r["score"]),
                "distance": float(r["distance"]),
                "baseline": None if c is None else _f(c["baseline"]),
                "followup": None if c is None else _f(c["followup"]),
                "change": None if c is None else _f(c["change"]),
            }
        )
    return out


def shape(ev: Evaluation, series: Series, nat: National, k: int) -> dict[str, Any]:
    """One indicator's evaluation as the answer gives it."""
    m = ev.matched_comparators
    seed = None
    if ev.seed_method is not None:
        s = ev.seed_method
        seed = {
            **_group(s.group),
            "programme_imd2015_average_score": float(s.programme_score),
            "local_authorities": _seed_las(nat, series, s.las, nat.la_names),
        }
    balance = [
        {
            "covariate": str(c),
            "description": MATCHED_ON.get(str(c), str(c)),
            **{k2: _f(v) for k2, v in r.items()},
        }
        for c, r in m.balance.iterrows()
    ]
    dids = {
        key: {
            "estimate": _f(d.estimate),
            "low": _f(d.low),
            "high": _f(d.high),
            "se": _f(d.se),
            "replicates": d.replicates,
            "level": d.level,
            "method": d.method,
        }
        for key, d in ev.difference_in_differences.items()
    }
    return {
        **series_info(series),
        "programme_group": _group(ev.programme_group),
        "england": _group(ev.england),
        "matched_comparators": {
            **_group(m.group),
            "lsoa21": len(m.lsoas),
            "k": k,
            "matched_on": [str(c) for c in m.covariates],
            "programme_lsoa21_matched": m.n_treated,
            "eligible_pool": m.n_pool,
            "balance": balance,
            "balanced": m.balanced,
            "message": m.message,
        },
        "seed_method": seed,
        "difference_in_differences": dids,
        "notes": list(ev.notes),
    }


async def programme_evaluation(
    conn: AsyncConnection,
    name: str,
    indicators: tuple[str, ...] = (),
    *,
    k: int = DEFAULT_K,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    cache: FrameCache | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """The evaluation of a programme on each series asked for (all by default)."""
    programme = await find_programme(conn, name)
    rows = (await conn.execute(sql("programme_weights"), {"programme": programme})).all()
    weights = pd.DataFrame([tuple(r) for r in rows], columns=["area_id", "lsoa_id", "pop_share"])
    if weights.empty:
        raise CannotCompute(f"programme {programme!r} has no area covering a 2021 LSOA")
    nat = await national(conn, cache=cache, version=version)
    frame = nat.frame
    covariates = baseline_covariates(
        frame["imd2015_rank"], frame["residents2011"], frame["area_m2"] / 1e6
    )[list(COVARIATES)]
    chosen = [SERIES[c] for c in (indicators or tuple(SERIES))]

    def run() -> list[dict[str, Any]]:
        out = []
        for s in chosen:
            try:
                ev = evaluate(
                    weights,
                    baseline_followup(frame, s),
                    covariates,
                    nat.adjacency,
                    lsoa_la=frame["ltla"],
                    imd2015_score=frame["imd2015_score"],
                    population=frame["population"],
                    k=k,
                    replicates=replicates,
                    seed=seed,
                    scale=s.scale,
                    resample_matches=True,
                )
            except EvaluationError as e:
                raise CannotCompute(
                    f"{programme}: {s.code} cannot be evaluated: {e}", indicator=s.code
                ) from e
            out.append(shape(ev, s, nat, k))
        return out

    # matching and the bootstrap are CPU work: keep the event loop free
    evaluations = await asyncio.to_thread(run)
    return {
        "programme": programme,
        "slug": programme_slug(programme),
        "areas": int(weights["area_id"].nunique()),
        "lsoa21": int(weights["lsoa_id"].nunique()),
        "k": k,
        "replicates": replicates,
        "seed": seed,
        "count": len(evaluations),
        "evaluations": evaluations,
        "method": METHOD,
        "regression_to_the_mean": REGRESSION_TO_THE_MEAN,
    }


#: Columns of ``/programmes/{name}/evaluation?format=csv``: one row per indicator and group.
EVALUATION_CSV_COLUMNS = (
    "indicator",
    "label",
    "unit",
    "group",
    "baseline_year",
    "baseline",
    "followup_year",
    "followup",
    "change",
    "lsoa21",
    "difference_in_differences",
    "did_low",
    "did_high",
)

_GROUP_DID = {
    "programme_group": None,
    "matched_comparators": "vs_matched",
    "england": "vs_england",
    "seed_method": "vs_seed_method",
}


def evaluation_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The evaluation as a table: per indicator, a row for the programme and each comparison
    with the difference in differences against it."""
    rows = []
    for e in answer["evaluations"]:
        for group, did_key in _GROUP_DID.items():
            g = e.get(group)
            if g is None:
                continue
            d = e["difference_in_differences"].get(did_key) if did_key else None
            rows.append(
                {
                    "indicator": e["indicator"],
                    "label": e["label"],
                    "unit": e["unit"],
                    "group": group,
                    "baseline_year": e["baseline_year"],
                    "baseline": g["baseline"],
                    "followup_year": e["followup_year"],
                    "followup": g["followup"],
                    "change": g["change"],
                    "lsoa21": g["lsoa21"],
                    "difference_in_differences": d["estimate"] if d else None,
                    "did_low": d["low"] if d else None,
                    "did_high": d["high"] if d else None,
                }
            )
    return rows
