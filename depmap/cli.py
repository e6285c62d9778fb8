"""The ``depmap`` command: database, loads, status, the service and its queries."""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from depmap.cli_programmes import register as _register_programme_commands
from depmap.cli_tiles import register as _register_tile_commands
from depmap.core import logs
from depmap.core.db import init_db, make_engine
from depmap.core.settings import api_settings, loader_settings
from depmap.fetch_cli import fetch_command

T = TypeVar("T")

app = typer.Typer(
    help="depmap: deprivation, the NHS and community programmes, by small area.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
load_app = typer.Typer(
    help="Load data into PostGIS (each load is one transaction).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")

err = Console(stderr=True)
out = Console()
log = logging.getLogger("depmap.cli")


class RichProgress:
    """The loaders' progress sink, drawn with rich on stderr."""

    def __init__(self, enabled: bool = True) -> None:
        self._p = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=not enabled,
            transient=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._p.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.stop()

    def start(self, label: str, total: float | None = None) -> None:
        self._task = self._p.add_task(label, total=total)

    def advance(self, n: float = 1) -> None:
        if self._task is not None:
            self._p.advance(self._task, n)

    def done(self) -> None:
        if self._task is not None:
            t = self._p.tasks[self._task]
            if t.total is not None:
                self._p.update(self._task, completed=t.total)
        self._task = None


def _fail(msg: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {msg}")
    raise typer.Exit(code)


@app.callback()
def main(
    log_level: Annotated[str, typer.Option(help="Log level (DEPMAP_LOG_LEVEL).")] = "",
) -> None:
    logs.setup(log_level or None)


@db_app.command("init")
def db_init(
    reset: Annotated[bool, typer.Option(help="Drop every depmap table first.")] = False,
) -> None:
    """Create the PostGIS extension and the tables (idempotent)."""
    from depmap.core.db import drop_all

    eng = make_engine()
    try:
        with eng.begin() as conn:
            if reset:
                drop_all(conn)
            init_db(conn)
    except OperationalError as e:
        _fail(f"cannot reach the database: {e.orig}")
    out.print("[green]database ready[/]")


def _data_dir(opt: Path | None) -> Path:
    d = opt or loader_settings().data_dir
    if d is None:
        _fail("no data folder: pass --data-dir or set DEPMAP_DATA_DIR")
    assert d is not None
    if not d.is_dir():
        _fail(f"the data folder {d} does not exist")
    return d


DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Data folder (default: DEPMAP_DATA_DIR).")
]
WaitOpt = Annotated[bool, typer.Option(help="Wait for another load to finish instead of failing.")]
ProgressOpt = Annotated[bool, typer.Option(help="Show progress bars.")]


def run_parts(
    parts: list[str], data_dir: Path | None, wait: bool, progress: bool, extra: object = None
) -> None:
    from depmap.core.errors import LoadError
    from loaders.base import LoadBusy
    from loaders.pipeline import run_load

    d = _data_dir(data_dir) if parts else (data_dir or Path("."))
    eng = make_engine()
    try:
        with RichProgress(enabled=progress and loader_settings().progress) as prog:
            report = run_load(
                eng,
                d,
                parts,
                progress=prog,
                wait=wait,
                extra=extra,  # type: ignore[arg-type]
                expect_england=loader_settings().expect_england,
            )
    except LoadBusy as e:
        _fail(str(e), code=3)
        return
    except LoadError as e:
        _fail(f"{e}\nnothing was changed (the load was rolled back)")
        return
    except OperationalError as e:
        _fail(f"database error: {e.orig}; nothing was changed")
        return
    finally:
        eng.dispose()
    t = Table(title=f"Loaded (data version {report.data_version}, {report.seconds:.1f} s)")
    t.add_column("part")
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_column("seconds", justify="right")
    for r in report.results:
        first = True
        for k, v in r.counts.items():
            t.add_row(r.part if first else "", k, f"{v:,}", f"{r.seconds:.1f}" if first else "")
            first = False
        for note in r.notes:
            t.add_row("", note, "", "")
    out.print(t)
    kinds = Table(title="Areas by kind")
    kinds.add_column("kind")
    kinds.add_column("areas", justify="right")
    for kind, count in report.counts_by_kind.items():
        kinds.add_row(kind, f"{count:,}")
    kinds.add_row("indicators", f"{report.indicators:,}")
    out.print(kinds)


@load_app.command("all")
def load_all(
    data_dir: DataDirOpt = None, wait: WaitOpt = False, progress: ProgressOpt = True
) -> None:
    """Load everything in the data folder, in one transaction."""
    from loaders.pipeline import PARTS, optional_parts_present

    run_parts(optional_parts_present(list(PARTS), _data_dir(data_dir)), data_dir, wait, progress)


def _part_command(name: str) -> None:
    def cmd(
        data_dir: DataDirOpt = None, wait: WaitOpt = False, progress: ProgressOpt = True
    ) -> None:
        run_parts([name], data_dir, wait, progress)

    cmd.__doc__ = f"Load only the {name} part (and rebuild the derived tables)."
    load_app.command(name)(cmd)


def register_part_commands() -> None:
    from loaders.pipeline import PARTS

    for name in PARTS:
        _part_command(name)


@app.command()
def status() -> None:
    """Counts of areas per kind and values per indicator."""
    eng = make_engine()
    try:
        with eng.connect() as conn:
            from depmap.core.db import data_version, schema_ready

            if not schema_ready(conn):
                _fail("the database has no depmap schema: run `depmap db init`")
            v = data_version(conn)
            kinds = conn.execute(
                text("SELECT kind, count(*), sum(population) FROM area GROUP BY kind ORDER BY kind")
            ).all()
            inds = conn.execute(
                text(
                    "SELECT i.code, i.vintage, count(v.lsoa_id), count(v.value), "
                    "count(v.rank), count(v.decile) FROM indicator i "
                    "LEFT JOIN indicator_value v ON v.indicator_id = i.id "
                    "GROUP BY i.id ORDER BY i.code"
                )
            ).all()
            last = conn.execute(
                text("SELECT finished_at, parts FROM load_run ORDER BY id DESC LIMIT 1")
            ).first()
    except OperationalError as e:
        _fail(f"cannot reach the database: {e.orig}")
        return
    finally:
        eng.dispose()
    out.print(
        f"data version {v}"
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
    for k, n, p in kinds:
        t.add_row(k, f"{n:,}", f"{(p or 0):,.0f}")
    out.print(t)
    t2 = Table(title="Indicators")
    for c in ("code", "vintage", "LSOAs", "values", "ranks", "deciles"):
        t2.add_column(c, justify="left" if c in ("code", "vintage") else "right")
    for code, vintage, n, nv, nr, nd in inds:
        t2.add_row(code, vintage, f"{n:,}", f"{nv:,}", f"{nr:,}", f"{nd:,}")
    out.print(t2)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (DEPMAP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (DEPMAP_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP API."""
    import uvicorn

    s = api_settings()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


def _run_query(fn: Callable[[Any], Awaitable[T]]) -> T:
    """Run an async query function of the service with a short-lived engine."""
    import asyncio

    from depmap.core.db import make_async_engine
    from depmap.core.settings import database_settings

    async def go() -> T:
        eng = make_async_engine(database_settings())
        try:
            async with eng.connect() as conn:
                return await fn(conn)
        finally:
            await eng.dispose()

    try:
        return asyncio.run(go())
    except OperationalError as e:
        _fail(f"cannot reach the database: {e.orig}")
    except Exception as e:
        from depmap.core.errors import ServiceError

        if isinstance(e, ServiceError):
            _fail(e.detail)
        raise


FormatOpt = Annotated[str, typer.Option("--format", help="csv, json or table")]


def _emit(rows: list[dict[str, object]], columns: list[str], fmt: str, title: str) -> None:
    from queries.formats import dumps, to_csv

    if fmt == "csv":
        sys.stdout.write(to_csv(rows, columns))
    elif fmt == "json":
        sys.stdout.write(dumps(rows).decode() + "\n")
    elif fmt == "table":
        t = Table(title=title)
        for c in columns:
            t.add_column(c)
        for r in rows:
            t.add_row(
                *[
                    f"{r[c]:.4f}" if isinstance(r.get(c), float) else str(r.get(c, ""))
                    for c in columns
                ]
            )
        out.print(t)
    else:
        _fail(f"--format {fmt!r}: use csv, json or table")


@app.command()
def rankings(
    kind: Annotated[str, typer.Option(help="icb, ltla, sicbl, pcn, programme, msoa21, ward")],
    domain: Annotated[str, typer.Option(help="imd or a domain")] = "imd",
    measure: Annotated[str, typer.Option(help="measure to order by")] = "average_score",
    programme: Annotated[str | None, typer.Option(help="only areas of this programme")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Every area of a kind with the IoD summary measures (as GET /rankings)."""
    from api.params import Domain, Measure, RankingKind
    from queries.deprivation import RANKING_CSV_COLUMNS
    from queries.deprivation import rankings as q_rankings

    for name, value, enum in (
        ("kind", kind, RankingKind),
        ("domain", domain, Domain),
        ("measure", measure, Measure),
    ):
        if value not in {e.value for e in enum}:
            _fail(f"--{name} {value!r}: use one of {', '.join(e.value for e in enum)}")
    rows = _run_query(lambda conn: q_rankings(conn, kind, domain, measure, programme))
    cols = (
        list(RANKING_CSV_COLUMNS)
        if fmt != "table"
        else ["code", "name", "average_score", "extent", "local_concentration", f"rank_{measure}"]
    )
    _emit(rows, cols, fmt, f"{kind} ranked by {measure} ({domain})")


@app.command()
def overlaps(
    code: Annotated[str, typer.Argument(help="GSS code or programme/custom id")],
    kind: Annotated[str, typer.Option(help="kind of the overlapped areas")],
    min_share: Annotated[float, typer.Option(help="minimum share of area or population")] = 0.0,
    fmt: FormatOpt = "table",
) -> None:
    """Which areas of a kind an area overlaps (as GET /areas/{id}/overlaps)."""
    from api.params import OverlapKind
    from queries.areas import get_area
    from queries.overlaps import COLUMNS
    from queries.overlaps import overlaps as q_overlaps

    if kind not in {k.value for k in OverlapKind}:
        _fail(f"--kind {kind!r}: use one of {', '.join(k.value for k in OverlapKind)}")

    async def go(conn: Any) -> dict[str, Any]:
        return await q_overlaps(conn, await get_area(conn, code), kind, min_share)

    data = _run_query(go)
    cols = (
        list(COLUMNS)
        if fmt != "table"
        else ["code", "name", "share_of_area", "share_of_population", "population"]
    )
    _emit(data["overlaps"], cols, fmt, f"{code}: overlaps with {kind}")


@app.command()
def profile(
    code: Annotated[str, typer.Argument(help="GSS code or programme/custom id")],
) -> None:
    """The full profile of an area as JSON (as GET /areas/{id}/profile)."""
    from queries.formats import dumps
    from queries.profile import full_profile

    data = _run_query(lambda conn: full_profile(conn, code))
    sys.stdout.write(dumps(data).decode() + "\n")


# `depmap fetch` (download the official files): see depmap/fetch_cli.py
app.command("fetch")(fetch_command)
register_part_commands()
_register_programme_commands(app, load_app)
_register_tile_commands(app)  # tiles seed, map


def run() -> None:  # pragma: no cover - console entry
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
