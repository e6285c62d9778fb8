"""PCN footprints an ICB supplies itself (GeoJSON, GeoPackage or zipped Shapefile).

How they coexist with PCNs derived from registrations (:mod:`loaders.pcn`):

* they are separate ``area`` rows of kind ``pcn``, coded ``<supplier slug>:<code>``
  (the ODS PCN code when the file has one or its name is found in the practice
  map, else the name's slug), with ``properties.source = 'icb_supplied'`` and
  ``properties.supplier``; derived PCNs are coded by their ODS code with
  ``properties.source = 'registrations'``. Reloading one never touches the other.
* their weights are area-weighted over LSOA21s from the polygon
  (``weight_basis = 'area'``, ``population_basis = 'census2021_residents'``):
  residents, not registered patients, because the file carries no registrations
  by LSOA. Counts the file carries (``Patients`` ...) are kept in ``properties``.
* ``properties.ods_code`` links a supplied footprint to the derived PCN with the
  same code, so a client can show either or compare them.

The ``pcn_footprints`` part of ``load all`` loads the example the shared data
holds (Sussex, 2023); ``depmap load pcn-footprints FILE --supplier NAME`` loads
any other.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

from depmap.core.db import delete_area_rows
from depmap.core.errors import LoadError
from depmap.core.names import slug
from depmap.core.sqlfiles import sql
from loaders.areas import upsert_areas
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.pcn.registrations import read_practice_map
from loaders.programme_files import read_area_file
from sources.layout import SOURCES

SOURCE = "icb_supplied"
_WORDS = re.compile(r"[^A-Z0-9]+")


def _norm(name: str) -> str:
    """A PCN name compared loosely: upper case, punctuation and a final 'PCN' dropped."""
    s = _WORDS.sub(" ", str(name).upper()).strip()
    return re.sub(r"\s*\bPCN\b\s*$", "", s).strip()


def ods_codes_by_name(ctx: LoadContext) -> dict[str, str]:
    """Normalised PCN name -> ODS PCN code, from the practice map if present."""
    rel = SOURCES["gp_practice_map"].path
    if not (ctx.data_dir / rel).exists():
        return {}
    m = read_practice_map(ctx.data_dir / rel)
    m = m[~m["PCN_CODE"].str.upper().isin(["U", ""])]
    pairs = m[["PCN_NAME", "PCN_CODE"]].drop_duplicates()
    return {_norm(n): str(c) for n, c in zip(pairs["PCN_NAME"], pairs["PCN_CODE"], strict=True)}


def load_footprints(
    ctx: LoadContext,
    path: Path,
    supplier: str,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    vintage: str = "",
) -> PartResult:
    """Load (or replace) the PCN footprints ``supplier`` supplied in ``path``."""
    res = PartResult(f"pcn footprints {supplier}")
    with timed(res):
        sup = slug(supplier)[:40]
        if not sup:
            raise LoadError(f"supplier name {supplier!r} has no letters or digits")
        f = read_area_file(path, code_field=code_field, name_field=name_field)
        if f.geoms is None:
            raise LoadError(f"{path.name}: PCN footprints must be polygons, not a code list")
        if f.empty:
            raise LoadError(f"{path.name}: PCNs with an empty geometry: {', '.join(f.empty[:5])}")
        by_name = ods_codes_by_name(ctx)
        derived_code = f.areas["code"] == f.areas["name"].map(slug)
        ods = [
            by_name.get(_norm(n), "") if d else str(c)
            for c, n, d in zip(f.areas["code"], f.areas["name"], derived_code, strict=True)
        ]
        codes = [o or c for o, c in zip(ods, f.areas["code"], strict=True)]
        unmatched = [n for n, o in zip(f.areas["name"], ods, strict=True) if not o]
        stored = [f"{sup}:{c}" for c in codes]
        if len(set(stored)) != len(stored):
            raise LoadError(f"{path.name}: two footprints have the same PCN code")
        extra = {} if f.notes else _extra_properties(path)
        frame = pd.DataFrame(
            {
                "code": stored,
                "name": f.areas["name"].to_numpy(),
                "properties": [
                    json.dumps(
                        {
                            "source": SOURCE,
                            "supplier": supplier,
                            "ods_code": o or None,
                            "source_file": path.name,
                            **extra.get(i, {}),
                        }
                    )
                    for i, o in enumerate(ods)
                ],
            }
        )
        gone = ctx.conn.execute(
            text(
                "SELECT id FROM area WHERE kind = 'pcn' AND properties->>'source' = :src "
                "AND properties->>'supplier' = :sup AND NOT (code = ANY(:codes))"
            ),
            {"src": SOURCE, "sup": supplier, "codes": stored},
        ).scalars()
        delete_area_rows(ctx.conn, list(gone))
        ids = upsert_areas(
            ctx.conn,
            kind="pcn",
            vintage=(vintage or f.format)[:16],
            frame=frame,
            geoms=f.geoms,
            weight_basis="area",
            replace=False,
        )
        id_list = list(ids.values())
        ctx.conn.execute(text("DELETE FROM area_lsoa WHERE area_id = ANY(:ids)"), {"ids": id_list})
        ctx.conn.execute(sql("area_weights"), {"ids": id_list})
        res.counts["pcn footprints"] = len(frame)
        res.counts["matched to ODS PCN codes"] = sum(1 for o in ods if o)
        if unmatched:
            res.notes.append(
                f"{len(unmatched)} names not in the practice map (coded by name): "
                + ", ".join(unmatched[:5])
            )
        res.notes.append(f"from {path.name}, supplied by {supplier}")
    return res


def _extra_properties(path: Path) -> dict[int, dict[str, object]]:
    """Numeric attributes of the features (patient counts ...), kept as properties."""
    try:
        import pyogrio

        from sources.boundaries import vsi_path

        df = pyogrio.read_dataframe(vsi_path(path), read_geometry=False)
    except Exception:  # the file was read once already; extras are optional
        return {}
    num = df.select_dtypes(include=[np.number])
    num = num[[c for c in num.columns if not c.lower().startswith("rmapshaper")]]
    return {
        i: {k: (None if pd.isna(v) else float(v)) for k, v in r.items()}
        for i, r in enumerate(num.to_dict("records"))
    }


def load(ctx: LoadContext) -> PartResult:
    """The ``pcn_footprints`` part: the ICB-supplied example in the data folder (Sussex)."""
    rel = SOURCES["sussex_pcn"].path
    res = load_footprints(ctx, ctx.path(rel), "NHS Sussex ICB", vintage="2023")
    res.part = "pcn_footprints"
    return res


#: The ``pcn_footprints`` part of ``depmap load``.
PART = Part(
    "pcn_footprints",
    load,
    needs=("sussex_pcn", "gp_practice_map"),
    doc="PCN footprints an ICB supplies (the Sussex example)",
    optional=True,
)
