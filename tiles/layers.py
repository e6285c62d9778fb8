"""The tile layers: the allow-list of names, what each carries, at which zooms.

Layer names come only from :data:`LAYERS`; the area kind each draws is passed to
SQL as a bound value, so a new kind of footprint (PCNs, programme areas) is drawn
as soon as its rows exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from depmap.core.errors import TileOutOfRange, UnknownLayer
from depmap.core.schema import TILE_FULL_ZOOM
from depmap.core.settings import TileSettings
from depmap.core.vocab import (
    DOMAIN_TABLE,
    DOMAINS,
    HEALTH_TABLE,
    KINDS,
    MEASURE_TABLE,
    RANKING_MEASURES,
    TILE_CHANGES,
    TILE_LAYERS,
)
from tiles.grid import tile_in_range

#: Health indicators tiles carry, as TileJSON describes them.
HEALTH_FIELDS: dict[str, str] = {
    h.code: h.tile_label or h.label for h in HEALTH_TABLE.values() if h.tiles
}
#: IoD domains, as TileJSON names them.
DOMAIN_LABELS: dict[str, str] = {d: DOMAIN_TABLE[d].label for d in DOMAINS}

#: Fields of LSOA21 features at every zoom (deciles: 1 = most deprived / worst 10%).
LSOA_FIELDS_ALL: dict[str, str] = {
    "code": "LSOA21 code (absent on cells that pool LSOAs too small to see)",
    **{
        f"{d}_decile": f"IoD 2025 {DOMAIN_LABELS[d]} decile (1 = most deprived 10%)"
        for d in DOMAINS
    },
    **{
        f"{h}_decile": f"{label}: national decile (1 = worst 10%)"
        for h, label in HEALTH_FIELDS.items()
    },
    **{c.code: f"{c.label}, in {c.unit} ({c.better} is better)" for c in TILE_CHANGES},
    "lsoas": f"Below zoom {TILE_FULL_ZOOM}, on cells only: LSOA21s pooled in the cell",
}
#: Fields LSOA21 features add from TILE_FULL_ZOOM up.
LSOA_FIELDS_DETAIL: dict[str, str] = {
    "name": "LSOA21 name",
    "imd_score": "IoD 2025 IMD score",
    "imd_rank": "IoD 2025 IMD rank (1 = most deprived of 33,755)",
    "population": "Usual residents (Census 2021)",
    **HEALTH_FIELDS,
}
FOOTPRINT_FIELDS: dict[str, str] = {
    "code": "Code (GSS code, or the id of a PCN or programme area)",
    "name": "Name",
    "programme": "Programme (programme areas only)",
    "population": "Population (Census 2021 residents; registered patients for PCNs)",
    **{m: MEASURE_TABLE[m].label for m in RANKING_MEASURES},
    "rank": "Rank of its average score among areas of its kind (1 = most deprived)",
}


@dataclass(frozen=True)
class Layer:
    """A tile layer: the area kind it draws and the SQL that cuts its tiles."""

    name: str
    kind: str
    title: str
    fields: dict[str, str]
    lsoa: bool = False

    def check(self, z: int, x: int, y: int, s: TileSettings) -> None:
        """Raise :class:`TileOutOfRange` unless ``z/x/y`` is a tile of this layer."""
        if not s.min_zoom <= z <= s.max_zoom:
            raise TileOutOfRange(
                f"zoom {str(z)[:12]} is outside the zooms of layer {self.name!r} "
                f"({s.min_zoom}..{s.max_zoom})",
                minzoom=s.min_zoom,
                maxzoom=s.max_zoom,
            )
        if not tile_in_range(z, x, y):
            raise TileOutOfRange(
                f"tile {str(x)[:24]}/{str(y)[:24]} is outside zoom {z}: "
                f"x and y run from 0 to {(1 << z) - 1}",
                zoom=z,
            )


LAYERS: dict[str, Layer] = {
    k: Layer(
        k,
        k,
        str(KINDS[k].tile_title),
        {**LSOA_FIELDS_ALL, **LSOA_FIELDS_DETAIL} if k == "lsoa21" else FOOTPRINT_FIELDS,
        lsoa=k == "lsoa21",
    )
    for k in TILE_LAYERS
}


def get_layer(name: str) -> Layer:
    """The layer of this name, or :class:`UnknownLayer` listing the names there are."""
    layer = LAYERS.get(name)
    if layer is None:
        raise UnknownLayer(
            f"no tile layer {name[:40]!r}; layers: {', '.join(LAYERS)}",
            layer=name[:40],
            allowed=list(LAYERS),
        )
    return layer
