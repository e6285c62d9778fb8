"""OGC API - Features: one collection per kind of area, what its features carry, and
reading pages of them (Part 1 Core with GeoJSON; Part 2, coordinate reference systems by
reference: CRS84 and British National Grid).

The routes are in ``api/routes/ogc.py``; this module knows nothing of HTTP. Collections,
their properties and the filters they take derive from :mod:`depmap.core.vocab`:

* ``lsoa21``: each 2021 LSOA with its IoD 2025 IMD score, rank and decile, the decile of
  every domain and the health indicators (``lsoa_stats``);
* footprints (``msoa21``, ``ward``, ``ltla``, ``sicbl``, ``icb``, ``pcn``, ``programme``):
  the IoD 2025 summary measures of the IMD (``area_measure``) with their ranks among
  the kind, and the population-weighted health profile (``area_profile``).

Geometries are ``area.geom`` (EPSG:27700) projected to the CRS asked for; a bounding box
is compared in EPSG:27700 through the GiST index; pages are in code order.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import BadParameter, UnknownArea, UnknownCollection
from depmap.core.vocab import (
    DOMAIN_TABLE,
    DOMAINS,
    HEALTH_COLUMNS,
    HEALTH_TABLE,
    KINDS,
    MEASURE_TABLE,
    NATIONAL_LSOA21,
    OGC_COLLECTIONS,
    RANKING_MEASURES,
)
from queries.db import sql

# --- coordinate reference systems (Part 2) --------------------------------------------

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"


@dataclass(frozen=True)
class Crs:
    """A CRS features can be asked in: its URI, SRID and the decimals of coordinates."""

    uri: str
    srid: int
    digits: int
    title: str


CRSS: dict[str, Crs] = {
    c.uri: c
    for c in (
        Crs(CRS84, 4326, 6, "WGS 84 longitude/latitude (the default)"),
        Crs(BNG, 27700, 2, "British National Grid, easting/northing in metres (storage)"),
    )
}
#: The CRS areas are stored in (``area.geom``).
STORAGE_CRS = BNG
#: The lon/lat window a CRS84 bounding box is cut to before it is projected: every area is
#: in England, and boxes reaching round the globe do not project to British National Grid.
LONLAT_WINDOW = (-10.0, 48.0, 4.0, 62.0)


def crs_of(value: str | None, parameter: str) -> Crs:
    """The CRS a ``crs`` or ``bbox-crs`` parameter names (CRS84 when absent)."""
    if value is None:
        return CRSS[CRS84]
    c = CRSS.get(value.strip())
    if c is None:
        raise BadParameter.choice(parameter, value[:200], list(CRSS))
    return c


# --- collections ----------------------------------------------------------------------

PropertyType = Literal["string", "number", "integer"]


@dataclass(frozen=True)
class Property:
    name: str
    type: PropertyType
    description: str


@dataclass(frozen=True)
class Collection:
    """A collection: the areas of one kind."""

    id: str
    title: str
    description: str
    properties: tuple[Property, ...]
    #: properties that can be filtered by ``?<name>=<value>`` on the items
    filters: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return self.id

    @property
    def lsoa(self) -> bool:
        return self.id == "lsoa21"


def _decile(d: str) -> Property:
    return Property(
        f"{d}_decile",
        "integer",
        f"IoD 2025 {DOMAIN_TABLE[d].label} decile (1 = most deprived 10% of England's LSOAs)",
    )


LSOA_PROPERTIES: tuple[Property, ...] = (
    Property("code", "string", "2021 LSOA code (GSS)"),
    Property("name", "string", "2021 LSOA name"),
    Property("population", "number", "Usual residents (Census 2021)"),
    Property("imd_score", "number", "IoD 2025 Index of Multiple Deprivation score"),
    Property(
        "imd_rank",
        "integer",
        f"IoD 2025 IMD rank (1 = most deprived of {NATIONAL_LSOA21:,})",
    ),
    *(_decile(d) for d in DOMAINS),
    *(Property(h, "number", HEALTH_TABLE[h].label) for h in HEALTH_COLUMNS),
)


def _footprint_properties(kind: str) -> tuple[Property, ...]:
    among = KINDS[kind].plural + (" of its programme" if kind == "programme" else "")
    return (
        Property(
            "code",
            "string",
            "GSS code" if KINDS[kind].gss else f"Id of the {KINDS[kind].label} in depmap",
        ),
        Property("name", "string", "Name"),
        *(
            (Property("programme", "string", "The programme the area belongs to"),)
            if kind == "programme"
            else ()
        ),
        Property(
            "population",
            "number",
            "Population the measures are weighted by (see population_basis)",
        ),
        Property(
            "population_basis",
            "string",
            "census2021_residents, or gp_registered_patients for PCNs derived from registrations",
        ),
        *(Property(m, "number", MEASURE_TABLE[m].label) for m in RANKING_MEASURES),
        *(
            Property(f"rank_{m}", "integer", f"Rank of {m} among {among} (1 = most deprived)")
            for m in RANKING_MEASURES
        ),
        *(
            Property(h, "number", f"{HEALTH_TABLE[h].label}, population-weighted mean")
            for h in HEALTH_COLUMNS
        ),
    )


def _collection(kind: str) -> Collection:
    k = KINDS[kind]
    title = k.plural[0].upper() + k.plural[1:]
    if kind == "lsoa21":
        return Collection(
            kind,
            title,
            "England's 33,755 2021 LSOAs with the IoD 2025 IMD score, rank and decile, the "
            "decile of every IoD domain and the health indicators.",
            LSOA_PROPERTIES,
            ("code", "name", *(f"{d}_decile" for d in DOMAINS)),
        )
    basis = "registered patients" if kind == "pcn" else "Census 2021 residents"
    return Collection(
        kind,
        title,
        f"{title} with the IoD 2025 summary measures of the Index of Multiple Deprivation "
        f"(population-weighted over their 2021 LSOAs, by {basis}), their ranks among "
        f"{k.plural}, and the population-weighted health profile.",
        _footprint_properties(kind),
        ("code", "name", "programme") if kind == "programme" else ("code", "name"),
    )


COLLECTIONS: dict[str, Collection] = {k: _collection(k) for k in OGC_COLLECTIONS}
#: Every property a collection can be filtered on, with its type (the query parameters).
FILTERS: dict[str, PropertyType] = {
    p.name: p.type for c in COLLECTIONS.values() for p in c.properties if p.name in c.filters
}


def get_collection(collection_id: str) -> Collection:
    c = COLLECTIONS.get(collection_id)
    if c is None:
        raise UnknownCollection(
            f"no collection {collection_id[:60]!r}; collections: {', '.join(COLLECTIONS)}",
            collection=collection_id[:60],
            allowed=list(COLLECTIONS),
        )
    return c


# --- parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class BBox:
    """A bounding box as WKT in ``srid`` (27700, or 4326 longitude first)."""

    wkt: str
    srid: int


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_bbox(value: str, crs: Crs) -> BBox:
    """``bbox=minx,miny,maxx,maxy`` (or the six numbers of a 3D box) in ``crs``.

    A CRS84 box may cross the antimeridian (minx > maxx); it is cut to the lon/lat window
    around Great Britain before it is projected (a box that misses it matches nothing).

    >>> parse_bbox("-3,53.3,-2.9,53.5", CRSS[CRS84]).wkt
    'MULTIPOLYGON(((-3.0 53.3,-2.9 53.3,-2.9 53.5,-3.0 53.5,-3.0 53.3)))'
    >>> parse_bbox("330000,380000,345000,395000", CRSS[BNG]).srid
    27700
    """
    parts = [p.strip() for p in value.split(",")]
    if len(parts) not in (4, 6) or not all(_NUMBER.match(p) for p in parts):
        raise BadParameter(
            f"bbox={value[:200]!r} is not 4 (or 6) comma-separated numbers: minx,miny,maxx,maxy",
            parameter="bbox",
        )
    n = [float(p) for p in parts]
    if not all(math.isfinite(v) for v in n):
        raise BadParameter(f"bbox={value[:200]!r} has a number out of range", parameter="bbox")
    x1, y1, x2, y2 = (n[0], n[1], n[3], n[4]) if len(n) == 6 else n
    if y1 > y2:
        raise BadParameter(
            f"bbox={value[:200]!r}: the lower corner is above the upper one", parameter="bbox"
        )
    if crs.srid == 27700:
        if x1 > x2:
            raise BadParameter(f"bbox={value[:200]!r}: minx is greater than maxx", parameter="bbox")
        return BBox(_multipolygon([(x1, y1, x2, y2)]), 27700)
    if not (-180 <= x1 <= 180 and -180 <= x2 <= 180 and -90 <= y1 <= 90 and -90 <= y2 <= 90):
        raise BadParameter(
            f"bbox={value[:200]!r} is not longitude/latitude (CRS84); for British National "
            f"Grid add bbox-crs={BNG}",
            parameter="bbox",
        )
    spans = [(x1, x2)] if x1 <= x2 else [(x1, 180.0), (-180.0, x2)]  # across the antimeridian
    w, s, e, n_ = LONLAT_WINDOW
    boxes = [
        (max(a, w), max(y1, s), min(b, e), min(y2, n_))
        for a, b in spans
        if max(a, w) <= min(b, e) and max(y1, s) <= min(y2, n_)
    ]
    return BBox(_multipolygon(boxes) if boxes else "MULTIPOLYGON EMPTY", 4326)


def _multipolygon(boxes: Sequence[tuple[float, float, float, float]]) -> str:
    rings = [
        f"(({a!r} {b!r},{c!r} {b!r},{c!r} {d!r},{a!r} {d!r},{a!r} {b!r}))" for a, b, c, d in boxes
    ]
    return f"MULTIPOLYGON({','.join(rings)})"


_DATE = r"\d{4}-\d{2}-\d{2}"
_INSTANT = rf"{_DATE}([Tt]\d{{2}}:\d{{2}}:\d{{2}}(\.\d+)?([Zz]|[+-]\d{{2}}:\d{{2}}))?"
_DATETIME = re.compile(rf"^({_INSTANT}|({_INSTANT}|\.\.)?/({_INSTANT}|\.\.)?)$")


def check_datetime(value: str) -> None:
    """``datetime`` must be an RFC 3339 instant or interval (open ends ``..``)."""
    v = value.strip()
    ends = [e for e in v.split("/") if e not in ("", "..")]
    try:
        ok = bool(_DATETIME.match(v)) and bool(ends) and all(_instant(e) for e in ends)
    except ValueError:
        ok = False
    if not ok:
        raise BadParameter(
            f"datetime={value[:100]!r} is not an RFC 3339 date-time or interval "
            "(2025-01-01T00:00:00Z, 2021-03-21/2025-10-30, ../2025-10-30)",
            parameter="datetime",
        )


def _instant(text: str) -> bool:
    """A real date and time (``ValueError`` for 2025-02-30 and the like)."""
    return bool(dt.datetime.fromisoformat(text.replace("z", "Z")))


@dataclass(frozen=True)
class ItemsQuery:
    """What a request for a page of a collection's items asks."""

    collection: Collection
    limit: int
    offset: int = 0
    crs: Crs = CRSS[CRS84]
    bbox: BBox | None = None
    #: property -> wanted value (``code`` holds a list of codes)
    filters: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[object, ...]:
        """What makes two queries the same (the answer cache's key)."""
        return (
            self.collection.id,
            self.limit,
            self.offset,
            self.crs.uri,
            self.bbox,
            tuple(sorted((k, str(v)) for k, v in self.filters.items())),
        )


