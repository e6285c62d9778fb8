"""One footprint's map as a single self-contained HTML file (``depmap map -o``).

The LSOA21s of the area are inlined as GeoJSON with everything their popups show
(the values of the tiles, the ICB, sub-ICB and PCNs they fall in), as are the
footprint outlines around them, the area's hotspots and every script and style:
the file opens from disk or an e-mail with no server and no network.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import ServiceError
from depmap.core.vocab import DOMAINS, SERIES, TILE_CHANGES, TILE_HEALTH
from geo.pcn import PCN_COVERAGE_FLOOR
from geo.series import changes
from queries.areas import get_area
from queries.db import sql
from queries.evaluation import programme_evaluation
from queries.hotspots import hotspots
from queries.maps import focus, pcn_note
from queries.series import england
from web.charts import render
from web.map import OUTLINES, base_config, render_map

#: What the choropleth reads (deciles and changes over time), sent as one list per LSOA in
#: this order (the page spreads them back into properties).
CHOROPLETH_KEYS = (
    *[f"{d}_decile" for d in DOMAINS],
    *[f"{h}_decile" for h, _ in TILE_HEALTH],
    *[c.code for c in TILE_CHANGES],
)


#: The series an exported programme map charts (the Big Local health report's, and
#: household deprivation).
EVALUATION_CHART = ("households_deprived_any", "general_health_very_good", "general_health_bad")


def _r(v: Any, digits: int) -> Any:
    return round(float(v), digits) if v is not None else None


def _series(r: dict[str, Any]) -> list[dict[str, Any]]:
    """An LSOA's series at each year, as the popup shows them (England's changes are in the
    configuration, ``england_changes``)."""
    out = []
    for s in SERIES.values():
        pts = []
        for y in s.years:
            if s.kind == "count":
                num, den = r.get(f"{s.code}_{y}_num"), r.get(f"{s.code}_{y}_den")
                v = s.scale * num / den if num is not None and den else None
            else:
                raw = r.get(f"{s.code}_{y}_value")
                v = s.scale * raw if raw is not None else None
            pts.append([y, _r(v, 3)])
        if all(p[1] is None for p in pts):
            continue
        first = next(p[1] for p in pts if p[0] == s.baseline)
        last = next(p[1] for p in pts if p[0] == s.followup)
        change = None if first is None or last is None else round(last - first, 3)
        out.append(
            {
                "code": s.code,
                "short": s.short,
                "unit": s.unit,
                "better": "lower" if s.higher_is_worse else "higher",
                "change": change,
                "points": pts,
            }
        )
    return out


def _feature(row: Any, names: dict[str, str]) -> dict[str, Any]:
    """An LSOA as a GeoJSON feature; footprints named by code (their names go in ``names``)."""
    r = dict(row)
    props: dict[str, Any] = {
        "code": r["code"],
        "name": r["name"],
        "d": [r[k] for k in CHOROPLETH_KEYS],
    }
    nhs: dict[str, list[list[Any]]] = {}
    for kind in ("icb", "sicbl", "pcn"):
        nhs[kind] = []
        for o in r[kind] or []:
            names[o["code"]] = o["name"]
            nhs[kind].append([o["code"], _r(o["share"], 4)])
    props["profile"] = {  # code and name are the feature's own (not repeated)
        "population": r["population"],
        "imd_score": _r(r["imd_score"], 3),
        "imd_rank": r["imd_rank"],
        "imd_decile": r["imd_decile"],
        "health": {h: _r(r[h], 4) for h, _ in TILE_HEALTH},
        "series": _series(r),
        **nhs,
    }
    return {"type": "Feature", "geometry": orjson.loads(r["geometry"]), "properties": props}


async def export_config(
    conn: AsyncConnection,
    code: str,
    kind: str | None = None,
    *,
    permutations: int = 999,
    seed: int = 12345,
) -> dict[str, Any]:
    """The inline map's configuration: data of ``code``'s footprint and its hotspots."""
    area = await get_area(conn, code, kind)
    cfg = base_config("inline")
    f = await focus(conn, area.code, area.kind)
    rows = (
        (await conn.execute(sql("export_lsoas"), {"id": area.id, "pcn_floor": PCN_COVERAGE_FLOOR}))
        .mappings()
        .all()
    )
    names: dict[str, str] = {}
    cfg["lsoas"] = {"type": "FeatureCollection", "features": [_feature(r, names) for r in rows]}
    cfg["names"] = names
    cfg["choropleth_keys"] = list(CHOROPLETH_KEYS)
    cfg["pcn_note"] = await pcn_note(conn)
    kinds = [o[0] for o in OUTLINES]
    outl = (await conn.execute(sql("export_outlines"), {"id": area.id, "kinds": kinds})).all()
    cfg["footprints"] = {
        k: {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": orjson.loads(g),
                    "properties": {"code": c, "name": n},
                }
                for kk, c, n, g in outl
                if kk == k
            ],
        }
        for k in kinds
    }
    try:
        hs = await hotspots(
            conn,
            area,
            unit="lsoa21",
            domain="imd",
            alpha=0.05,
            fdr=False,
            permutations=permutations,
            seed=seed,
        )
        hot = [u["code"] for u in hs["units"] if u["cluster"] == "hot"]
    except ServiceError:  # an area too small for hotspots still gets its map
        hot = []
    # the LSOAs are inlined already: name the hotspots, the page draws them
    f["hotspots"] = {"codes": hot}
    eng = changes(await england(conn))
    cfg["england_changes"] = {str(code): _r(row["change"], 3) for (_, code), row in eng.iterrows()}
    if area.kind == "programme" and area.programme:
        try:  # the programme's evaluation chart, inlined
            ev = await programme_evaluation(conn, area.programme, EVALUATION_CHART)
            svg = render(ev, "svg")
            f["evaluation_chart"] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        except ServiceError:
            pass
    cfg["focus"] = f
    return cfg


def export_html(cfg: dict[str, Any]) -> str:
    """The self-contained page (assets inlined)."""
    return render_map(cfg, title=f"depmap: {cfg['focus']['name']}", inline_assets=True)
