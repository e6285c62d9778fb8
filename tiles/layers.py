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
from depmap.core.vocab import DOMAINS, TILE_HEALTH
from tiles.grid import tile_in_range

HEALTH_FIELDS: dict[str, str] = {
    "acute_morbidity": "Acute morbidity indicator (IoD 2025)",
    "illness_disability_ratio": "Comparative illness and disability ratio (IoD 2025)",
    "mental_health": "Mental health indicator (IoD 2025)",
    "years_life_lost": "Years of potential life lost (IoD 2025)",
    "disability_rate": "Share of residents disabled under the Equality Act (Census 2021)",
    "hle_male": "Healthy life expectancy at birth, males, years (ONS 2009-13)",
    "hle_female": "Healthy life expectancy at birth, females, years (ONS 2009-13)",
}
assert set(HEALTH_FIELDS) == {h for h, _ in TILE_HEALTH}

DOMAIN_LABELS: dict[str, str] = {
    "imd": "Index of Multiple Deprivation",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, skills and training",
    "health": "Health deprivation and disability",
    "crime": "Crime",
    "housing": "Barriers to housing and services",
    "environment": "Living environment",
}
assert set(DOMAIN_LABELS) == set(DOMAINS)

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
    "average_score": "IMD 2025 population-weighted average score",
    "average_rank": "IMD 2025 population-weighted average rank (33,755 = most deprived)",
    "proportion_most_deprived_10": "Share of its LSOAs in the most deprived 10% nationally",
    "extent": "IMD 2025 extent",
    "local_concentration": "IMD 2025 local concentration",
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
    "lsoa21": Layer(
        "lsoa21",
        "lsoa21",
        "LSOA21: IoD 2025 deciles and health indicators",
        {**LSOA_FIELDS_ALL, **LSOA_FIELDS_DETAIL},
        lsoa=True,
    ),
    "msoa21": Layer("msoa21", "msoa21", "MSOA21", FOOTPRINT_FIELDS),
    "ltla": Layer("ltla", "ltla", "Local authorities (lower tier)", FOOTPRINT_FIELDS),
    "sicbl": Layer("sicbl", "sicbl", "Sub-ICB locations", FOOTPRINT_FIELDS),
    "icb": Layer("icb", "icb", "Integrated care boards", FOOTPRINT_FIELDS),
    "pcn": Layer("pcn", "pcn", "Primary care networks", FOOTPRINT_FIELDS),
    "programme": Layer("programme", "programme", "Programme areas", FOOTPRINT_FIELDS),
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
