"""Programme areas (Big Local and others): checked, weighted over LSOA21s, replaced whole.

``depmap load areas FILE --programme NAME`` runs :func:`load_programme` inside the
load pipeline's transaction (one transaction under the load lock, derived tables
rebuilt after it), so reloading a programme replaces it all at once and a bad
file leaves the previous programme as it was.

Each area is one ``area`` row of kind ``programme`` with ``programme = NAME`` and
the code ``<slug of NAME>:<code in the file>`` (codes are unique per kind, so two
programmes may use the same codes). Its LSOA21 weights:

* boundary files: ``area_share`` = the share of each LSOA's area inside the area
  (``depmap/sql/area_weights.sql``), population apportioned by area inside a cut
  LSOA (``weight_basis = 'area'``);
* LSOA21 code lists: whole LSOAs (shares 1, ``weight_basis = 'lsoa'``);
* OA21 code lists: the share of the LSOA's output areas listed, weighted by the OA
  population when the lookup carries one, else by count (OAs are drawn to hold
  similar numbers of households); the polygon is the union of the LSOAs touched
  and ``area_m2`` the apportioned area.

Checks: areas outside England (no English LSOA under them), empty areas and
overlapping areas are reported; the first two fail the load unless
``skip_invalid`` is set, overlaps are reported in the closing table.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from depmap.core.db import delete_area_rows
from depmap.core.errors import LoadError
from depmap.core.names import programme_code, programme_slug
from depmap.core.sqlfiles import sql
from geo.union import union_groups
from loaders.areas import replace_weights, upsert_areas
from loaders.base import LoadContext, PartResult, timed
from loaders.programme_files import AreaFile, read_area_file
from sources.layout import SOURCES
from sources.tables import read_csv

#: Overlaps smaller than this (m²) are boundary noise between neighbouring areas.
OVERLAP_NOISE_M2 = 1.0
#: Areas with less than this share of their area over English LSOAs are outside England.
OUTSIDE_ENGLAND = 1e-3


def delete_programme(conn: Connection, programme: str) -> int:
    """Delete every area of a programme and what hangs on it (the caller commits)."""
    ids = conn.execute(
        text("SELECT id FROM area WHERE kind = 'programme' AND programme = :p"), {"p": programme}
    ).scalars()
    return delete_area_rows(conn, list(ids))


def write_programme_areas(
    ctx: LoadContext,
    programme: str,
    frame: pd.DataFrame,
    geoms: np.ndarray,
    *,
    weights: pd.DataFrame | None,
    vintage: str,
) -> dict[str, int]:
    """Replace the areas of ``programme`` by ``frame`` (``code, name, properties``; codes
    already namespaced) with their geometries, and their LSOA weights.

    ``weights`` (``code, lsoa_id, share``) gives the shares of code-list areas; without
    it the areas are weighted by area from their polygons. Returns code -> area id.
    """
    other = (
        ctx.conn.execute(
            text(
                "SELECT DISTINCT programme FROM area WHERE kind = 'programme' "
                "AND programme IS DISTINCT FROM :p AND (code = ANY(:codes) "
                "OR split_part(code, ':', 1) = :slug)"
            ),
            {"p": programme, "codes": list(frame["code"]), "slug": programme_slug(programme)},
        )
        .scalars()
        .all()
    )
    if other:
        # codes are "<slug>:<code>": two names with one slug would take each other's areas
        raise LoadError(
            f"programme {programme!r} would share its codes with programme "
            f"{other[0]!r} (same slug {programme_slug(programme)!r}); rename one of them"
        )
    ids = upsert_areas(
        ctx.conn,
        kind="programme",
        vintage=vintage,
        frame=frame,
        geoms=geoms,
        weight_basis="area" if weights is None else "lsoa",
        programme=programme,
        replace=True,
    )
    id_list = [ids[c] for c in frame["code"]]
    if weights is None:
        ctx.conn.execute(text("DELETE FROM area_lsoa WHERE area_id = ANY(:ids)"), {"ids": id_list})
        ctx.conn.execute(sql("area_weights"), {"ids": id_list})
    else:
        w = pd.DataFrame(
            {
                "area_id": weights["code"].map(ids).to_numpy(dtype=np.int64),
                "lsoa_id": weights["lsoa_id"].to_numpy(dtype=np.int64),
                "area_share": weights["share"].to_numpy(dtype=float),
                "pop_share": weights["share"].to_numpy(dtype=float),
            }
        )
        replace_weights(
            ctx.conn,
            kind="programme",
            weights=w,
            area_ids=id_list,
            lsoa_population=ctx.lsoa_population(),
        )
        # the apportioned area, consistent with the shares (the polygon is whole LSOAs)
        ctx.conn.execute(
            text(
                "UPDATE area a SET area_m2 = s.m2 FROM (SELECT w.area_id, "
                "sum(w.area_share * l.area_m2 ORDER BY w.lsoa_id) AS m2 "
                "FROM area_lsoa w JOIN area l "
                "ON l.id = w.lsoa_id WHERE w.area_id = ANY(:ids) GROUP BY w.area_id) s "
                "WHERE a.id = s.area_id"
            ),
            {"ids": id_list},
        )
    return ids


def oa_lookup(ctx: LoadContext) -> pd.DataFrame:
    """The OA21 -> LSOA21 lookup (``oa21_code, lsoa21_code, weight``), or a clear error."""
    src = SOURCES["oa21_lsoa21"]
    rel = next((c for c in src.candidates if (ctx.data_dir / c).exists()), None)
    if rel is None:
        raise LoadError(
            "the file lists OA21 codes, which need the ONS OA21 -> LSOA21 lookup: put it at "
            f"{ctx.data_dir / src.path} (columns oa21_code or OA21CD, lsoa21_code or LSOA21CD, "
            "optionally population), e.g. with `depmap fetch`, or list LSOA21 codes instead"
        )
    path = ctx.data_dir / rel
    lk = read_csv(
        path, required=["oa21_code", "lsoa21_code"], aliases=src.aliases, optional=["population"]
    )
    lk["oa21_code"] = lk["oa21_code"].astype("string").str.strip().str.upper()
    lk["lsoa21_code"] = lk["lsoa21_code"].astype("string").str.strip().str.upper()
    if lk["oa21_code"].duplicated().any():
        raise LoadError(
            f"{path.name}: OA21 codes listed twice, e.g. "
            f"{', '.join(lk.loc[lk['oa21_code'].duplicated(), 'oa21_code'][:3])}"
        )
    if "population" in lk:
        w = pd.to_numeric(lk["population"], errors="coerce")
        lk["weight"] = w.where(w > 0, np.nan).fillna(0.0)
        if (lk.groupby("lsoa21_code")["weight"].transform("sum") <= 0).any():
            lk["weight"] = 1.0  # some LSOAs have no OA population: fall back to counts
    else:
        lk["weight"] = 1.0
    return lk[["oa21_code", "lsoa21_code", "weight"]]


def code_list_weights(
    ctx: LoadContext, f: AreaFile, res: PartResult
) -> tuple[pd.DataFrame, set[str]]:
    """(``code, lsoa21_code, lsoa_id, share``, codes of areas wholly outside England)."""
    assert f.units is not None
    u = f.units
    welsh = u["unit_code"].str.startswith("W")
    outside: set[str] = set()
    if welsh.any():
        res.notes.append(f"{int(welsh.sum())} Welsh codes are outside England: left out")
        outside = set(u.loc[welsh, "code"]) - set(u.loc[~welsh, "code"])
        u = u[~welsh]
    ids = ctx.require_lsoas()
    parts = []
    lsoa = u[u["unit_kind"] == "lsoa21"]
    if len(lsoa):
        unknown = lsoa.loc[~lsoa["unit_code"].isin(ids.keys()), "unit_code"]
        if len(unknown):
            raise LoadError(
                f"{f.path.name}: {len(unknown):,} LSOA21 codes are not among the loaded LSOAs, "
                f"e.g. {', '.join(unknown.unique()[:5])}"
            )
        parts.append(
            pd.DataFrame({"code": lsoa["code"], "lsoa21_code": lsoa["unit_code"], "share": 1.0})
        )
    oa = u[u["unit_kind"] == "oa21"]
    if len(oa):
        lk = oa_lookup(ctx).set_index("oa21_code")
        unknown = oa.loc[~oa["unit_code"].isin(lk.index), "unit_code"]
        if len(unknown):
            raise LoadError(
                f"{f.path.name}: {len(unknown):,} OA21 codes are not in the OA21 -> LSOA21 "
                f"lookup, e.g. {', '.join(unknown.unique()[:5])}"
            )
        total = lk.groupby("lsoa21_code")["weight"].sum()
        l21 = oa["unit_code"].map(lk["lsoa21_code"])
        share = oa["unit_code"].map(lk["weight"]).to_numpy() / l21.map(total).to_numpy()
        parts.append(
            pd.DataFrame(
                {"code": oa["code"].to_numpy(), "lsoa21_code": l21.to_numpy(), "share": share}
            )
        )
        res.counts["OA21 codes"] = len(oa)
    w = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["code", "lsoa21_code", "share"])
    )
    w = w.groupby(["code", "lsoa21_code"], as_index=False)["share"].sum()
    w["share"] = w["share"].clip(upper=1.0)
    w["lsoa_id"] = w["lsoa21_code"].map(ids).astype("int64")
    return w, outside


def _union_of_lsoas(ctx: LoadContext, w: pd.DataFrame, codes: list[str]) -> np.ndarray:
    rows = ctx.conn.execute(
        text("SELECT id, ST_AsBinary(geom) FROM area WHERE id = ANY(:ids)"),
        {"ids": [int(i) for i in w["lsoa_id"].unique()]},
    ).all()
    pos = {int(i): k for k, (i, _) in enumerate(rows)}
    geoms = np.asarray(shapely.from_wkb([bytes(b) for _, b in rows]), dtype=object)
    groups = {c: np.array([pos[int(i)] for i in g["lsoa_id"]]) for c, g in w.groupby("code")}
    u = union_groups(geoms, groups)
    return np.asarray([u[c] for c in codes], dtype=object)


def _overlap_notes(f: AreaFile, w: pd.DataFrame | None, res: PartResult) -> None:
    pairs: list[tuple[str, str, float]] = []
    if f.geoms is not None and w is None:
        tree = shapely.STRtree(f.geoms)
        a, b = tree.query(f.geoms, predicate="intersects")
        for i, j in zip(a, b, strict=True):
            if i < j:
                m2 = float(shapely.area(shapely.intersection(f.geoms[i], f.geoms[j])))
                if m2 > OVERLAP_NOISE_M2:
                    pairs.append((f.areas["code"].iloc[i], f.areas["code"].iloc[j], m2))
        what = "m²"
    else:
        assert f.units is not None
        shared = f.units.groupby("unit_code")["code"].agg(list)
        shared = shared[shared.map(len) > 1]
        seen: dict[tuple[str, str], float] = {}
        for lst in shared:
            for x in range(len(lst)):
                for y in range(x + 1, len(lst)):
                    k = (min(lst[x], lst[y]), max(lst[x], lst[y]))
                    seen[k] = seen.get(k, 0.0) + 1.0
        pairs = [(a2, b2, n) for (a2, b2), n in seen.items()]
        what = "shared codes"
    res.counts["overlapping pairs of areas"] = len(pairs)
    for a2, b2, v in pairs[:10]:
        res.notes.append(f"areas {a2} and {b2} overlap ({v:,.0f} {what})")
    if len(pairs) > 10:
        res.notes.append(f"... and {len(pairs) - 10} more overlapping pairs")


def load_programme(
    ctx: LoadContext,
    path: Path,
    programme: str,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    skip_invalid: bool = False,
) -> PartResult:
    """Load (or replace) the areas of ``programme`` from ``path``."""
    res = PartResult(f"programme {programme}")
    with timed(res):
        programme = programme.strip()
        if not programme_slug(programme):
            raise LoadError(f"programme name {programme!r} has no letters or digits")
        if len(programme) > 200:
            raise LoadError("the programme name is longer than 200 characters")
        ctx.progress.start(f"programme {programme}: {path.name}", total=3)
        f = read_area_file(path, code_field=code_field, name_field=name_field)
        res.notes.extend(f.notes)
        ctx.progress.advance()
        stored = f.areas["code"].map(lambda c: programme_code(programme, c))
        if stored.duplicated().any():
            raise LoadError(
                f"{path.name}: codes that differ only in punctuation: "
                f"{', '.join(f.areas.loc[stored.duplicated(keep=False), 'code'][:5])}"
            )
        problems: dict[str, list[str]] = {"empty": list(f.empty)}
        w = None
        if f.units is not None:
            w, outside = code_list_weights(ctx, f, res)
            problems["outside England"] = sorted(outside)
            problems["empty"] = sorted(
                set(problems["empty"]) | (set(f.areas["code"]) - set(w["code"]) - outside)
            )
        keep = ~f.areas["code"].isin(set().union(*problems.values()))
        _fail_or_skip(problems, path, skip_invalid, res)
        areas = f.areas[keep].reset_index(drop=True)
        if areas.empty:
            raise LoadError(f"{path.name}: no area is left to load")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        frame = pd.DataFrame(
            {
                "code": areas["code"].map(lambda c: programme_code(programme, c)),
                "name": areas["name"],
                "properties": [
                    json.dumps(
                        {
                            "source_code": c,
                            "source_file": path.name,
                            "format": f.format,
                            "loaded_at": now,
                        }
                    )
                    for c in areas["code"]
                ],
            }
        )
        if w is not None:
            w = w[w["code"].isin(set(areas["code"]))].assign(
                code=lambda x: x["code"].map(lambda c: programme_code(programme, c))
            )
            geoms = _union_of_lsoas(ctx, w, frame["code"].tolist())
        else:
            assert f.geoms is not None
            geoms = f.geoms[keep.to_numpy()]
        ids = write_programme_areas(ctx, programme, frame, geoms, weights=w, vintage=f.format)
        ctx.progress.advance()
        if w is None:
            source_codes = dict(zip(frame["code"], areas["code"], strict=True))
            _check_geometric_coverage(ctx, ids, source_codes, path, skip_invalid, res)
        _overlap_notes(
            AreaFile(path, f.format, areas, geoms if w is None else None, units=f.units), w, res
        )
        ctx.progress.advance()
        ctx.progress.done()
        n = int(
            ctx.conn.execute(
                text("SELECT count(*) FROM area WHERE kind = 'programme' AND programme = :p"),
                {"p": programme},
            ).scalar()
            or 0
        )
        res.counts["programme areas"] = n
        res.counts["LSOA21 weights"] = int(
            ctx.conn.execute(
                text(
                    "SELECT count(*) FROM area_lsoa w JOIN area a ON a.id = w.area_id "
                    "WHERE a.kind = 'programme' AND a.programme = :p"
                ),
                {"p": programme},
            ).scalar()
            or 0
        )
        res.notes.append(f"from {path.name} ({f.format})")
    return res


def _fail_or_skip(
    problems: dict[str, list[str]], path: Path, skip_invalid: bool, res: PartResult
) -> None:
    found = {k: v for k, v in problems.items() if v}
    for k, v in found.items():
        res.counts[f"{k} areas"] = len(v)
        res.notes.append(f"{k}: {', '.join(v[:10])}{' ...' if len(v) > 10 else ''}")
    if found and not skip_invalid:
        raise LoadError(
            f"{path.name}: "
            + "; ".join(f"{len(v)} {k} area(s): {', '.join(v[:5])}" for k, v in found.items())
            + " (fix the file, or pass --skip-invalid to load the others)"
        )


def _check_geometric_coverage(
    ctx: LoadContext,
    ids: dict[str, int],
    source_codes: dict[str, str],
    path: Path,
    skip_invalid: bool,
    res: PartResult,
) -> None:
    """Areas with (almost) no English LSOA under them are outside England.

    ``source_codes`` maps stored codes to the codes in the file.
    """
    rows = ctx.conn.execute(
        text(
            "SELECT a.code, a.area_m2, "
            "coalesce(sum(w.area_share * l.area_m2 ORDER BY w.lsoa_id), 0) AS inside "
            "FROM area a LEFT JOIN area_lsoa w ON w.area_id = a.id "
            "LEFT JOIN area l ON l.id = w.lsoa_id WHERE a.id = ANY(:ids) GROUP BY a.id"
        ),
        {"ids": list(ids.values())},
    ).all()
    outside, partial = [], []
    for code, m2, inside in rows:
        frac = float(inside) / float(m2) if m2 else 0.0
        if frac < OUTSIDE_ENGLAND:
            outside.append(code)
        elif frac < 0.99:
            partial.append(f"{source_codes[code]} ({1 - frac:.0%} outside)")
    if partial:
        res.notes.append(f"partly outside England: {', '.join(partial[:10])}")
    if outside:
        _fail_or_skip(
            {"outside England": sorted(source_codes[c] for c in outside)},
            path,
            skip_invalid,
            res,
        )
        delete_area_rows(ctx.conn, [ids[c] for c in outside])
