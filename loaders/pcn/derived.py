"""PCN footprints derived from GP registrations (the ``pcn`` part of ``depmap load``).

For each PCN and LSOA21: its registered patients (the sum over its practices)
and its share of the LSOA's registered patients over the PCNs present in the
file. These become the PCN's ``area_lsoa`` rows (``weight_basis =
'registrations'``: ``population`` = patients, ``pop_share`` = share,
``area_share`` = 1 where the PCN's polygon includes the LSOA, else 0), so every
measure of a PCN is weighted by registered patients, the way practice IMD scores
are made (``population_basis = 'gp_registered_patients'``). The polygon is the
union of the LSOAs where the PCN has the largest share (:func:`geo.pcn.footprint_lsoas`).

A load replaces every PCN derived from registrations before; PCN footprints an
ICB supplies itself (:mod:`loaders.pcn.supplied`) are separate areas and are
left alone.
"""

from __future__ import annotations

import json
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text

from depmap.core.db import delete_area_rows
from depmap.core.errors import LoadError
from geo.pcn import footprint_lsoas, pcn_lsoa_weights
from geo.union import union_groups
from loaders.areas import replace_weights, upsert_areas
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.pcn.registrations import REASONS, Cleaned, clean, read_practice_map, read_registrations
from sources.layout import SOURCES

SOURCE = "registrations"
POPULATION_BASIS = "gp_registered_patients"


class PcnSettings(BaseSettings):
    """How PCN polygons are drawn (``DEPMAP_PCN_*``)."""

    model_config = SettingsConfigDict(env_prefix="DEPMAP_PCN_", extra="ignore")

    polygon_rule: Literal["plurality", "min_share"] = Field(
        default="plurality",
        description="plurality: an LSOA goes to the PCN with the largest share of its "
        "registered patients; min_share: only if that share reaches min_share.",
    )
    min_share: float = Field(default=0.5, gt=0.0, le=1.0)
    min_coverage: float = Field(
        default=0.5,
        ge=0.0,
        le=10.0,
        description="Draw an LSOA only where the file's registered patients reach this "
        "multiple of its Census 2021 residents (leaves out border LSOAs of other ICBs "
        "when the file covers one ICB).",
    )


def registration_paths(ctx: LoadContext) -> tuple[str, str]:
    """The registrations file and practice map present under the data folder."""
    reg = next(
        (c for c in SOURCES["gp_registrations"].candidates if (ctx.data_dir / c).exists()), None
    )
    if reg is None:
        raise LoadError(
            f"no GP registrations file under {ctx.data_dir} "
            f"(looked for {', '.join(SOURCES['gp_registrations'].candidates)})"
        )
    return reg, SOURCES["gp_practice_map"].path


def load(ctx: LoadContext, settings: PcnSettings | None = None) -> PartResult:
    """Derive PCN footprints and weights from the registrations in the data folder."""
    s = settings or PcnSettings()
    res = PartResult("pcn")
    with timed(res):
        reg_rel, map_rel = registration_paths(ctx)
        ctx.progress.start("PCNs from GP registrations", total=4)
        reg = read_registrations(ctx.path(reg_rel))
        pmap = read_practice_map(ctx.path(map_rel))
        ids = ctx.require_lsoas()
        cleaned = clean(reg, pmap, set(ids), source=reg_rel)
        ctx.progress.advance()
        write_pcns(ctx, cleaned, s, res)
        res.notes.append(f"from {reg_rel} and {map_rel}")
        ctx.progress.done()
    return res


def report_cleaning(cleaned: Cleaned, res: PartResult) -> None:
    """Counts of what the publication held and what was removed, for the closing table."""
    res.counts["registration rows read"] = cleaned.total_rows
    res.counts["registered patients read"] = cleaned.total_patients
    for reason, c in cleaned.removed.items():
        res.counts[f"removed: {REASONS[reason]} (rows)"] = c["rows"]
        res.notes.append(
            f"removed {c['rows']:,} rows, {c['patients']:,} patients, "
            f"{c['practices']:,} practices: {REASONS[reason]}"
        )
    res.notes.extend(cleaned.notes)


