"""Writing areas and their LSOA weights (shared by every loader that makes areas)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from depmap.core.db import delete_area_rows
from depmap.core.schema import SRID
from loaders.base import copy_binary, copy_frame, temp_table


def ewkb_hex(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), SRID)
    return np.asarray(shapely.to_wkb(arr, hex=True, include_srid=True), dtype=object)


def upsert_areas(
    conn: Connection,
    *,
    kind: str,
    vintage: str,
    frame: pd.DataFrame,
    geoms: Sequence[shapely.Geometry] | np.ndarray,
    population_basis: str = "census2021_residents",
    weight_basis: str = "lsoa",
    programme: str | None = None,
    replace: bool = True,
    keep_population: bool = False,
) -> dict[str, int]:
    """Insert or update the areas of one kind; ids of existing codes are kept.

    ``frame`` has ``code``, ``name`` and optionally ``population``, ``properties``
    (JSON text) and ``vintage`` (per area; else ``vintage`` for all). With ``replace``
    the areas of that kind (and programme) that are not in ``frame`` are deleted,
    with their weights. With ``keep_population`` an
    existing area keeps its population (set by another part). Returns code -> id.
    """
    temp_table(
        conn,
        "tmp_area",
        "code text, name text, vintage text, population float8, area_m2 float8, geom geometry, "
        "properties jsonb",
    )
    g = np.asarray(geoms, dtype=object)
    df = pd.DataFrame(
        {
            "code": frame["code"].astype(str).to_numpy(),
            "name": frame["name"].astype(str).to_numpy(),
            "vintage": (
                frame["vintage"].astype(str).to_numpy()
                if "vintage" in frame
                else [vintage] * len(g)
            ),
            "population": (
                frame["population"].astype(float).to_numpy()
                if "population" in frame
                else np.zeros(len(frame))
            ),
            "area_m2": shapely.area(g),
            "geom": ewkb_hex(g),
            "properties": (
                frame["properties"].to_numpy() if "properties" in frame else ["{}"] * len(frame)
            ),
        }
    )
    copy_frame(conn, "tmp_area", df)
    conn.execute(text("CREATE UNIQUE INDEX ON tmp_area (code)"))
    conn.execute(text("ANALYZE tmp_area"))
    params = {
        "kind": kind,
        "pb": population_basis,
        "wb": weight_basis,
        "programme": programme,
        "keep_pop": keep_population,
    }
    if replace:
        gone = conn.execute(
            text(
                "SELECT a.id FROM area a WHERE a.kind = :kind "
                "AND a.programme IS NOT DISTINCT FROM :programme "
                "AND NOT EXISTS (SELECT 1 FROM tmp_area t WHERE t.code = a.code)"
            ),
            {"kind": kind, "programme": programme},
        ).scalars()
        delete_area_rows(conn, list(gone))
    rows = conn.execute(
        text(
            """
            INSERT INTO area (kind, code, name, vintage, programme, population,
                              population_basis, weight_basis, area_m2, geom, properties)
            SELECT :kind, t.code, t.name, t.vintage, :programme, t.population,
                   :pb, :wb, t.area_m2, t.geom, t.properties
            FROM tmp_area t
            ON CONFLICT (kind, code) DO UPDATE SET
                name = excluded.name, vintage = excluded.vintage,
                programme = excluded.programme,
                population = CASE WHEN :keep_pop THEN area.population
                                  ELSE excluded.population END,
                population_basis = excluded.population_basis,
                weight_basis = excluded.weight_basis, area_m2 = excluded.area_m2,
                geom = excluded.geom, properties = excluded.properties
            RETURNING code, id
            """
        ),
        params,
    )
    return {c: int(i) for c, i in rows}


def replace_weights(
    conn: Connection,
    *,
    kind: str,
    weights: pd.DataFrame,
    area_ids: Sequence[int] | None = None,
    lsoa_population: pd.Series | None = None,
) -> int:
    """Replace the LSOA weights of the areas of one kind (or of the given areas).

    ``weights`` has ``area_id, lsoa_id, area_share, pop_share`` and optionally
    ``population``; without it (or with ``lsoa_population``, LSOA id -> residents)
    the population is ``pop_share`` times the LSOA's population.
    """
    if area_ids is None:
        conn.execute(text("DELETE FROM area_lsoa WHERE kind = :k"), {"k": kind})
    else:
        conn.execute(
            text("DELETE FROM area_lsoa WHERE area_id = ANY(:ids)"),
            {"ids": [int(i) for i in area_ids]},
        )
    n = len(weights)
    pop_share = weights["pop_share"].to_numpy(dtype=float).clip(0.0, 1.0)
    if lsoa_population is not None:
        lp = weights["lsoa_id"].map(lsoa_population).to_numpy(dtype=float)
        population = pop_share * np.nan_to_num(lp)
    elif "population" in weights:
        population = weights["population"].to_numpy(dtype=float)
    else:
        population = np.zeros(n)
    return copy_binary(
        conn,
        "area_lsoa",
        {
            "area_id": ("int8", weights["area_id"].to_numpy(dtype=np.int64)),
            "lsoa_id": ("int8", weights["lsoa_id"].to_numpy(dtype=np.int64)),
            "kind": ("text", np.full(n, kind.encode())),
            "area_share": ("float8", weights["area_share"].to_numpy(dtype=float).clip(0.0, 1.0)),
            "pop_share": ("float8", pop_share),
            "population": ("float8", population),
        },
    )
