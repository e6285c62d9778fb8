"""LSOA21 boundaries: the atoms every other area is weighted over."""

from __future__ import annotations

import numpy as np
import pandas as pd

from depmap.core.errors import LoadError
from loaders.areas import replace_weights, upsert_areas
from loaders.base import LoadContext, Part, PartResult, timed
from sources.boundaries import read_boundaries
from sources.layout import SOURCES


def lsoa21_path(ctx: LoadContext) -> str:
    """The best LSOA21 boundary file present: generalised (BGC, 20 m) before super-generalised."""
    for rel in SOURCES["lsoa21_boundaries"].candidates:
        if (ctx.data_dir / rel).exists():
            return rel
    raise LoadError(
        f"no LSOA21 boundary file under {ctx.data_dir} "
        f"(looked for {', '.join(SOURCES['lsoa21_boundaries'].candidates)})"
    )


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("boundaries")
    with timed(res):
        src = SOURCES["lsoa21_boundaries"]
        rel = lsoa21_path(ctx)
        ctx.progress.start(f"LSOA21 boundaries ({rel})", total=3)
        gdf = read_boundaries(
            ctx.path(rel),
            kind="lsoa21",
            code_fields=src.code_fields,
            name_fields=src.name_fields,
            expected_count=ctx.expected("lsoa21"),
        )
        ctx.progress.advance()
        frame = pd.DataFrame({"code": gdf["code"], "name": gdf["name"]})
        ids = upsert_areas(
            ctx.conn,
            kind="lsoa21",
            vintage="2021",
            frame=frame,
            geoms=gdf.geometry.values,
            keep_population=True,  # the population part sets it
        )
        ctx.progress.advance()
        id_arr = np.array([ids[c] for c in gdf["code"]], dtype=np.int64)
        replace_weights(
            ctx.conn,
            kind="lsoa21",
            weights=pd.DataFrame(
                {
                    "area_id": id_arr,
                    "lsoa_id": id_arr,
                    "area_share": 1.0,
                    "pop_share": 1.0,
                }
            ),
            lsoa_population=ctx.lsoa_population(),
        )
        ctx.progress.advance()
        ctx.progress.done()
        ctx.geometry_changed = True
        ctx.set_lsoa_frame(gdf.assign(id=id_arr))
        res.counts["lsoa21"] = len(gdf)
        res.notes.append(f"from {rel}")
    return res


#: The ``boundaries`` part of ``depmap load``.
PART = Part(
    "boundaries",
    load,
    needs=("lsoa21_boundaries",),
    doc="LSOA21 boundaries",
)
