"""The in-memory directory of loaded areas finds them by the rule of area_by_code.sql."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from depmap.core.errors import DataChanged
from queries.directory import LOOKUP_ORDER, AreaDirectory

ROOT = Path(__file__).resolve().parents[2]


def row(i: int, kind: str, code: str, props: str | None = None) -> tuple[object, ...]:
    return (i, kind, code, f"name {i}", "2021", None, 100.0 * i, "census2021_residents",
            "lsoa", 1000.0 * i, props)  # fmt: skip


@pytest.fixture
def directory() -> AreaDirectory:
    return AreaDirectory(
        [
            row(1, "lsoa11", "E01000001"),
            row(2, "lsoa21", "E01000001"),
            row(3, "icb", "E54000008"),
            row(4, "programme", "big-local:Abc", '{"source": "x"}'),
            row(5, "programme", "big-local:abc"),
        ],
        lsoa_stats=1,
    )


def test_an_lsoa21_before_the_lsoa11_with_its_code_unless_a_kind_is_asked(directory):
    assert directory.find("E01000001").kind == "lsoa21"
    assert directory.find("e01000001").id == 2
    assert directory.find("E01000001", "lsoa11").id == 1
    assert directory.find("E01000001", "icb") is None


def test_any_case_finds_and_the_exact_spelling_wins(directory):
    assert directory.find("e54000008").code == "E54000008"
    assert directory.find("big-local:abc").id == 5
    assert directory.find("big-local:Abc").id == 4
    assert directory.find("BIG-LOCAL:ABC").id in (4, 5)
    assert directory.find("big-local:Abc").properties == {"source": "x"}
    assert directory.find("E99999999") is None


def test_names_of_many_ids_and_an_unknown_id_is_data_changed(directory):
    named = directory.named(np.array([3, 2, 3]))
    assert named.code.tolist() == ["E54000008", "E01000001", "E54000008"]
    assert named.area_m2.tolist() == [3000.0, 2000.0, 3000.0]
    assert directory.named(np.array([], dtype=np.int64)).code.tolist() == []
    with pytest.raises(DataChanged):
        directory.named(np.array([3, 99]))
    with pytest.raises(DataChanged):
        directory.named(np.array([0]))


def test_the_lookup_order_is_the_one_of_the_sql():
    text = (ROOT / "queries" / "sql" / "area_by_code.sql").read_text()
    array = re.search(r"ARRAY\[([^\]]+)\]", text)
    assert array is not None
    assert tuple(re.findall(r"'([a-z0-9]+)'", array.group(1))) == LOOKUP_ORDER
