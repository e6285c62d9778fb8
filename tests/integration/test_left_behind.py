"""The demo programme: contiguous left-behind LSOAs dissolved into named areas.

The synthetic grid flags the 12 LSOAs of highest CNI score; the expected areas are
worked out here by a breadth-first search over grid cells (queen neighbours).
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from loaders.left_behind import PROGRAMME

pytestmark = [pytest.mark.db]


def grid_groups(cells: set[tuple[int, int]]) -> list[set[tuple[int, int]]]:
    left, groups = set(cells), []
    while left:
        todo, g = [left.pop()], set()
        while todo:
            i, j = todo.pop()
            g.add((i, j))
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    n = (i + di, j + dj)
                    if n in left:
                        left.remove(n)
                        todo.append(n)
        groups.append(g)
    return groups


def test_left_behind_areas_are_the_contiguous_groups(small_engine, synth):
    cni = pd.read_csv(synth.root / "community" / "cni2023_lsoa21.csv")
    flagged = set(cni.loc[cni["Left Behind Area?"].astype(str) == "True", "lsoa21_code"])
    lk = synth.lsoa.set_index("code")
    cells = {(int(lk.loc[c, "i"]), int(lk.loc[c, "j"])) for c in flagged}
    code_of = {(int(r.i), int(r.j)): c for c, r in lk.iterrows()}
    want = sorted(sorted(code_of[x] for x in g) for g in grid_groups(cells))
    with small_engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT a.code, a.name, a.population, a.weight_basis, l.code, w.area_share, "
                "w.pop_share FROM area a JOIN area_lsoa w ON w.area_id = a.id "
                "JOIN area l ON l.id = w.lsoa_id WHERE a.kind = 'programme' AND a.programme = :p"
            ),
            {"p": PROGRAMME},
        ).all()
    got: dict[str, list[str]] = {}
    for code, _, _, basis, lsoa, a_s, p_s in rows:
        got.setdefault(code, []).append(lsoa)
        assert (basis, a_s, p_s) == ("lsoa", 1.0, 1.0)
    assert sorted(sorted(v) for v in got.values()) == want
    pop = synth.census.set_index("lsoa21_code")["total_residents"]
    names = {}
    for code, name, population, *_ in rows:
        assert population == pytest.approx(pop[got[code]].sum())
        names[code] = name
    for code, members in got.items():
        ltla = "Synthshire" if lk.loc[members[0], "ltla"] == "E06000901" else "Synthborough"
        assert names[code].split(" / ")[0].split(":")[0] in ("Synthshire", "Synthborough")
        msoa = f"Synth MSOA {lk.loc[members[0], 'msoa'][-3:]}"
        assert msoa in names[code] or "more" in names[code]
        assert code.startswith("left-behind-neighbourhoods:E0")
        assert ltla in names[code]
