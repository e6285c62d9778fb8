"""PCN footprints derived from GP registrations (the ``pcn`` part of ``depmap load``).

Every registrations file under ``nhs/`` (``gp-reg-pat-prac-lsoa-all*.csv``) is an
extract: its LSOA geography is told from its codes (2011 extracts are carried to
2021 LSOAs with the ONS lookup), and each practice is taken from the latest extract
that holds it (:func:`geo.registrations.combine`). Per PCN and LSOA21: its
registered patients and its share of the LSOA's residents by the rule of
:mod:`geo.pcn` (never more residents than patients). These become the PCN's
``area_lsoa`` rows (``weight_basis = 'registrations'``: ``population`` = patients,
``pop_share`` = the rule's share, ``area_share`` = 1 where the PCN's polygon takes
the LSOA, else 0), so every measure of a PCN is weighted by registered patients,
the way practice IMD scores are made (``population_basis =
'gp_registered_patients'``), and every answer attributing residents to PCNs follows
one rule. The extracts used and the coverage of each ICB are stored in
``registration_extract`` and ``registration_icb`` for the answers to cite.

A load replaces every PCN derived from registrations before; PCN footprints an
ICB supplies itself (:mod:`loaders.pcn.supplied`) are separate areas and are
left alone.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text

from depmap.core.db import delete_area_rows
from depmap.core.errors import LoadError
from geo.pcn import (
    capped_shares,
    coverage_by,
    footprint_lsoas,
    lsoa_coverage,
    lsoa_reach,
    pcn_attributes,
    pcn_records,
    practice_table,
    weight_rows,
)
from geo.registrations import REASONS, Combined, Geography, combine, detect_geography
from geo.union import union_groups
from loaders.areas import replace_weights, upsert_areas
from loaders.base import LoadContext, Part, PartResult, copy_frame, timed
from loaders.lsoa11 import crosswalk
from loaders.pcn.registrations import RegistrationFile, read_extract, read_practice_map
from sources.layout import SOURCES
from sources.tables import read_csv

log = logging.getLogger("depmap.load")

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
        description="Draw an LSOA only where the loaded registered patients reach this "
        "multiple of its Census 2021 residents (leaves out LSOAs of ICBs whose practices "
        "are not loaded, where a few patients registered across the border).",
    )

    @property
    def rule_text(self) -> str:
        extra = f" (share >= {self.min_share})" if self.polygon_rule == "min_share" else ""
        return self.polygon_rule + extra


@dataclass
class Inputs:
    """What the files say: the extracts, their geographies, the practice map."""

    files: list[RegistrationFile]
    geographies: dict[str, Geography]
    practice_map: pd.DataFrame
    map_rel: str


def registration_files(ctx: LoadContext) -> list[str]:
    """Every registrations extract under the data folder."""
    src = SOURCES["gp_registrations"]
    found = src.present(ctx.data_dir)
    if not found:
        raise LoadError(f"no GP registrations file under {ctx.data_dir} (looked for {src.pattern})")
    return found


def lsoa11_codes(ctx: LoadContext) -> pd.Index:
    """The 2011 LSOA codes: the ONS lookup's if it is in the data folder, else the
    LSOA11s loaded (none if neither)."""
    src = SOURCES["lsoa11_lsoa21"]
    if (ctx.data_dir / src.path).is_file():
        lk = read_csv(ctx.data_dir / src.path, required=["lsoa11_code"], aliases=src.aliases)
        return pd.Index(lk["lsoa11_code"].astype(str).unique())
    rows = ctx.conn.execute(text("SELECT code FROM area WHERE kind = 'lsoa11'")).scalars()
    return pd.Index(list(rows))


def read_inputs(ctx: LoadContext) -> Inputs:
    """Read every extract and the practice map; tell each extract's LSOA geography."""
    map_rel = SOURCES["gp_practice_map"].path
    pmap = read_practice_map(ctx.path(map_rel))
    files = [read_extract(ctx.path(rel), rel) for rel in registration_files(ctx)]
    l11, l21 = lsoa11_codes(ctx), pd.Index(list(ctx.require_lsoas()))
    geos = {}
    for f in files:
        try:
            geos[f.rel] = detect_geography(f.lsoa_codes, l11, l21, f.extract_date, what=f.rel)
        except ValueError as e:
            raise LoadError(str(e)) from e
    return Inputs(files, geos, pmap, map_rel)


