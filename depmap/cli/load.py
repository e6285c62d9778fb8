"""``depmap db init``, ``depmap load all | <part>`` and ``depmap status``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import OperationalError

from depmap.cli.common import (
    DataDirOpt,
    ProgressOpt,
    WaitOpt,
    data_dir,
    fail,
    out,
    run_parts,
)
from depmap.core.db import DatabaseNotReady, database_status, drop_all, init_db, make_engine

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
load_app = typer.Typer(
    help="Load data into PostGIS (each load is one transaction).", no_args_is_help=True
)


@db_app.command("init")
def db_init(
    reset: Annotated[bool, typer.Option(help="Drop every depmap table first.")] = False,
) -> None:
    """Create the PostGIS extension and the tables (idempotent)."""
    eng = make_engine()
    try:
        with eng.begin() as conn:
            if reset:
                drop_all(conn)
            init_db(conn)
    except OperationalError as e:
        fail(f"cannot reach the database: {e.orig}")
    finally:
        eng.dispose()
    out.print("[green]database ready[/]")


@load_app.command("all")
def load_all(
    data_dir_: DataDirOpt = None, wait: WaitOpt = False, progress: ProgressOpt = True
) -> None:
    """Load everything in the data folder, in one transaction."""
    from loaders.pipeline import parts_present

    folder = data_dir(data_dir_)
    run_parts(parts_present(folder), folder, wait, progress)


def _part_command(name: str, doc: str) -> None:
    def cmd(
        data_dir_: DataDirOpt = None, wait: WaitOpt = False, progress: ProgressOpt = True
    ) -> None:
        run_parts([name], data_dir(data_dir_), wait, progress)

    cmd.__doc__ = f"{doc} (and rebuild the derived tables)."
    load_app.command(name)(cmd)


def status() -> None:
    """Counts of areas per kind and values per indicator."""
    eng = make_engine()
    try:
        with eng.connect() as conn:
            st = database_status(conn)
    except DatabaseNotReady as e:
        fail(str(e))
    except OperationalError as e:
        fail(f"cannot reach the database: {e.orig}")
    finally:
        eng.dispose()
    last = st.last_load
    out.print(
        f"data version {st.data_version}"
        + (
            f", last load {last[0]:%Y-%m-%d %H:%M} ({', '.join(last[1])})"
            if last
            else ", nothing loaded yet"
        )
    )
    t = Table(title="Areas")
    t.add_column("kind")
    t.add_column("areas", justify="right")
    t.add_column("population", justify="right")
    for k, n, p in st.kinds:
        t.add_row(k, f"{n:,}", f"{p:,.0f}")
    out.print(t)
    t2 = Table(title="Indicators")
    for c in ("code", "vintage", "LSOAs", "values", "ranks", "deciles"):
        t2.add_column(c, justify="left" if c in ("code", "vintage") else "right")
    for code, vintage, n, nv, nr, nd in st.indicators:
        t2.add_row(code, vintage, f"{n:,}", f"{nv:,}", f"{nr:,}", f"{nd:,}")
    out.print(t2)


def register(app: typer.Typer) -> None:
    from loaders.pipeline import PARTS

    app.add_typer(db_app, name="db")
    app.add_typer(load_app, name="load")
    for part in PARTS.values():
        _part_command(part.name, part.doc)
    app.command("status")(status)
