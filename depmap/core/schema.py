"""The database schema (SQLAlchemy Core + GeoAlchemy2).

The LSOA21 is the atom. Every area of every kind is one row of ``area`` with a
geometry in British National Grid (EPSG:27700), and ``area_lsoa`` states which
LSOA21s it covers and with what share of each LSOA's area and population.
Statistics are published per LSOA21 (``indicator_value``, widened into
``lsoa_stats``) and aggregated over those weights (``area_measure``,
``area_profile``).

The bulk tables (weights, values, measures, adjacency) carry no foreign keys:
PostgreSQL checks those row by row, which made a national load ten times slower.
The loaders and the API write them only through code that keeps them
consistent: columns that refer to an area are declared with :func:`area_ref`,
:func:`~depmap.core.db.delete_area_rows` removes areas with every row that refers
to them, and every load ends with :func:`~depmap.core.db.orphan_counts` checked to
be zero.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from depmap.core.vocab import (
    AREA_KINDS,
    DOMAINS,
    LSOA_SERIES_COLUMNS,
    LSOA_STAT_COLUMNS,
    MEASURES,
    TILE_CHANGES,
    TILE_DECILES,
    TILE_HEALTH,
)

SRID = 27700
SCHEMA_VERSION = 5  # 4: LSOA21 and LSOA11 summaries stored; 5: registration extracts and ICBs

#: How an area's LSOA weights were made.
WEIGHT_BASES: tuple[str, ...] = ("lsoa", "area", "registrations")

metadata = MetaData()
#: ``info`` of the tables every load rebuilds from the others: a new schema version
#: drops and recreates them (the load that follows fills them), so they need no migration.
REBUILT = {"rebuilt": True}


def area_ref(name: str, *, lsoa: bool = False, primary_key: bool = False) -> Column[int]:
    """A column holding the id of an ``area`` row (``lsoa``: of an LSOA21 only).
    Deleting an area deletes the rows that refer to it through such columns
    (:data:`AREA_DEPENDENTS`)."""
    return Column(
        name,
        BigInteger,
        nullable=False,
        primary_key=primary_key,
        info={"refers_to": "area", "lsoa": lsoa},
    )


def _in(col: str, values: tuple[str, ...]) -> str:
    return f"{col} IN ({', '.join(repr(v) for v in values)})"


area = Table(
    "area",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("code", Text, nullable=False, comment="GSS code, or the id of a programme/custom area"),
    Column("name", Text, nullable=False),
    Column("vintage", String(16), nullable=False),
    Column("programme", Text, nullable=True, comment="programme name for kind=programme"),
    Column("population", Float, nullable=False, server_default="0"),
    Column(
        "population_basis",
        String(32),
        nullable=False,
        server_default="census2021_residents",
    ),
    Column("weight_basis", String(16), nullable=False, server_default="lsoa"),
    Column("area_m2", Float, nullable=False),
    Column(
        "geom",
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False),
        nullable=False,
    ),
    Column("properties", JSONB, nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("kind", "code", name="area_kind_code_key"),
    CheckConstraint(_in("kind", AREA_KINDS), name="area_kind_check"),
    CheckConstraint(_in("weight_basis", WEIGHT_BASES), name="area_weight_basis_check"),
    CheckConstraint("population >= 0", name="area_population_check"),
    CheckConstraint("area_m2 >= 0", name="area_area_check"),
)
Index("area_geom_gist", area.c.geom, postgresql_using="gist")
Index("area_code_idx", area.c.code)
Index("area_programme_idx", area.c.programme)
#: Indexes SQLAlchemy cannot spell (operator classes on expressions); made by init_db.
EXTRA_DDL: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS area_name_trgm ON area USING gin (lower(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS area_code_upper_pattern ON area (upper(code) text_pattern_ops)",
)

area_lsoa = Table(
    "area_lsoa",
    metadata,
    area_ref("area_id"),
    area_ref("lsoa_id", lsoa=True),
    Column("kind", String(16), nullable=False, comment="the kind of area_id (denormalised)"),
    Column("area_share", Float, nullable=False, comment="share of the LSOA's area inside"),
    Column("pop_share", Float, nullable=False, comment="share of the LSOA's population inside"),
    Column("population", Float, nullable=False, comment="the area's population in this LSOA"),
    PrimaryKeyConstraint("area_id", "lsoa_id", name="area_lsoa_pkey"),
    CheckConstraint("area_share >= 0 AND area_share <= 1.000001", name="area_lsoa_area_share"),
    CheckConstraint("pop_share >= 0 AND pop_share <= 1.000001", name="area_lsoa_pop_share"),
    CheckConstraint("population >= 0", name="area_lsoa_population"),
)
Index("area_lsoa_lsoa_kind_idx", area_lsoa.c.lsoa_id, area_lsoa.c.kind)

indicator = Table(
    "indicator",
    metadata,
    Column("id", Integer, Identity(always=False), primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("label", Text, nullable=False),
    Column("domain", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("vintage", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("higher_is_worse", Boolean, nullable=True),
    Column(
        "extensive",
        Boolean,
        nullable=False,
        server_default="false",
        comment="a count (summed over areas) rather than a rate or score",
    ),
    Column("geography", Text, nullable=False, comment="the geography it was published on"),
    Column("description", Text, nullable=False, server_default=""),
)

indicator_value = Table(
    "indicator_value",
    metadata,
    Column("indicator_id", Integer, nullable=False),
    area_ref("lsoa_id", lsoa=True),
    Column("value", Float, nullable=True),
    Column("rank", Float, nullable=True, comment="national rank, 1 = most deprived/highest need"),
    Column("decile", SmallInteger, nullable=True, comment="1 = most deprived 10%"),
    PrimaryKeyConstraint("indicator_id", "lsoa_id", name="indicator_value_pkey"),
)

lsoa_stats = Table(
    "lsoa_stats",
    metadata,
    area_ref("lsoa_id", lsoa=True, primary_key=True),
    Column("code", String(9), nullable=False, unique=True),
    Column("population", Float, nullable=False),
    Column("left_behind", Boolean, nullable=True),
    *[Column(c, Float, nullable=True) for c in LSOA_STAT_COLUMNS],
)

lsoa_series = Table(
    "lsoa_series",
    metadata,
    area_ref("lsoa_id", lsoa=True, primary_key=True),
    *[Column(c, Float, nullable=True) for c in LSOA_SERIES_COLUMNS],
    comment="each series' numerator and denominator (or value) per year, and the baseline "
    "covariates, per LSOA21 (rebuilt by every load)",
)

series_england = Table(
    "series_england",
    metadata,
    Column("series", Text, nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("value", Float, nullable=True),
    Column("numerator", Float, nullable=False),
    Column("denominator", Float, nullable=False),
    PrimaryKeyConstraint("series", "year", name="series_england_pkey"),
    comment="England's value of every series and year (rebuilt by every load)",
)

area_measure = Table(
    "area_measure",
    metadata,
    area_ref("area_id"),
    Column("domain", String(16), nullable=False),
    Column("population", Float, nullable=False),
    *[Column(m, Float, nullable=True) for m in MEASURES],
    Column(
        "decile_population",
        ARRAY(Float),
        nullable=False,
        comment="population in each national decile 1..10 of the domain",
    ),
    *[Column(f"rank_{m}", Integer, nullable=True) for m in MEASURES],
    PrimaryKeyConstraint("area_id", "domain", name="area_measure_pkey"),
    CheckConstraint(_in("domain", DOMAINS), name="area_measure_domain_check"),
)

area_profile = Table(
    "area_profile",
    metadata,
    area_ref("area_id", primary_key=True),
    Column("population", Float, nullable=False),
    Column("lsoa_count", Float, nullable=False, comment="LSOAs counted by population share"),
    Column("health", JSONB, nullable=False, comment="population-weighted health indicators"),
)

lsoa_adjacency = Table(
    "lsoa_adjacency",
    metadata,
    area_ref("lsoa_id", lsoa=True),
    area_ref("neighbour_id", lsoa=True),
    PrimaryKeyConstraint("lsoa_id", "neighbour_id", name="lsoa_adjacency_pkey"),
)

load_run = Table(
    "load_run",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("parts", ARRAY(Text), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("counts", JSONB, nullable=False, server_default="{}"),
    Column("report", JSONB, nullable=False, server_default="{}"),
)

# --- GP registrations behind the PCNs (issue 13) --------------------------------------
registration_extract = Table(
    "registration_extract",
    metadata,
    Column("name", Text, primary_key=True, comment="the file, relative to the data folder"),
    Column("extract_date", Date, nullable=False),
    Column("publication", String(7), nullable=False, comment="YYYY-MM of the extract date"),
    Column("lsoa_geography", String(8), nullable=False, comment="lsoa11 or lsoa21"),
    Column("geography_by", Text, nullable=False, comment="how it was told: codes, extract date"),
    Column("rows_read", BigInteger, nullable=False),
    Column("patients_read", Float, nullable=False),
    Column("practices", Integer, nullable=False, comment="practices whose rows come from it"),
    Column("practices_superseded", Integer, nullable=False, comment="held by a later extract"),
    Column("patients_placed", Float, nullable=False, comment="in an English LSOA21, in a PCN"),
    Column("pcns", Integer, nullable=False, comment="PCNs with patients from it"),
    comment="the registration extracts PCNs were derived from (rebuilt by the pcn part)",
)

registration_icb = Table(
    "registration_icb",
    metadata,
    Column("icb_code", Text, primary_key=True),
    Column("icb_name", Text, nullable=False),
    Column("extracts", ARRAY(Text), nullable=False, comment="extracts its practices come from"),
    Column("practices", Integer, nullable=False, comment="its practices placed, in a PCN"),
    Column("patients_placed", Float, nullable=False, comment="their patients in English LSOA21s"),
    Column("pcns", Integer, nullable=False, comment="PCNs derived whose ICB it is"),
    Column("residents", Float, nullable=False, comment="Census 2021 residents of its LSOAs"),
    Column("attributed", Float, nullable=False, comment="of them attributed to PCNs"),
    Column("coverage", Float, nullable=False, comment="attributed / residents"),
    comment="per ICB: which extracts, practices and patients placed, residents covered",
)

meta = Table(
    "depmap_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)


# --- tiles (issue 4) -----------------------------------------------------------------
#: Zoom bands with tile geometry generalised in advance; a band serves the zooms from
#: its own up to the next band's, and zooms below the first use it. From TILE_FULL_ZOOM
#: up, tiles are cut from ``area`` itself.
TILE_BANDS: tuple[int, ...] = (5, 6, 7, 8, 9, 10)
TILE_FULL_ZOOM = 12
#: The band of ``tile_geom`` holding LSOA21s at full detail in Web Mercator (zooms from
#: TILE_FULL_ZOOM up); footprints at full detail are cut from ``area``.
TILE_FULL_BAND = TILE_FULL_ZOOM
tile_lsoa = Table(
    "tile_lsoa",
    metadata,
    Column("lsoa_id", BigInteger, primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("population", Integer, nullable=True),
    Column("imd_score", Float(24), nullable=True),
    Column("imd_rank", Integer, nullable=True),
    *[Column(c, SmallInteger, nullable=True) for c in TILE_DECILES],
    *[Column(h, Float(24), nullable=True) for h, _ in TILE_HEALTH],
    *[Column(f"{h}_decile", SmallInteger, nullable=True) for h, _ in TILE_HEALTH],
    *[Column(c.code, Float(24), nullable=True) for c in TILE_CHANGES],
    comment="what an LSOA21 tile feature carries (rebuilt by every load)",
)

tile_geom = Table(
    "tile_geom",
    metadata,
    Column("band", SmallInteger, nullable=False),
    Column("layer", String(16), nullable=False),
    Column("area_id", BigInteger, nullable=False),
    Column("geom", Geometry("GEOMETRY", srid=3857, spatial_index=False), nullable=False),
    PrimaryKeyConstraint("band", "layer", "area_id", name="tile_geom_pkey"),
    postgresql_partition_by="LIST (band)",
    comment="areas generalised per zoom band, in Web Mercator (rebuilt by every load)",
)
Index("tile_geom_gist", tile_geom.c.geom, postgresql_using="gist")

tile_cell = Table(
    "tile_cell",
    metadata,
    Column("band", SmallInteger, nullable=False),
    Column("cx", Integer, nullable=False),
    Column("cy", Integer, nullable=False),
    Column("lsoas", Integer, nullable=False),
    Column("population", Integer, nullable=True),
    *[Column(c, SmallInteger, nullable=True) for c in TILE_DECILES],
    *[Column(f"{h}_decile", SmallInteger, nullable=True) for h, _ in TILE_HEALTH],
    *[Column(c.code, Float(24), nullable=True) for c in TILE_CHANGES],
    Column("geom", Geometry("POLYGON", srid=3857, spatial_index=False), nullable=False),
    PrimaryKeyConstraint("band", "cx", "cy", name="tile_cell_pkey"),
    postgresql_partition_by="LIST (band)",
    comment="LSOA21s too small to see at a band, pooled into square cells of a few pixels",
)
Index("tile_cell_gist", tile_cell.c.geom, postgresql_using="gist")

EXTRA_DDL = (
    *EXTRA_DDL,
    *(
        f"CREATE TABLE IF NOT EXISTS {t}_b{b} PARTITION OF {t} FOR VALUES IN ({b})"
        for t in ("tile_geom", "tile_cell")
        for b in TILE_BANDS
    ),
    f"CREATE TABLE IF NOT EXISTS tile_geom_b{TILE_FULL_BAND} PARTITION OF tile_geom "
    f"FOR VALUES IN ({TILE_FULL_BAND})",
    # full-detail LSOA21 tiles now come from tile_geom: the partial index they used goes
    "DROP INDEX IF EXISTS area_lsoa21_geom_gist",
)


#: (table, column) of every column that refers to an area (``area_ref``), for the
#: cascade delete and the orphan check. Tile tables are left out: every load rebuilds
#: them, and they never hold custom areas.
AREA_DEPENDENTS: tuple[tuple[str, str], ...] = tuple(
    (t.name, c.name)
    for t in metadata.sorted_tables
    for c in t.columns
    if c.info.get("refers_to") == "area"
)
#: Those that can only hold LSOA21 ids (nothing to delete there for other kinds).
LSOA_DEPENDENTS: frozenset[tuple[str, str]] = frozenset(
    (t.name, c.name)
    for t in metadata.sorted_tables
    for c in t.columns
    if c.info.get("refers_to") == "area" and c.info.get("lsoa")
)
#: The tables every load rebuilds (see :data:`REBUILT`).
REBUILT_TABLES: tuple[Table, ...] = (
    lsoa_stats,
    lsoa_series,
    series_england,
    area_measure,
    area_profile,
    lsoa_adjacency,
    tile_lsoa,
    tile_geom,
    tile_cell,
)
for _t in REBUILT_TABLES:
    _t.info.update(REBUILT)