def combined(ctx: LoadContext, inp: Inputs) -> Combined:
    """:func:`geo.registrations.combine` of the extracts, with the crosswalk if needed."""
    xw = None
    if any(g.name == "lsoa11" for g in inp.geographies.values()):
        try:
            xw = crosswalk(ctx)
        except LoadError as e:
            raise LoadError(f"a registrations extract is on 2011 LSOAs: {e}") from e
    try:
        return combine(
            [f.extract for f in inp.files],
            {k: g.name for k, g in inp.geographies.items()},
            inp.practice_map,
            list(ctx.require_lsoas()),
            xw,
        )
    except ValueError as e:
        raise LoadError(str(e)) from e


def residents_by_code(ctx: LoadContext) -> pd.Series:
    """Census 2021 residents per LSOA21 code (empty if the population is not loaded)."""
    pop = ctx.lsoa_population()
    if pop is None:
        return pd.Series(dtype=float)
    ids = ctx.require_lsoas()
    codes = pd.Series(list(ids.keys()), index=list(ids.values()))
    return pd.Series(pop.to_numpy(), index=codes.reindex(pop.index).to_numpy()).dropna()


def load(ctx: LoadContext, settings: PcnSettings | None = None) -> PartResult:
    """Derive PCN footprints and weights from the registrations in the data folder."""
    s = settings or PcnSettings()
    res = PartResult("pcn")
    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = now - clock
        clock = now
        ctx.progress.advance()

    with timed(res):
        ctx.progress.start("PCNs from GP registrations", total=5)
        inp = read_inputs(ctx)
        step("read")
        reg = combined(ctx, inp)
        residents = residents_by_code(ctx)
        weights = capped_shares(reg.rows, residents)
        reach = lsoa_reach(weights)
        drawn = footprint_lsoas(
            weights,
            rule=s.polygon_rule,
            min_share=s.min_share,
            coverage=reach if len(residents) else None,
            min_coverage=s.min_coverage,
        )
        step("combine and weigh")
        pcn_ids = write_pcns(ctx, inp, reg, weights, drawn, s)
        step("polygons and PCN rows")
        icbs = write_registrations(ctx, inp, reg, weights, residents)
        step("extract and ICB tables")
        report(res, inp, reg, weights, drawn, icbs, s, reach)
        res.counts["pcn"] = len(pcn_ids)
        res.notes.append("steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
        ctx.progress.done()
    return res


def extract_meta(inp: Inputs) -> dict[str, dict[str, str]]:
    return {
        f.rel: {
            "file": f.rel,
            "extract_date": f.published.date().isoformat(),
            "publication": f.publication,
        }
        for f in inp.files
    }


def write_pcns(
    ctx: LoadContext,
    inp: Inputs,
    reg: Combined,
    weights: pd.DataFrame,
    drawn: pd.DataFrame,
    s: PcnSettings,
) -> dict[str, int]:
    """Polygons, area rows and LSOA weights of the derived PCNs; returns code -> id."""
    lsoa = ctx.lsoa_frame()
    pos = pd.Series(np.arange(len(lsoa)), index=lsoa["code"].to_numpy())
    groups = {
        str(k): pos[g["lsoa21_code"]].to_numpy() for k, g in drawn.groupby("pcn_code", sort=True)
    }
    unions = union_groups(np.asarray(lsoa.geometry.values, dtype=object), groups)
    frame = pcn_records(
        weights,
        drawn,
        pcn_attributes(reg.rows, inp.practice_map),
        practice_table(reg.rows, inp.practice_map),
        extracts=extract_meta(inp),
        polygon_rule=s.rule_text,
        source=SOURCE,
    )
    codes = frame["code"].tolist()
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
        vintage="",
        frame=frame,
        geoms=[unions[c] for c in codes],
        population_basis=POPULATION_BASIS,
        weight_basis="registrations",
        replace=False,
    )
    w = weight_rows(weights, drawn)
    ids = ctx.require_lsoas()
    w["area_id"] = w["pcn_code"].map(area_ids).to_numpy(dtype=np.int64)
    w["lsoa_id"] = w["lsoa21_code"].map(ids).to_numpy(dtype=np.int64)
    replace_weights(ctx.conn, kind="pcn", weights=w, area_ids=list(area_ids.values()))
    return area_ids


