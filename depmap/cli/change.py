"""``depmap change CODE`` and ``depmap evaluate NAME``: change over time and a programme's
evaluation on the command line (as ``/areas/{id}/change`` and
``/programmes/{name}/evaluation``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from depmap.cli.common import FormatOpt, check_choice, emit, fail, out, run_query
from depmap.core.vocab import SERIES_CODES, in_catalogue_order

IndicatorOpt = Annotated[
    list[str] | None,
    typer.Option("--indicator", help="A series (repeatable; default every series)"),
]


def _indicators(values: list[str] | None) -> tuple[str, ...]:
    for v in values or []:
        check_choice("indicator", v, SERIES_CODES)
    return in_catalogue_order(values or ())


def change(
    code: Annotated[str, typer.Argument(help="GSS code or programme/custom id")],
    indicator: IndicatorOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Each series of an area at every year, its change and England's."""
    from queries.areas import get_area
    from queries.formats import dumps
    from queries.series import CHANGE_CSV_COLUMNS, area_change, change_rows

    codes = _indicators(indicator)

    async def go(conn: Any) -> dict[str, Any]:
        return await area_change(conn, await get_area(conn, code), codes)

    data = run_query(go)
    if fmt == "json":
        sys.stdout.write(dumps(data).decode() + "\n")
        return
    cols = (
        list(CHANGE_CSV_COLUMNS)
        if fmt == "csv"
        else ["indicator", "year", "value", "england", "change", "difference_vs_england"]
    )
    emit(change_rows(data), cols, fmt, f"{data['area']['name']}: change over time")


def evaluate(
    name: Annotated[str, typer.Argument(help="Programme name or slug")],
    indicator: IndicatorOpt = None,
    k: Annotated[int, typer.Option(help="Matches per programme LSOA", min=1, max=20)] = 5,
    replicates: Annotated[
        int, typer.Option(help="Bootstrap replicates (0: no interval)", min=0, max=9999)
    ] = 999,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap", min=0)] = 20121,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json, svg or png")] = "table",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (needed for svg/png)")
    ] = None,
) -> None:
    """A programme's change against baseline-matched neighbourhoods, England and 25 similar
    local authorities, with the difference in differences and its interval."""
    from queries.evaluation import EVALUATION_CSV_COLUMNS, evaluation_rows
    from queries.evaluation import programme_evaluation as q_eval
    from queries.formats import dumps, to_csv

    codes = _indicators(indicator)
    if fmt in ("svg", "png") and output is None:
        fail(f"--format {fmt} writes a file: pass -o FILE")
    data = run_query(lambda conn: q_eval(conn, name, codes, k=k, replicates=replicates, seed=seed))
    body: bytes | None = None
    if fmt in ("svg", "png"):
        from web.charts import render

        body = render(data, fmt)
    elif fmt == "json":
        body = dumps(data) + b"\n"
    elif fmt == "csv":
        body = to_csv(evaluation_rows(data), EVALUATION_CSV_COLUMNS).encode()
    if body is not None:
        if output is not None:
            output.write_bytes(body)
            out.print(f"wrote {output}")
        else:
            sys.stdout.write(body.decode())
        return
    rows = evaluation_rows(data)
    emit(
        rows,
        ["indicator", "group", "baseline", "followup", "change", "difference_in_differences"],
        fmt,
        f"{data['programme']}: evaluation ({data['areas']} areas)",
    )


def register(app: typer.Typer) -> None:
    app.command("change")(change)
    app.command("evaluate")(evaluate)
