"""What every ``depmap`` command shares: the consoles, failing with a message, the data
folder, running a load with progress bars, running a query of the service, and
printing rows as CSV, JSON or a table."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
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
from sqlalchemy.exc import OperationalError

from depmap.core.errors import LoadError, ServiceError
from depmap.core.settings import loader_settings

T = TypeVar("T")

err = Console(stderr=True)
out = Console()

DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Data folder (default: DEPMAP_DATA_DIR).")
]
WaitOpt = Annotated[bool, typer.Option(help="Wait for another load to finish instead of failing.")]
ProgressOpt = Annotated[bool, typer.Option(help="Show progress bars.")]
FormatOpt = Annotated[str, typer.Option("--format", help="csv, json or table")]


def fail(msg: str, code: int = 2) -> NoReturn:
    """Print ``error: msg`` on stderr and exit with ``code``."""
    err.print(f"[bold red]error:[/] {msg}")
    raise typer.Exit(code)


def data_dir(opt: Path | None, *, required: bool = True) -> Path:
    """The data folder: ``--data-dir`` or ``DEPMAP_DATA_DIR``. A load of the national
    files needs it (``required``); a programme load reads only its own file and, for
    OA21 codes, the lookup under it, so it falls back to the current folder."""
    d = opt or loader_settings().data_dir
    if d is None:
        if not required:
            return Path(".")
        fail("no data folder: pass --data-dir or set DEPMAP_DATA_DIR")
    if not d.is_dir():
        fail(f"the data folder {d} does not exist")
    return d


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


def run_parts(
    parts: Sequence[str],
    folder: Path,
    wait: bool,
    progress: bool,
    extra: Callable[[Any], None] | None = None,
) -> None:
    """Run a load (``parts`` from ``folder``, then ``extra`` in the same transaction)
    and print its closing tables; fail with the loader's message if it is refused."""
    from depmap.core.db import make_engine
    from loaders.base import LoadBusy
    from loaders.pipeline import run_load

    eng = make_engine()
    try:
        with RichProgress(enabled=progress and loader_settings().progress) as prog:
            report = run_load(
                eng,
                folder,
                list(parts),
                progress=prog,
                wait=wait,
                extra=extra,
                expect_england=loader_settings().expect_england,
            )
    except LoadBusy as e:
        fail(str(e), code=3)
    except LoadError as e:
        fail(f"{e}\nnothing was changed (the load was rolled back)")
    except OperationalError as e:
        fail(f"database error: {e.orig}; nothing was changed")
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


def run_query(fn: Callable[[Any], Awaitable[T]]) -> T:
    """Run an async function of the query layer with a short-lived engine; the service's
    errors become a message and exit code 2."""
    from depmap.core.db import make_async_engine

    async def go() -> T:
        eng = make_async_engine()
        try:
            async with eng.connect() as conn:
                return await fn(conn)
        finally:
            await eng.dispose()

    try:
        return asyncio.run(go())
    except OperationalError as e:
        fail(f"cannot reach the database: {e.orig}")
    except ServiceError as e:
        fail(e.detail)


def emit(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, title: str) -> None:
    """Rows as CSV, JSON or a rich table on stdout."""
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
        fail(f"--format {fmt!r}: use csv, json or table")


def check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    """Fail unless ``value`` is one of ``allowed`` (as the API's 422 would say)."""
    if value not in allowed:
        fail(f"--{name} {value!r}: use one of {', '.join(allowed)}")
