"""Programme areas and PCN footprints an ICB supplies.

* ``depmap load areas FILE --programme NAME [--code-field F] [--name-field F]``
* ``depmap load pcn-footprints FILE --supplier NAME [--code-field F] [--name-field F]``
* ``depmap programmes list | summary NAME | delete NAME``
* ``depmap comparators CODE [--n 25] [--size-ratio 1.5]``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from depmap.cli.common import (
    DataDirOpt,
    FormatOpt,
    ProgressOpt,
    WaitOpt,
    data_dir,
    emit,
    fail,
    run_parts,
    run_query,
)

programmes_app = typer.Typer(help="Programme areas (Big Local and others).", no_args_is_help=True)

FileArg = Annotated[
    Path,
    typer.Argument(
        help="GeoJSON, GeoPackage, zipped Shapefile (any CRS) or a CSV of LSOA21/OA21 codes"
    ),
]
CodeFieldOpt = Annotated[
    str | None, typer.Option("--code-field", help="Column holding the area code.")
]
NameFieldOpt = Annotated[
    str | None, typer.Option("--name-field", help="Column holding the area name.")
]


def load_areas(
    file: FileArg,
    programme: Annotated[
        str, typer.Option("--programme", help="Programme name, e.g. 'Big Local'.")
    ],
    code_field: CodeFieldOpt = None,
    name_field: NameFieldOpt = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            help="Leave out areas outside England or empty (reported) instead of failing."
        ),
    ] = False,
    data_dir_: DataDirOpt = None,
    wait: WaitOpt = False,
    progress: ProgressOpt = True,
) -> None:
    """Load a programme's areas, replacing the programme's previous areas in one transaction."""
    from loaders.programmes import load_programme

    def extra(ctx: Any) -> None:
        ctx.results.append(
            load_programme(
                ctx,
                file,
                programme,
                code_field=code_field,
                name_field=name_field,
                skip_invalid=skip_invalid,
            )
        )

    run_parts([], data_dir(data_dir_, required=False), wait, progress, extra=extra)


def load_pcn_footprints(
    file: FileArg,
    supplier: Annotated[
        str, typer.Option("--supplier", help="Who drew them, e.g. 'NHS Sussex ICB'.")
    ],
    code_field: CodeFieldOpt = None,
    name_field: NameFieldOpt = None,
    vintage: Annotated[str, typer.Option(help="Year or date of the footprints.")] = "",
    data_dir_: DataDirOpt = None,
    wait: WaitOpt = False,
    progress: ProgressOpt = True,
) -> None:
    """Load PCN footprints an ICB supplies (kept beside PCNs derived from registrations)."""
    from loaders.pcn.supplied import load_footprints

    def extra(ctx: Any) -> None:
        ctx.results.append(
            load_footprints(
                ctx, file, supplier, code_field=code_field, name_field=name_field, vintage=vintage
            )
        )

    run_parts([], data_dir(data_dir_, required=False), wait, progress, extra=extra)


@programmes_app.command("list")
def programmes_list(fmt: FormatOpt = "table") -> None:
    """Programmes loaded (as GET /programmes)."""
    from queries.programmes import list_programmes

    rows = run_query(list_programmes)
    emit(rows, ["name", "areas", "population", "area_km2", "source_file"], fmt, "Programmes")


@programmes_app.command("summary")
def programmes_summary(
    name: Annotated[str, typer.Argument(help="Programme name or slug")],
    fmt: FormatOpt = "csv",
) -> None:
    """Every area of a programme with its measures, ICB, sub-ICB and PCNs (as GET
    /programmes/{name}/summary)."""
    from queries.formats import dumps
    from queries.programmes import SUMMARY_COLUMNS, programme_summary

    data = run_query(lambda conn: programme_summary(conn, name))
    if fmt == "json":
        sys.stdout.write(dumps(data).decode() + "\n")
        return
    cols = (
        list(SUMMARY_COLUMNS)
        if fmt == "csv"
        else ["code", "name", "population", "average_score", "icb_name", "pcn_1_name"]
    )
    emit(data["areas"], cols, fmt, f"{data['programme']}: {data['count']} areas")


@programmes_app.command("delete")
def programmes_delete(
    name: Annotated[str, typer.Argument(help="Programme name (exactly as loaded)")],
    wait: WaitOpt = False,
) -> None:
    """Delete a programme's areas (in one load transaction; caches are invalidated)."""
    from loaders.programmes import delete_programme

    def extra(ctx: Any) -> None:
        from depmap.core.errors import LoadError
        from loaders.base import PartResult

        n = delete_programme(ctx.conn, name)
        if n == 0:
            raise LoadError(f"no programme named {name!r}")
        ctx.results.append(PartResult(f"delete {name}", counts={"programme areas deleted": n}))

    if not name.strip():
        fail("give the programme name")
    run_parts([], Path("."), wait, False, extra=extra)


def comparators_cmd(
    code: Annotated[str, typer.Argument(help="GSS code or programme/custom id")],
    n: Annotated[int, typer.Option(help="How many comparators", min=1, max=200)] = 25,
    size_ratio: Annotated[float, typer.Option(help="Size band ratio", min=1.1, max=4.0)] = 1.5,
    fmt: FormatOpt = "table",
) -> None:
    """Areas most like CODE outside its programme (as GET /areas/{id}/comparators)."""
    from queries.areas import get_area
    from queries.comparators import comparators

    async def go(conn: Any) -> dict[str, Any]:
        return await comparators(conn, await get_area(conn, code), n=n, ratio=size_ratio)

    data = run_query(go)
    emit(
        data["comparators"],
        ["code", "name", "kind", "population", "distance", "imd_average_score"],
        fmt,
        f"{code}: comparators ({data['distance']})",
    )


def register(app: typer.Typer, load_app: typer.Typer) -> None:
    """Add these commands to the ``depmap`` app."""
    load_app.command("areas")(load_areas)
    load_app.command("pcn-footprints")(load_pcn_footprints)
    app.add_typer(programmes_app, name="programmes")
    app.command("comparators")(comparators_cmd)