def write_pcns(ctx: LoadContext, cleaned: Cleaned, s: PcnSettings, res: PartResult) -> None:
    """Weights, polygons and area rows of the PCNs in ``cleaned``."""
    report_cleaning(cleaned, res)
    weights = pcn_lsoa_weights(cleaned.rows)
    lsoa_pop = ctx.lsoa_population()
    ids = ctx.require_lsoas()
    coverage = None
    if lsoa_pop is not None:
        residents = weights["lsoa21_code"].map(ids).map(lsoa_pop)
        cov = weights["lsoa_patients"] / residents.replace(0.0, np.nan)
        coverage = pd.Series(cov.to_numpy(), index=weights["lsoa21_code"]).groupby(level=0).first()
    drawn = footprint_lsoas(
        weights,
        rule=s.polygon_rule,
        min_share=s.min_share,
        coverage=coverage,
        min_coverage=s.min_coverage,
    )
    ctx.progress.advance()
    lsoa = ctx.lsoa_frame()
    pos = pd.Series(np.arange(len(lsoa)), index=lsoa["code"].to_numpy())
    groups = {
        str(k): pos[g["lsoa21_code"]].to_numpy() for k, g in drawn.groupby("pcn_code", sort=True)
    }
    unions = union_groups(np.asarray(lsoa.geometry.values, dtype=object), groups)
    ctx.progress.advance()
    codes = sorted(groups)
    patients = weights.groupby("pcn_code")["patients"].sum()
    practices = cleaned.practices.groupby("pcn_code")
    fallback = set(drawn.loc[drawn["fallback"], "pcn_code"])
    props = []
    for c in codes:
        p = cleaned.pcns.loc[c]
        pr = practices.get_group(c).sort_values("practice_code")
        props.append(
            json.dumps(
                {
                    "source": SOURCE,
                    "ods_code": c,
                    "sicbl_code": p["sicbl_code"],
                    "sicbl_name": p["sicbl_name"],
                    "icb_code": p["icb_code"],
                    "icb_name": p["icb_name"],
                    "extract_date": cleaned.extract_date,
                    "polygon_rule": s.polygon_rule
                    + (f" (share >= {s.min_share})" if s.polygon_rule == "min_share" else ""),
                    "polygon_fallback": c in fallback,
                    "polygon_lsoas": len(groups[c]),
                    "practices": [
                        {
                            "code": r.practice_code,
                            "name": r.practice_name,
                            "patients": int(r.patients),
                        }
                        for r in pr.itertuples(index=False)
                    ],
                }
            )
        )
    frame = pd.DataFrame(
        {
            "code": codes,
            "name": [str(cleaned.pcns.loc[c, "name"]) for c in codes],
            "population": [float(patients[c]) for c in codes],
            "properties": props,
        }
    )
    gone = ctx.conn.execute(
        text(
            "SELECT id FROM area WHERE kind = 'pcn' "
            "AND coalesce(properties->>'source', :src) = :src AND NOT (code = ANY(:codes))"
        ),
        {"src": SOURCE, "codes": codes},
    ).scalars()
    delete_area_rows(ctx.conn, list(gone))
    area_ids = upsert_areas(
        ctx.conn,
        kind="pcn",
        vintage=cleaned.vintage,
        frame=frame,
        geoms=[unions[c] for c in codes],
        population_basis=POPULATION_BASIS,
        weight_basis="registrations",
        replace=False,
    )
    in_polygon = set(zip(drawn["pcn_code"], drawn["lsoa21_code"], strict=True))
    w = pd.DataFrame(
        {
            "area_id": weights["pcn_code"].map(area_ids).to_numpy(dtype=np.int64),
            "lsoa_id": weights["lsoa21_code"].map(ids).to_numpy(dtype=np.int64),
            "area_share": [
                1.0 if k in in_polygon else 0.0
                for k in zip(weights["pcn_code"], weights["lsoa21_code"], strict=True)
            ],
            "pop_share": weights["share"].to_numpy(dtype=float),
            "population": weights["patients"].to_numpy(dtype=float),
        }
    )
    replace_weights(ctx.conn, kind="pcn", weights=w, area_ids=list(area_ids.values()))
    ctx.progress.advance()
    res.counts["pcn"] = len(codes)
    res.counts["practices"] = len(cleaned.practices)
    res.counts["PCN-LSOA weights"] = len(w)
    res.counts["LSOAs drawn into PCN polygons"] = int((~drawn["fallback"]).sum())
    res.counts["patients placed in English LSOAs"] = int(weights["patients"].sum())
    if fallback:
        res.notes.append(
            f"{len(fallback)} PCNs lead in no LSOA: drawn over their best LSOA "
            f"({', '.join(sorted(fallback)[:5])})"
        )
    if coverage is not None and s.min_coverage > 0:
        outside = int((coverage < s.min_coverage).sum())
        res.notes.append(
            f"{outside:,} LSOAs with registrations are outside the file's reach "
            f"(patients < {s.min_coverage} x residents): weighted, not drawn"
        )


#: The ``pcn`` part of ``depmap load``.
PART = Part(
    "pcn",
    load,
    needs=("gp_registrations", "gp_practice_map"),
    doc="PCNs derived from GP registrations",
    optional=True,
)
