"""Each word is spelled once, in depmap.core.vocab: the API's allowed values, the database
columns, the SQL column lists, the tile fields and the map's choices all derive from it."""

from __future__ import annotations

import re
from importlib import resources

import pandas as pd
import pytest

from api.params import (
    ComparatorKind,
    Domain,
    HotspotUnit,
    Indicator,
    Measure,
    OverlapKind,
    RankingKind,
)
from depmap.core import schema, vocab
from depmap.core.sqlfiles import fill, sql_body
from geo.series import lsoa_series
from tiles.columns import ALL_DECILES, EXPRESSIONS
from tiles.layers import LAYERS
from web.map import indicators


def test_api_enums_are_the_vocabulary():
    assert tuple(Domain) == vocab.DOMAINS
    assert tuple(Measure) == vocab.MEASURES
    assert tuple(RankingKind) == vocab.RANKED_KINDS
    assert tuple(OverlapKind) == vocab.OVERLAP_KINDS
    assert tuple(HotspotUnit) == vocab.HOTSPOT_UNITS
    assert tuple(ComparatorKind) == vocab.COMPARATOR_CHOICES


def test_openapi_lists_the_vocabulary():
    from api.main import create_app
    from depmap.core.settings import ApiSettings

    spec = create_app(ApiSettings(env="test")).openapi()  # type: ignore[call-arg]
    enums = {k: tuple(v.get("enum", ())) for k, v in spec["components"]["schemas"].items()}
    assert enums["Domain"] == vocab.DOMAINS
    assert enums["OverlapKind"] == vocab.OVERLAP_KINDS
    assert enums["RankingKind"] == vocab.RANKED_KINDS


def test_search_order_and_ogc_collections_name_kinds_of_the_vocabulary():
    assert sorted(vocab.SEARCH_ORDER) == sorted(vocab.AREA_KINDS)
    assert vocab.SEARCH_ORDER[-1] == "lsoa11"
    assert set(vocab.OGC_COLLECTIONS) == set(vocab.OVERLAP_KINDS) - {"lsoa11"}
    assert "custom" not in vocab.OGC_COLLECTIONS


def test_database_columns_come_from_the_vocabulary():
    stats = [c.name for c in schema.lsoa_stats.columns][4:]
    assert tuple(stats) == vocab.LSOA_STAT_COLUMNS
    assert set(vocab.LSOA_STAT_COLUMNS) >= {f"{d}_score" for d in vocab.DOMAINS}
    assert set(vocab.HEALTH_COLUMNS) <= set(vocab.LSOA_STAT_COLUMNS)
    measure_cols = [c.name for c in schema.area_measure.columns]
    assert tuple(c for c in measure_cols if c in vocab.MEASURES) == vocab.MEASURES
    tile = {c.name for c in schema.tile_lsoa.columns}
    assert set(ALL_DECILES) <= tile
    assert {h for h, _ in vocab.TILE_HEALTH} <= tile
    cell = {c.name for c in schema.tile_cell.columns}
    assert set(ALL_DECILES) <= cell
    # the area kinds the database allows are the vocabulary's
    check = next(c for c in schema.area.constraints if c.name == "area_kind_check")
    assert set(re.findall(r"'(\w+)'", str(check.sqltext))) == set(vocab.AREA_KINDS)


def _sql_files() -> list[tuple[str, str]]:
    out = []
    for pkg in ("queries", "tiles", "depmap.core"):
        for f in resources.files(pkg).joinpath("sql").iterdir():
            if f.name.endswith(".sql"):
                out.append((f"{pkg}/{f.name}", f.read_text(encoding="utf-8")))
    return out


@pytest.mark.parametrize(("name", "body"), _sql_files(), ids=[n for n, _ in _sql_files()])
def test_sql_files_do_not_spell_the_vocabulary_lists(name, body):
    """Health indicators, and the lists of deciles and domain scores, only reach SQL
    through placeholders (a new indicator needs no SQL edit)."""
    code = "\n".join(line.split("--")[0] for line in body.splitlines())
    for h in vocab.HEALTH_COLUMNS:
        assert not re.search(rf"\b{h}\b", code), f"{name} spells {h}"
    for d in vocab.DOMAINS:
        assert not re.search(rf"\b{d}_decile\b", code), f"{name} spells {d}_decile"
    named = [d for d in vocab.DOMAINS if re.search(rf"'{d}'", code)]
    assert len(named) <= 1, f"{name} lists the domains {named} (use a placeholder)"
    filled = fill(body, EXPRESSIONS)
    assert "{{" not in filled


