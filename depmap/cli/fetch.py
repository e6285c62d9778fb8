"""``depmap fetch``: a progress bar per file and a closing table.

The work is :func:`fetch.datasets.fetch`; this module only draws it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.filesize import decimal
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from depmap.cli.common import err, fail, out
from depmap.core.settings import loader_settings

if TYPE_CHECKING:
    from fetch.datasets import Dataset, DatasetResult


class AmountColumn(ProgressColumn):
    """Bytes for downloads, features for FeatureServer layers."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        done, total = task.completed, task.total
        if unit == "bytes":
            s = decimal(int(done)) + (f" / {decimal(int(total))}" if total else "")
        elif unit == "features":
            s = f"{int(done):,}" + (f" / {int(total):,}" if total is not None else "") + " features"
        else:
            s = ""
        return Text(s, style="progress.download")


class FetchBars:
    """:class:`fetch.download.FetchProgress` drawn with rich on stderr."""

    def __init__(self, enabled: bool = True) -> None:
        self._p = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            AmountColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=not enabled,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> FetchBars:
        self._p.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.stop()

    def start(self, label: str, total: float | None = None, unit: str = "bytes") -> None:
        self._task = self._p.add_task(label, total=total, unit=unit)

    def update(self, completed: float, total: float | None = None) -> None:
        if self._task is not None:
            self._p.update(self._task, completed=completed, total=total)

    def done(self) -> None:
        if self._task is not None:
            t = self._p.tasks[self._task]
            if t.fields.get("unit") == "steps":  # a conversion: shown while it runs
                self._p.remove_task(self._task)
            else:
                self._p.update(self._task, total=t.completed or 1, completed=t.completed or 1)
        self._task = None


def list_table(datasets: list[Dataset]) -> Table:
    t = Table(title="Official datasets (loaders/sources.json)")
    for c in ("id", "publisher", "format", "becomes", "fetch"):
        t.add_column(c, overflow="fold")
    for d in datasets:
        how = "[green]automatic[/]" if d.automatic else "[yellow]manual step[/] (see --only)"
        t.add_row(d.id, d.publisher, d.format, "\n".join(d.outputs), how)
    return t


def result_table(results: list[DatasetResult], dest: Path) -> Table:
    t = Table(title=f"Fetched into {dest}")
    for c in ("dataset", "status", "files", "sha256", "outputs", "rows"):
        t.add_column(c, justify="right" if c == "rows" else "left", overflow="fold")
    colour = {"fetched": "green", "cached": "cyan", "manual": "yellow", "failed": "red"}
    for r in results:
        status = f"[{colour.get(r.status, 'white')}]{r.status}[/]"
        files = "\n".join(f"{Path(f.path).name} ({decimal(f.size)})" for f in r.files)
        shas = "\n".join(f.sha256[:12] for f in r.files)
        outs = "\n".join(o.path for o in r.outputs)
        rows = "\n".join("" if o.rows is None else f"{o.rows:,}" for o in r.outputs)
        t.add_row(r.id, status, files, shas, outs, rows)
    return t


def fetch_command(
    dest: Annotated[
        Path | None,
        typer.Option("--dest", help="Where to save (default: DEPMAP_DOWNLOAD_DIR, ./data)."),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Fetch only this dataset (repeatable).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch again files already there and in the lock.")
    ] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the datasets and exit.")] = False,
    url: Annotated[
        list[str] | None,
        typer.Option(
            "--url",
            help="ID=URL: the address of a dataset's file (or of the release page that "
            "links to it), for datasets without a fixed address (repeatable).",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Read the official files from a mirror (DEPMAP_FETCH_BASE_URL)."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Download the official files (ONS, MHCLG, NHS England) and convert them for loading.

    Files are saved as published under DEST/official/, converted into the data
    layout (DEST/boundaries, lookups, deprivation, population ...) and recorded
    with their address, size and SHA-256 in DEST/manifest.lock.json. Load them
    with `depmap load all --data-dir DEST`.
    """
    from fetch.datasets import LOCK_NAME, MANUAL, catalogue, fetch, parse_url_overrides
    from fetch.download import FetchError, RetryPolicy

    s = loader_settings()
    try:
        datasets = catalogue()
    except FetchError as e:
        fail(str(e))
        return
    if list_:
        out.print(list_table(datasets))
        return
    target = dest or s.download_dir
    ids = [i.strip() for o in only or [] for i in o.split(",") if i.strip()]
    try:
        with FetchBars(enabled=progress and s.progress) as bars:
            results = fetch(
                target,
                datasets=datasets,
                only=ids,
                force=force,
                urls=parse_url_overrides(url or []),
                base_url=base_url or s.fetch_base_url,
                policy=RetryPolicy(retries=s.fetch_retries, backoff_s=s.fetch_backoff_s),
                timeout_s=s.fetch_timeout_s,
                progress=bars,
            )
    except FetchError as e:
        fail(str(e))
        return
    out.print(result_table(results, target))
    for r in results:
        if r.status == MANUAL:
            out.print(f"[yellow]manual step[/] [bold]{r.id}[/]: {r.message}")
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        err.print(f"[bold red]failed[/] [bold]{r.id}[/]: {r.message}")
    out.print(f"recorded in {target / LOCK_NAME}; load with `depmap load all --data-dir {target}`")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch_command)
