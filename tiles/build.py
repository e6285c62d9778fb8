"""Tile tables: what map tiles draw, generalised per zoom band in advance.

Rebuilt at the end of every load, in the load's transaction, so tiles change
exactly when the data version does:

* ``tile_lsoa``: one row per LSOA21 with the attributes its tile features carry
  (IMD score, rank and deciles, the domain deciles, population, health indicators
  and their national deciles);
* ``tile_geom``: every tile layer's areas per zoom band, simplified by half a
  pixel of the band, and LSOA21s at full detail, projected to Web Mercator once
  (in a ``CREATE TABLE AS`` that PostgreSQL can run in parallel), not per request;
* ``tile_cell``: LSOA21s too small to be seen at a band pooled into square cells
  of :data:`CELL_PX` pixels, so that low-zoom tiles stay small without holes.

From :data:`depmap.core.schema.TILE_FULL_ZOOM` up, LSOA21 tiles come from the full-detail
band and footprint tiles from ``area`` itself.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from depmap.core.schema import TILE_BANDS, TILE_FULL_BAND
from depmap.core.sqlfiles import sql
from depmap.core.vocab import TILE_LAYERS
from tiles.columns import tile_sql
from tiles.grid import WORLD_M, ground_pixel_m, pixel_m

#: Every area kind drawn as a tile layer (its rows are tile features).
TILE_KINDS: tuple[str, ...] = TILE_LAYERS
#: Side of a cell of pooled small LSOA21s, in screen pixels of the band.
CELL_PX = 2.0


def band_params() -> dict[str, object]:
    """Bind parameters of the tile SQL: the top band, and the bands generalised from it."""
    top, lower = TILE_BANDS[-1], TILE_BANDS[:-1]
    return {
        "top": top,
        "top_px": ground_pixel_m(top),
        "top_merc": pixel_m(top),
        "full_band": TILE_FULL_BAND,
        "bands": list(lower),
        "ground_px": [ground_pixel_m(b) for b in lower],
        "merc_px": [pixel_m(b) for b in lower],
        "cell_px": CELL_PX,
        "half": WORLD_M / 2,
    }


def rebuild(conn: Connection) -> dict[str, int]:
    """Replace the tile tables from ``area`` and ``lsoa_stats``; counts of rows written."""
    for t in ("tile_cell", "tile_geom", "tile_lsoa"):  # names from code, not input
        conn.execute(text(f"DELETE FROM {t}"))
    p = band_params()
    conn.execute(text("SET LOCAL jit = off"))  # compiling these queries costs more than it saves
    n_lsoa = conn.execute(tile_sql("tiles_lsoa")).rowcount
    conn.execute(text("DROP TABLE IF EXISTS tile_top"))
    conn.execute(sql("tiles_top", "tiles"), {**p, "layers": list(TILE_KINDS)})
    n_geom = conn.execute(sql("tiles_geom", "tiles"), p).rowcount
    n_geom += conn.execute(sql("tiles_geom_lower", "tiles"), p).rowcount
    n_cell = conn.execute(tile_sql("tiles_cell"), p).rowcount
    # no ANALYZE here (it cost a second): tile queries are index scans either way, and
    # autovacuum gathers statistics after the load
    return {
        "tile LSOAs": int(n_lsoa or 0),
        "tile features": int(n_geom or 0),
        "tile cells": int(n_cell or 0),
    }