def check_filters(collection: Collection, filters: Mapping[str, Any]) -> None:
    """Each filter must be a property this collection can be filtered on."""
    for name in filters:
        if name not in collection.filters:
            raise BadParameter(
                f"{name} is not a filter of collection {collection.id!r}; its filters: "
                f"{', '.join(collection.filters)}",
                parameter=name,
                allowed=list(collection.filters),
            )


def _params(q: ItemsQuery) -> dict[str, Any]:
    f = q.filters
    deciles = [f.get(f"{d}_decile") for d in DOMAINS]
    codes = f.get("code")
    return {
        "kind": q.collection.kind,
        "codes": list(codes) if codes else None,
        "name": f.get("name"),
        "programme": f.get("programme"),
        "deciles": deciles if any(v is not None for v in deciles) else None,
        "limit": q.limit,
        "offset": q.offset,
        **({"box": q.bbox.wkt, "box_srid": q.bbox.srid} if q.bbox else {}),
    }


# --- reading ----------------------------------------------------------------------------


async def read_items(conn: AsyncConnection, q: ItemsQuery) -> tuple[int, list[dict[str, Any]]]:
    """How many features match, and the page asked for (GeoJSON features, geometries as
    pre-serialised JSON)."""
    params = _params(q)
    stmt = sql("ogc_page_bbox" if q.bbox else "ogc_page")
    rows = (await conn.execute(stmt, params)).all()
    if rows:
        matched = int(rows[0].matched)
    elif q.offset > 0:  # past the last page: count with the first
        first = (await conn.execute(stmt, {**params, "offset": 0, "limit": 1})).all()
        matched = int(first[0].matched) if first else 0
    else:
        matched = 0
    return matched, await features(conn, q.collection, [r.id for r in rows], q.crs)


