"""The OGC API's pieces that need no database: bounding boxes, datetime, collections made
from the vocabulary, and the OpenAPI 3.1 -> 3.0 rewrite."""

from __future__ import annotations

import pytest

from api.openapi30 import to_openapi30
from depmap.core.errors import BadParameter
from depmap.core.vocab import DOMAINS, HEALTH_COLUMNS, OGC_COLLECTIONS, RANKING_MEASURES
from queries.ogc import BNG, COLLECTIONS, CRS84, CRSS, check_datetime, crs_of, parse_bbox


def test_bbox_in_lonlat_and_british_national_grid():
    box = parse_bbox("-3,53.3,-2.9,53.5", CRSS[CRS84])
    assert box.srid == 4326 and box.wkt.startswith("MULTIPOLYGON(((-3.0 53.3,-2.9 53.3")
    assert parse_bbox("1e5,2e5,3e5,4e5", CRSS[BNG]).wkt.startswith(
        "MULTIPOLYGON(((100000.0 200000.0"
    )
    # six numbers: a 3D box, heights left out
    assert parse_bbox("-3,53,0,-2,54,100", CRSS[CRS84]).wkt.startswith("MULTIPOLYGON(((-3.0 53.0")


def test_bbox_across_the_antimeridian_is_cut_to_great_britain():
    assert parse_bbox("179,50,-179,52", CRSS[CRS84]).wkt == "MULTIPOLYGON EMPTY"
    assert parse_bbox("10,40,11,41", CRSS[CRS84]).wkt == "MULTIPOLYGON EMPTY"
    two = parse_bbox("2,50,-5,52", CRSS[CRS84]).wkt  # east of 2 and west of -5
    assert two.count("((") == 2 and "180" not in two


@pytest.mark.parametrize(
    "value, crs",
    [
        ("1,2,3", CRS84),
        ("a,b,c,d", CRS84),
        ("1,2,3,4,5", CRS84),
        ("nan,1,2,3", CRS84),
        ("1e999,1,2,3", CRS84),
        ("-3,54,-2,53", CRS84),  # lower corner above the upper one
        ("400000,100000,500000,200000", CRS84),  # metres given as degrees
        ("5,0,1,10", BNG),  # minx > maxx is only the antimeridian in lon/lat
    ],
)
def test_bad_bboxes_are_a_400(value, crs):
    with pytest.raises(BadParameter) as e:
        parse_bbox(value, CRSS[crs])
    assert e.value.status == 400 and e.value.extra["parameter"] == "bbox"


def test_crs_and_datetime():
    assert crs_of(None, "crs").uri == CRS84
    assert crs_of(BNG, "crs").srid == 27700
    with pytest.raises(BadParameter):
        crs_of("EPSG:27700", "crs")
    for ok in (
        "2025-10-30",
        "2025-10-30T12:00:00Z",
        "2021-03-21/2025-10-30",
        "../2025-10-30",
        "2025-01-01T00:00:00+01:00/..",
    ):
        check_datetime(ok)
    for bad in ("yesterday", "2025-13", "2025-02-30", "/", "../..", "2025-01-01T25"):
        with pytest.raises(BadParameter):
            check_datetime(bad)


def test_collections_and_their_properties_come_from_the_vocabulary():
    assert tuple(COLLECTIONS) == OGC_COLLECTIONS
    lsoa = [p.name for p in COLLECTIONS["lsoa21"].properties]
    assert {"imd_score", "imd_rank", *(f"{d}_decile" for d in DOMAINS), *HEALTH_COLUMNS} <= set(
        lsoa
    )
    icb = [p.name for p in COLLECTIONS["icb"].properties]
    assert {*RANKING_MEASURES, *(f"rank_{m}" for m in RANKING_MEASURES), *HEALTH_COLUMNS} <= set(
        icb
    )
    assert "programme" in COLLECTIONS["programme"].filters
    assert "programme" not in icb and "imd_decile" in COLLECTIONS["lsoa21"].filters


def test_openapi_31_schemas_become_30():
    doc = {
        "openapi": "3.1.0",
        "components": {
            "schemas": {
                "A": {
                    "properties": {
                        "x": {"anyOf": [{"type": "string"}, {"type": "null"}], "examples": ["a"]},
                        "y": {"anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]},
                        "t": {"const": "Feature", "type": "string"},
                        "p": {"prefixItems": [{"type": "number"}, {"type": "number"}]},
                        "n": {"type": ["integer", "null"], "exclusiveMinimum": 0},
                    }
                }
            }
        },
    }
    out = to_openapi30(doc)["components"]["schemas"]["A"]["properties"]
    assert out["x"] == {"type": "string", "nullable": True, "example": "a"}
    assert out["y"] == {"nullable": True, "allOf": [{"$ref": "#/components/schemas/B"}]}
    assert out["t"] == {"type": "string", "enum": ["Feature"]}
    assert out["p"] == {"items": {"type": "number"}}
    assert out["n"] == {"type": "integer", "nullable": True, "minimum": 0, "exclusiveMinimum": True}
    assert to_openapi30(doc)["openapi"] == "3.0.3" and doc["openapi"] == "3.1.0"
