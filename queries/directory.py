"""The loaded areas' attributes in memory, once per data version.

Every answer starts by finding an area by its code and most end by naming other areas
(an ICB's 1,601 LSOAs, a sub-ICB's wards). Read from ``area``, a wide table (geometry in
the row), those are a round trip and one index probe per named area: most of a first
answer's time. The attributes of the areas a load made (every kind but ``custom``, which
POST adds and DELETE removes at any time) change only with the data version, so the
service reads them once per version (about 81,000 areas, ~25 MB) and answers both
questions from memory. Custom areas are still read from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.errors import DataChanged
from queries.areas import Area
from queries.db import sql

#: When codes are spelt alike (an unchanged LSOA keeps its 2011 code in 2021), the kind
#: found first: an LSOA21 before the LSOA11 it continues. The order of
#: ``area_by_code.sql`` (a test holds them together).
LOOKUP_ORDER = (
    "lsoa21",
    "msoa21",
    "ward",
    "ltla",
    "sicbl",
    "icb",
    "pcn",
    "programme",
    "custom",
    "lsoa11",
)
_KIND_ORDER = {k: i for i, k in enumerate(LOOKUP_ORDER)}


@dataclass(frozen=True)
class Named:
    """Attributes of many areas, aligned with the ids asked for (numpy arrays)."""

    code: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    programme: np.ndarray
    area_m2: np.ndarray
    weight_basis: np.ndarray
    population: np.ndarray


class AreaDirectory:
    """The loaded (non-custom) areas, by code and by id. Built by :meth:`read`."""

    def __init__(self, rows: list[tuple[Any, ...]], lsoa_stats: int) -> None:
        # rows in id order: id, kind, code, name, vintage, programme, population,
        # population_basis, weight_basis, area_m2, properties (JSON text or None)
        cols = list(zip(*rows, strict=True)) if rows else [()] * 11

        def labels(values: tuple[Any, ...]) -> np.ndarray:
            # a few distinct values, each row its own copy from the driver: keep one
            seen: dict[Any, Any] = {}
            return np.array([seen.setdefault(v, v) for v in values], dtype=object)

        self.ids = np.array(cols[0], dtype=np.int64)
        self.kind = labels(cols[1])
        self.code = np.array(cols[2], dtype=object)
        self.name = np.array(cols[3], dtype=object)
        self._vintage = labels(cols[4])
        self.programme = labels(cols[5])
        self.population = np.array(cols[6], dtype=float)
        self._population_basis = labels(cols[7])
        self.weight_basis = labels(cols[8])
        self.area_m2 = np.array(cols[9], dtype=float)
        #: the few areas with properties (PCNs, programme areas, ICBs), by position
        self._properties = {i: p for i, p in enumerate(cols[10]) if p}
        #: properties parsed once asked for (by position)
        self._parsed: dict[int, dict[str, Any]] = {}
        #: LSOA21s with IoD statistics (0: nothing is loaded)
        self.lsoa_stats = lsoa_stats
        # position by upper-cased code; codes spelt alike (an LSOA21 and its LSOA11) in
        # a second table, in lookup order
        self._by_code: dict[str, int] = {}
        self._alike: dict[str, list[int]] = {}
        for i, c in enumerate(cols[2]):
            u = c.upper()
            key = c if u == c else u  # GSS codes are upper case already: no copy
            first = self._by_code.setdefault(key, i)
            if first != i:
                self._alike.setdefault(key, [first]).append(i)
        for positions in self._alike.values():
            positions.sort(key=lambda i: _KIND_ORDER.get(str(self.kind[i]), len(_KIND_ORDER)))

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    async def read(cls, conn: AsyncConnection) -> AreaDirectory:
        rows = [tuple(r) for r in await conn.execute(sql("area_directory"))]
        n = int((await conn.execute(sql("lsoa_count"))).scalar() or 0)
        return cls(rows, n)

    def find(self, code: str, kind: str | None = None) -> Area | None:
        """The area with this code (any case) and, if given, kind; None if there is none
        here (a custom area, or no such area). Same rule as ``area_by_code.sql``: the
        exact spelling first, then by kind."""
        key = code.upper()
        positions = self._alike.get(key)
        if positions is None:
            at = self._by_code.get(key)
            if at is None:
                return None
            positions = [at]
        candidates = [i for i in positions if kind is None or self.kind[i] == kind]
        if not candidates:
            return None
        exact = [i for i in candidates if self.code[i] == code]
        i = (exact or candidates)[0]
        props = self._properties.get(i)
        return Area(
            id=int(self.ids[i]),
            kind=str(self.kind[i]),
            code=str(self.code[i]),
            name=str(self.name[i]),
            vintage=str(self._vintage[i]),
            programme=self.programme[i],
            population=float(self.population[i]),
            population_basis=str(self._population_basis[i]),
            weight_basis=str(self.weight_basis[i]),
            area_m2=float(self.area_m2[i]),
            properties=orjson.loads(props) if props else {},
        )

    def properties(self, area_id: int) -> dict[str, Any]:
        """The ``properties`` of one area (a PCN's ``source``, a programme area's fields)."""
        return dict(self._parsed_at(int(self._positions(np.array([area_id], dtype=np.int64))[0])))

    def property_values(self, ids: np.ndarray, key: str, default: Any = None) -> list[Any]:
        """One property of each of these areas (``default`` where it has none): a PCN's
        ``source`` and ``extract_date`` for a whole answer at once."""
        pos = self._positions(np.asarray(ids, dtype=np.int64))
        return [self._parsed_at(p).get(key, default) for p in pos.tolist()]

    def _parsed_at(self, pos: int) -> dict[str, Any]:
        got = self._parsed.get(pos)
        if got is None:
            raw = self._properties.get(pos)
            got = self._parsed[pos] = orjson.loads(raw) if raw else {}
        return got

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.ids, ids)
        if len(ids) and (pos.max(initial=0) >= len(self.ids) or (self.ids[pos] != ids).any()):
            # a load replaced areas after this directory was read: the service reads
            # the new one once it sees the new data version
            raise DataChanged("the data changed while answering; try again in a moment")
        return pos

    def named(self, ids: np.ndarray) -> Named:
        """The attributes of the areas with these ids (loaded areas, not custom ones)."""
        pos = self._positions(np.asarray(ids, dtype=np.int64))
        return Named(
            code=self.code[pos],
            name=self.name[pos],
            kind=self.kind[pos],
            programme=self.programme[pos],
            area_m2=self.area_m2[pos],
            weight_basis=self.weight_basis[pos],
            population=self.population[pos],
        )