def icb_lsoas(ctx: LoadContext) -> tuple[pd.Series, pd.Series]:
    """LSOA21 code -> ICB code, and ICB code -> name, from the loaded ICB footprints."""
    rows = ctx.conn.execute(
        text(
            "SELECT l.code, i.code, i.name FROM area_lsoa w JOIN area i ON i.id = w.area_id "
            "JOIN area l ON l.id = w.lsoa_id WHERE w.kind = 'icb' ORDER BY l.code"
        )
    ).all()
    if not rows:
        return pd.Series(dtype=object), pd.Series(dtype=object)
    lsoa, icb, name = (list(x) for x in zip(*rows, strict=True))
    return pd.Series(icb, index=lsoa), pd.Series(name, index=icb).groupby(level=0).first()


def icb_table(
    ctx: LoadContext, reg: Combined, weights: pd.DataFrame, residents: pd.Series
) -> pd.DataFrame:
    """Per ICB: the extracts its practices come from, practices and patients placed, PCNs,
    and the residents of its LSOAs the registrations cover."""
    groups, names = icb_lsoas(ctx)
    used = reg.icbs[reg.icbs["icb_code"] != ""]
    per = used.groupby("icb_code").agg(
        extracts=("extract", lambda x: sorted(set(x))),
        practices=("practices_in_pcn", "sum"),
        patients_placed=("patients_in_pcn", "sum"),
        map_name=("icb_name", "first"),
    )
    out = (
        coverage_by(lsoa_coverage(weights), residents, groups, names)
        if len(groups)
        else pd.DataFrame(columns=["residents", "attributed", "coverage", "name"])
    )
    out = out.join(per, how="outer")
    out["name"] = out["name"].fillna(out["map_name"]).fillna(pd.Series(out.index, index=out.index))
    out["extracts"] = [x if isinstance(x, list) else [] for x in out["extracts"]]
    for c in ("practices", "patients_placed", "residents", "attributed", "coverage"):
        out[c] = out[c].fillna(0)
    return out.drop(columns="map_name")


def write_registrations(
    ctx: LoadContext,
    inp: Inputs,
    reg: Combined,
    weights: pd.DataFrame,
    residents: pd.Series,
) -> pd.DataFrame:
    """``registration_extract`` and ``registration_icb``, replaced; returns the ICB table."""
    pcn_icb = pcn_attributes(reg.rows, inp.practice_map)["icb_code"]
    icbs = icb_table(ctx, reg, weights, residents)
    icbs["pcns"] = pcn_icb.value_counts().reindex(icbs.index).fillna(0).astype(int)
    src = reg.sources.groupby("extract")
    sup = reg.superseded.set_index("extract")
    placed = reg.rows.groupby("extract")["patients"].sum()
    pcns = reg.rows.groupby("extract")["pcn_code"].nunique()
    ext = pd.DataFrame(
        {
            "name": [f.rel for f in inp.files],
            "extract_date": [f.published.date().isoformat() for f in inp.files],
            "publication": [f.publication for f in inp.files],
            "lsoa_geography": [inp.geographies[f.rel].name for f in inp.files],
            "geography_by": [inp.geographies[f.rel].by for f in inp.files],
            "rows_read": [f.total_rows for f in inp.files],
            "patients_read": [float(f.total_patients) for f in inp.files],
            "practices": [int(src.size().get(f.rel, 0)) for f in inp.files],
            "practices_superseded": [
                int(sup["practices"].get(f.rel, 0)) if len(sup) else 0 for f in inp.files
            ],
            "patients_placed": [float(placed.get(f.rel, 0.0)) for f in inp.files],
            "pcns": [int(pcns.get(f.rel, 0)) for f in inp.files],
        }
    )
    ctx.conn.execute(text("DELETE FROM registration_extract"))
    copy_frame(ctx.conn, "registration_extract", ext)
    ctx.conn.execute(text("DELETE FROM registration_icb"))
    copy_frame(
        ctx.conn,
        "registration_icb",
        pd.DataFrame(
            {
                "icb_code": icbs.index.to_numpy(),
                "icb_name": icbs["name"].astype(str).to_numpy(),
                "extracts": ["{" + ",".join(f'"{e}"' for e in x) + "}" for x in icbs["extracts"]],
                "practices": icbs["practices"].astype(int).to_numpy(),
                "patients_placed": icbs["patients_placed"].astype(float).to_numpy(),
                "pcns": icbs["pcns"].to_numpy(),
                "residents": icbs["residents"].astype(float).to_numpy(),
                "attributed": icbs["attributed"].astype(float).to_numpy(),
                "coverage": icbs["coverage"].astype(float).to_numpy(),
            }
        ),
    )
    return icbs