async def read_item(
    conn: AsyncConnection, collection: Collection, code: str, crs: Crs
) -> dict[str, Any]:
    """One feature by its id (the area's code), or :class:`UnknownArea`."""
    q = ItemsQuery(collection, 1, 0, crs, None, {"code": [code]})
    rows = (await conn.execute(sql("ogc_page"), _params(q))).all()
    if not rows:
        raise UnknownArea(
            f"no feature {code[:100]!r} in collection {collection.id!r}", id=code[:100]
        )
    return (await features(conn, collection, [rows[0].id], crs))[0]


async def features(
    conn: AsyncConnection, collection: Collection, ids: Sequence[int], crs: Crs
) -> list[dict[str, Any]]:
    """GeoJSON features of these areas, in code order."""
    if not ids:
        return []
    params: dict[str, Any] = {"ids": list(ids), "srid": crs.srid, "digits": crs.digits}
    if collection.lsoa:
        rows = (await conn.execute(sql("ogc_lsoa_features"), params)).mappings().all()
    else:
        params["domain"] = "imd"
        rows = (await conn.execute(sql("ogc_area_features"), params)).mappings().all()
    return [_feature(collection, dict(r)) for r in rows]


def _feature(collection: Collection, row: Mapping[str, Any]) -> dict[str, Any]:
    health = row.get("health")
    if isinstance(health, str):
        health = json.loads(health)
    props: dict[str, Any] = {}
    for p in collection.properties:
        v = row[p.name] if p.name in row else (health or {}).get(p.name)
        if v is not None and p.type == "integer":
            v = round(v)
        elif v is not None and p.type == "number":
            v = float(v)
        props[p.name] = v
    return {
        "type": "Feature",
        "id": row["code"],
        "geometry": orjson.Fragment(row["geometry"]),
        "properties": props,
    }


async def extents(
    conn: AsyncConnection, kinds: Sequence[str] = OGC_COLLECTIONS
) -> dict[str, dict[str, Any]]:
    """Per collection: the number of areas and their extent in lon/lat and EPSG:27700."""
    rows = (await conn.execute(sql("ogc_extents"), {"kinds": list(kinds)})).mappings().all()
    return {
        r["kind"]: {
            "count": int(r["n"]),
            "lonlat": [r["west"], r["south"], r["east"], r["north"]],
            "bng": [r["xmin"], r["ymin"], r["xmax"], r["ymax"]],
        }
        for r in rows
    }