def test_placeholders_fill_from_the_vocabulary():
    body = sql_body("tile_lsoa_full", "tiles")
    filled = fill(body)
    for c in (*ALL_DECILES, *(h for h, _ in vocab.TILE_HEALTH)):
        assert f"l.{c}" in filled
    with pytest.raises(KeyError):
        fill("SELECT {{nope}}")
    with pytest.raises(KeyError):
        fill("SELECT {{by_domain(x; DROP TABLE area)}}")
    with pytest.raises(ValueError):
        fill("SELECT {{per_domain(pg_sleep)}}")


def test_tile_fields_and_titles_come_from_the_vocabulary():
    assert tuple(LAYERS) == vocab.TILE_LAYERS
    for k, layer in LAYERS.items():
        assert layer.title == vocab.KINDS[k].tile_title
    lsoa = LAYERS["lsoa21"].fields
    assert set(ALL_DECILES) <= set(lsoa)
    for h, _ in vocab.TILE_HEALTH:
        t = vocab.HEALTH_TABLE[h]
        assert lsoa[h] == (t.tile_label or t.label)
    foot = LAYERS["icb"].fields
    for m in vocab.RANKING_MEASURES:
        assert foot[m] == vocab.MEASURE_TABLE[m].label


def test_map_choices_come_from_the_vocabulary():
    keys = [i["key"] for i in indicators()]
    assert tuple(keys) == (*ALL_DECILES, *(c.code for c in vocab.TILE_CHANGES))
    labels = {i["key"]: i["label"] for i in indicators()}
    assert labels["imd_decile"] == vocab.DOMAIN_TABLE["imd"].map_label
    assert labels["hle_male_decile"] == vocab.HEALTH_TABLE["hle_male"].map_label


def test_series_columns_come_from_the_vocabulary():
    cols = [c.name for c in schema.lsoa_series.columns][1:]
    assert tuple(cols) == vocab.LSOA_SERIES_COLUMNS
    for s in vocab.SERIES.values():
        for y in s.years:
            assert any(c.startswith(f"{s.code}_{y}_") for c in cols)
    out = lsoa_series(pd.DataFrame({"population": [1.0]}))
    assert tuple(out.columns) == vocab.LSOA_SERIES_COLUMNS
    tile = {c.name for c in schema.tile_lsoa.columns} & {c.name for c in schema.tile_cell.columns}
    assert {c.code for c in vocab.TILE_CHANGES} <= tile
    assert tuple(Indicator) == vocab.SERIES_CODES


def test_loaders_take_their_columns_from_the_vocabulary():
    from loaders.derive import STAT_SOURCES
    from loaders.imd import DOMAINS as IOD_STEMS
    from sources.layout import EXPECTED_COUNTS

    assert tuple(STAT_SOURCES) == vocab.LSOA_STAT_COLUMNS
    assert tuple(IOD_STEMS) == vocab.DOMAINS
    assert EXPECTED_COUNTS["icb"] == vocab.KINDS["icb"].national == 42


def test_the_vocabulary_is_not_spelled_again_in_python():
    """No module outside the vocabulary lists the domains or health indicators by hand."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    domains = re.compile(r'"imd",\s*"income",\s*"employment"')
    health = re.compile(r'"acute_morbidity",\s*\n?\s*"illness_disability_ratio"')
    for pkg in ("depmap", "api", "queries", "tiles", "web", "loaders", "fetch", "sources", "geo"):
        for f in (root / pkg).rglob("*.py"):
            if f.name == "vocab.py":
                continue
            text = f.read_text(encoding="utf-8")
            assert not domains.search(text), f"{f} lists the domains"
            assert not health.search(text), f"{f} lists the health indicators"
