"""The commissioners' web map, built with Folium (Leaflet).

One builder for the three ways the map is used: served by the API (``GET /map``),
where the LSOA choropleth and the footprint outlines come from the vector tiles and
popups ask the API; exported (``depmap map -o file.html``), where the data of one
footprint is inlined as GeoJSON and so are the scripts and styles; and a static site
(``depmap map --static DIR``, :mod:`web.site`), where the tiles come from PMTiles
archives beside the page. Folium's
default assets point at CDNs: :class:`OfflineMap` drops them, and the page loads
only what :mod:`web.assets` lists.
"""

from __future__ import annotations

import html
import json
from typing import Any, Literal

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from jinja2 import Template

from depmap.core.vocab import DOMAIN_TABLE, HEALTH_TABLE, KINDS, TILE_CHANGES
from web.assets import MAP_ASSETS, STATIC_URL, Asset, check_assets, inline_asset, safe_in_script

Mode = Literal["tiles", "inline", "static"]

#: What the choropleth can show: tile field, label, short label, group, value field.
IOD = "IoD 2025 domains"
HEALTH = "Health"
CHANGE = "Change over time"
INDICATORS: tuple[dict[str, Any], ...] = tuple(
    {"key": f"{d.code}_decile", "label": d.map_label, "short": d.short}
    for d in DOMAIN_TABLE.values()
)
HEALTH_INDICATORS: tuple[dict[str, Any], ...] = tuple(
    {"value": h.code, "label": h.map_label or h.label, "short": h.short}
    for h in HEALTH_TABLE.values()
    if h.tiles
)


def indicators() -> list[dict[str, Any]]:
    """The chooser's entries with their legend wording."""
    out = [
        {
            **i,
            "group": IOD,
            "note": "National decile of LSOAs (1 = most deprived 10% of England's 33,755)",
            "worst": "most deprived 10%",
            "best": "least deprived 10%",
        }
        for i in INDICATORS
    ]
    out += [
        {
            **h,
            "key": f"{h['value']}_decile",
            "group": HEALTH,
            "note": "National decile of LSOAs (1 = worst 10% in England)",
            "worst": "worst 10%",
            "best": "best 10%",
        }
        for h in HEALTH_INDICATORS
    ]
    out += [
        {
            "key": c.code,
            "label": c.label,
            "short": c.short,
            "group": CHANGE,
            "kind": "change",
            "unit": c.unit,
            "better": c.better,
            "breaks": list(c.breaks),
            "note": f"Change in {c.unit}: {'a fall' if c.better == 'lower' else 'a rise'} "
            "is better (blue), the other way is worse (red)",
        }
        for c in TILE_CHANGES
    ]
    return out


#: Footprint outlines: tile layer, label in the layer control, shown at start.
OUTLINES: tuple[tuple[str, str, bool], ...] = (
    ("ltla", "Local authorities", True),
    ("icb", "ICBs", True),
    ("sicbl", "Sub-ICB locations", False),
    ("pcn", "PCNs", False),
    ("programme", "Programme areas", False),
)
OSM_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"


class OfflineMap(folium.Map):
    """A Folium map that loads none of Folium's default (CDN) scripts and styles."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


class DepmapApp(MacroElement):
    """Starts the map's own script on the Folium map with its configuration."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        depmap.start({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}"""
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "DepmapApp"
        self.config_json = safe_in_script(json.dumps(config, separators=(",", ":")))


def base_config(
    mode: Mode, *, api: str = "", version: int = 0, maxzoom: int = 16
) -> dict[str, Any]:
    """The configuration both modes share."""
    cfg: dict[str, Any] = {
        "mode": mode,
        "api": api,
        "version": version,
        "maxzoom": maxzoom,
        "indicators": indicators(),
        "outlines": [list(o) for o in OUTLINES],
        "osm": OSM_URL,
        "focus": None,
        # the words of each kind (vocab): "Rank among integrated care boards"
        "kinds": {
            k.code: {"label": k.label, "plural": k.plural, "ranked": k.ranked}
            for k in KINDS.values()
        },
        # which ICBs the loaded GP registrations cover (set by the caller)
        "pcn_note": None,
    }
    if mode == "tiles":
        layers = ["lsoa21", *[o[0] for o in OUTLINES]]
        cfg["tiles"] = {
            layer: f"{api}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt?v={version}" for layer in layers
        }
    return cfg


def render_map(
    config: dict[str, Any],
    *,
    title: str,
    inline_assets: bool,
    assets: tuple[Asset, ...] = MAP_ASSETS,
    asset_base: str = STATIC_URL,
    bounds: tuple[float, float, float, float] | None = None,
) -> str:
    """The page as HTML: Folium's map, the assets (linked under ``asset_base``, or
    inlined) and the app; ``bounds`` (W, S, E, N) is the view it opens on."""
    check_assets(assets)
    # branca writes the title into <title> as it is: names come from posted areas and
    # loaded files, so escape them
    fig = Figure(title=html.escape(title))
    m = OfflineMap(
        location=[52.8, -1.6],
        zoom_start=6,
        tiles=None,
        min_zoom=5,
        max_zoom=18,
        control_scale=True,
        prefer_canvas=True,
    )
    fig.add_child(m)
    if bounds is not None:
        w, s, e, n = bounds
        m.fit_bounds([[s, w], [n, e]])
    for a in assets:
        url = f"{asset_base}/{a.path}"
        if inline_assets:
            tag = "style" if a.kind == "css" else "script"
            fig.header.add_child(Element(f"<{tag}>\n{inline_asset(a)}\n</{tag}>"), name=a.path)
        elif a.kind == "css":
            fig.header.add_child(CssLink(url), name=a.path)
        else:
            fig.header.add_child(JavascriptLink(url), name=a.path)
    m.add_child(DepmapApp(config))
    return fig.render()