def report(
    res: PartResult,
    inp: Inputs,
    reg: Combined,
    weights: pd.DataFrame,
    drawn: pd.DataFrame,
    icbs: pd.DataFrame,
    s: PcnSettings,
    reach: pd.Series,
) -> None:
    """Counts and notes for the closing table and ``load_run.report``: each extract (its
    geography, rows, what was superseded), every row not used by reason, and per ICB
    the extracts used, practices and patients placed and the residents covered."""
    res.counts["registration files"] = len(inp.files)
    res.counts["registration rows read"] = sum(f.total_rows for f in inp.files)
    res.counts["registered patients read"] = sum(f.total_patients for f in inp.files)
    src = reg.sources.groupby("extract").size()
    for f in inp.files:
        g = inp.geographies[f.rel]
        told = (
            f"told by its codes: {max(g.only11, g.only21):,} of "
            f"{'2011' if g.name == 'lsoa11' else '2021'} LSOAs only"
            if g.by == "codes"
            else "told by its date: its codes are in both"
        )
        res.notes.append(
            f"{f.rel}: extract of {f.published:%d %b %Y} on {g.name.upper()}s ({told}); "
            f"{f.total_rows:,} rows, {f.total_patients:,} patients; "
            f"{int(src.get(f.rel, 0)):,} practices used"
        )
        res.notes.extend(f.notes)
    for r in reg.superseded.itertuples(index=False):
        res.counts["rows superseded by a later extract"] = res.counts.get(
            "rows superseded by a later extract", 0
        ) + int(r.rows)
        res.notes.append(
            f"{r.extract}: {r.rows:,} rows, {r.patients:,.0f} patients of {r.practices:,} "
            "practices left aside: a later extract holds those practices (latest wins)"
        )
    for r in reg.removed.itertuples(index=False):
        key = f"removed: {REASONS[r.reason]} (rows)"
        res.counts[key] = res.counts.get(key, 0) + int(r.rows)
        res.notes.append(
            f"removed {r.rows:,} rows, {r.patients:,.0f} patients, {r.practices:,} "
            f"practices: {REASONS[r.reason]} ({r.extract})"
        )
    lsoas_drawn = int((~drawn["fallback"]).sum())
    res.counts["practices"] = int(reg.rows["practice_code"].nunique())
    res.counts["PCN-LSOA weights"] = len(weights)
    res.counts["LSOAs drawn into PCN polygons"] = lsoas_drawn
    res.counts["patients placed in English LSOAs"] = round(float(weights["patients"].sum()))
    res.counts["ICBs with registrations"] = int((icbs["practices"] > 0).sum())
    fallback = sorted(set(drawn.loc[drawn["fallback"], "pcn_code"]))
    if fallback:
        res.notes.append(
            f"{len(fallback)} PCNs lead in no LSOA: drawn over their best LSOA "
            f"({', '.join(fallback[:5])})"
        )
    if len(reach) and s.min_coverage > 0:
        outside = int((reach < s.min_coverage).sum())
        res.notes.append(
            f"{outside:,} LSOAs with registrations are outside the registrations' reach "
            f"(patients < {s.min_coverage} x residents): weighted, not drawn"
        )
    month = {f.rel: f.publication for f in inp.files}
    for code, r in icbs.iterrows():
        used = " and ".join(f"the {month[e]} extract" for e in r["extracts"]) or "no extract"
        res.notes.append(
            f"{code} {r['name']}: {used}, {int(r['practices']):,} practices, "
            f"{r['patients_placed']:,.0f} patients placed, {int(r['pcns'])} PCNs; "
            f"{100 * r['coverage']:.1f}% of its {r['residents']:,.0f} residents attributed"
        )
    res.notes.append(f"practice map: {inp.map_rel}")


#: The ``pcn`` part of ``depmap load``.
PART = Part(
    "pcn",
    load,
    needs=("gp_registrations", "gp_practice_map"),
    doc="PCNs derived from GP registrations (every extract; 2011 ones carried to 2021 LSOAs)",
    optional=True,
)
