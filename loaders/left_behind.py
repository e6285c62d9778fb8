"""The demo programme: left-behind neighbourhoods (the ``left_behind`` part of ``load all``).

Big Local boundaries are held by Local Trust and are not open, so the demo ships a
real programme layer instead: the LSOAs flagged as left-behind in the Community
Needs Index 2023 (``cni2023.left_behind``), with flagged LSOAs that touch (queen
contiguity) dissolved into one area, named by its local authority and the MSOAs
it lies in ("Blackpool: Blackpool 010, Blackpool 011"). Areas are made of whole
LSOAs (shares 1) and replace the programme's previous areas.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from sqlalchemy import text

from geo.neighbourhoods import components, contiguous_areas
from geo.union import union_groups
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.programmes import delete_programme, write_programme_areas

PROGRAMME = "Left-behind neighbourhoods"


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("left_behind")
    with timed(res):
        flagged = (
            ctx.conn.execute(
                text(
                    "SELECT v.lsoa_id FROM indicator_value v JOIN indicator i "
                    "ON i.id = v.indicator_id WHERE i.code = 'cni2023.left_behind' AND v.value > 0"
                )
            )
            .scalars()
            .all()
        )
        if not flagged:
            delete_programme(ctx.conn, PROGRAMME)
            res.notes.append("no left-behind LSOAs are loaded (load the cni part first)")
            return res
        ctx.progress.start("left-behind neighbourhoods", total=2)
        lsoa = ctx.lsoa_frame()
        sel = lsoa[lsoa["id"].isin(set(int(i) for i in flagged))].reset_index(drop=True)
        geoms = np.asarray(sel.geometry.values, dtype=object)
        sel["group"] = components(geoms)
        names = pd.DataFrame(
            ctx.conn.execute(
                text(
                    "SELECT w.lsoa_id, a.kind, a.code, a.name FROM area_lsoa w "
                    "JOIN area a ON a.id = w.area_id "
                    "WHERE w.lsoa_id = ANY(:ids) AND w.kind IN ('msoa21', 'ltla')"
                ),
                {"ids": sel["id"].astype(int).tolist()},
            ).all(),
            columns=["lsoa_id", "kind", "code", "name"],
        )
        msoa = names[names["kind"] == "msoa21"].set_index("lsoa_id")["name"]
        ltla = names[names["kind"] == "ltla"].set_index("lsoa_id")
        sel["msoa"] = sel["id"].map(msoa).fillna(sel["code"])
        sel["ltla"] = sel["id"].map(ltla["name"]).fillna("England")
        sel["ltla_code"] = sel["id"].map(ltla["code"]).fillna("E92000001")
        ctx.progress.advance()
        areas = contiguous_areas(sel, PROGRAMME)
        groups = {
            c: sel.index[sel["group"] == grp].to_numpy()
            for c, grp in zip(areas["code"], areas["group"], strict=True)
        }
        unions = union_groups(geoms, groups)
        frame = pd.DataFrame(
            {
                "code": areas["code"],
                "name": areas["name"],
                "properties": [
                    json.dumps(
                        {
                            "source": "CNI 2023 left-behind flag (OCSI for Local Trust)",
                            "ltla_code": la,
                            "lsoa21": ls,
                        }
                    )
                    for la, ls in zip(areas["ltla_code"], areas["lsoas"], strict=True)
                ],
            }
        )
        code_of_lsoa = {
            int(i): c for c, idx in groups.items() for i in sel.loc[idx, "id"].astype(int)
        }
        weights = pd.DataFrame(
            {
                "lsoa_id": sel["id"].astype(np.int64),
                "code": sel["id"].astype(int).map(code_of_lsoa),
                "share": 1.0,
            }
        )
        write_programme_areas(
            ctx,
            PROGRAMME,
            frame,
            np.asarray([unions[c] for c in frame["code"]], dtype=object),
            weights=weights,
            vintage="2023",
        )
        ctx.progress.advance()
        ctx.progress.done()
        res.counts["left-behind LSOAs"] = len(sel)
        res.counts["programme areas"] = len(frame)
    return res


#: The ``left_behind`` part of ``depmap load``.
PART = Part(
    "left_behind",
    load,
    needs=("cni2023",),
    doc="the left-behind neighbourhoods (CNI 2023) as a programme",
    optional=True,
)
