"""Parsing and checking drawn polygons."""

import pytest

from geo.geometry import GeometryError, parse_drawn

SQUARE = [[[-2.99, 53.40], [-2.97, 53.40], [-2.97, 53.41], [-2.99, 53.41], [-2.99, 53.40]]]


def feature(geom, **extra):
    return {"type": "Feature", "properties": {"name": "x"}, "geometry": geom, **extra}


def parse(doc, **kw):
    return parse_drawn(
        doc, max_vertices=kw.get("max_vertices", 1000), max_area_km2=kw.get("max_area_km2", 100)
    )


def test_wgs84_polygon_is_projected_to_bng():
    d = parse(feature({"type": "Polygon", "coordinates": SQUARE}))
    x, y = d.geom.centroid.coords[0]
    assert 330_000 < x < 345_000 and 385_000 < y < 395_000  # Liverpool in BNG
    assert 1.0e6 < d.geom.area < 1.6e6


def test_crs_member_is_honoured():
    bng = [
        [[334000, 389000], [336000, 389000], [336000, 390000], [334000, 390000], [334000, 389000]]
    ]
    d = parse(
        feature(
            {"type": "Polygon", "coordinates": bng},
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        )
    )
    assert d.geom.area == pytest.approx(2_000_000)


@pytest.mark.parametrize(
    "doc, message",
    [
        (
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 51]}},
            "not a Polygon",
        ),
        ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}}, "empty"),
        ({"type": "Feature", "geometry": None}, "no geometry"),
        ({"type": "FeatureCollection", "features": []}, "no features"),
        ({"type": "Topology"}, "expected a GeoJSON Feature"),
        (
            feature(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-2.99, 53.40],
                            [-2.97, 53.41],
                            [-2.97, 53.40],
                            [-2.99, 53.41],
                            [-2.99, 53.40],
                        ]
                    ],
                }
            ),
            "not valid",
        ),
        (feature({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2]]]}), "arrays of numbers"),
        (
            feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}),
            "at least 4",
        ),
        (
            feature(
                {"type": "Polygon", "coordinates": SQUARE},
                crs={"type": "name", "properties": {"name": "EPSG:999999"}},
            ),
            "cannot be read",
        ),
        (
            feature(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[300000, 400000], [300100, 400000], [300100, 400100], [300000, 400000]]
                    ],
                }
            ),
            "out of range",
        ),
    ],
)
def test_bad_geometries_say_why(doc, message):
    with pytest.raises(GeometryError, match=message):
        parse(doc)


def test_vertex_and_area_limits():
    ring = [[-2.9 + i * 1e-5, 53.4] for i in range(50)] + [[-2.9, 53.41], [-2.9, 53.4]]
    with pytest.raises(GeometryError, match="vertices"):
        parse(feature({"type": "Polygon", "coordinates": [ring]}), max_vertices=20)
    with pytest.raises(GeometryError, match="km²"):
        parse(feature({"type": "Polygon", "coordinates": SQUARE}), max_area_km2=0.5)


def test_a_geometry_collection_is_refused_not_crashed():
    # found by hypothesis: a user-sent GeometryCollection was taken for an internal one
    with pytest.raises(GeometryError, match="not a Polygon"):
        parse(feature({"type": "GeometryCollection", "coordinates": []}))
    with pytest.raises(GeometryError, match="not a Polygon"):
        parse(
            feature(
                {
                    "type": "GeometryCollection",
                    "geometries": [{"type": "Polygon", "coordinates": SQUARE}],
                }
            )
        )


def test_degenerate_rings_are_refused_not_crashed():
    # found by hypothesis: GEOS raised on an empty shell with a hole
    with pytest.raises(GeometryError):
        parse(
            feature(
                {"type": "Polygon", "coordinates": [[], [[0.0, 50.0], [0.0, 50.0], [0.0, 50.0]]]}
            )
        )


def test_nul_characters_in_properties_are_refused():
    # found in review: PostgreSQL text cannot hold NUL; a name with one gave a 500
    doc = feature({"type": "Polygon", "coordinates": SQUARE})
    doc["properties"] = {"name": "a\x00b"}
    with pytest.raises(GeometryError, match="NUL"):
        parse(doc)
    doc["properties"] = {"k\x00": 1}
    with pytest.raises(GeometryError, match="NUL"):
        parse(doc)


def test_rings_must_be_closed_and_say_which_is_not():
    hole = [[-2.985, 53.402], [-2.975, 53.402], [-2.975, 53.408], [-2.985, 53.402]]
    open_hole = [*hole[:-1], [-2.984, 53.402]]
    with pytest.raises(GeometryError, match=r"ring 2 is not closed: its last position"):
        parse(feature({"type": "Polygon", "coordinates": [SQUARE[0], open_hole]}))
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE[0]], [SQUARE[0][:-1]]]}
    with pytest.raises(GeometryError, match="ring 1 of polygon 2 is not closed"):
        parse(feature(multi))
    assert parse(feature({"type": "Polygon", "coordinates": [SQUARE[0], hole]})).geom.area > 0


def test_latitude_longitude_order_is_detected():
    swapped = [[[y, x] for x, y in SQUARE[0]]]
    with pytest.raises(GeometryError, match=r"\[latitude, longitude\].*swap them"):
        parse(feature({"type": "Polygon", "coordinates": swapped}))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("  Our patch ", "Our patch"), ("", None), (None, None), ("é" * 200, "é" * 200)],
)
def test_names_are_trimmed_text(name, expected):
    doc = {**feature({"type": "Polygon", "coordinates": SQUARE}), "properties": {"name": name}}
    assert parse(doc).name == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [("x" * 201, "201 characters"), (["a"], "must be text"), ("a\x07b", "control")],
)
def test_bad_names_say_why(name, message):
    doc = {**feature({"type": "Polygon", "coordinates": SQUARE}), "properties": {"name": name}}
    with pytest.raises(GeometryError, match=message):
        parse(doc)
