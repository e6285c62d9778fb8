"""``depmap rankings | overlaps | profile``: the service's answers on the command line."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from depmap.cli.common import FormatOpt, check_choice, emit, out, run_query
from depmap.core.vocab import DOMAINS, MEASURES, OVERLAP_KINDS, RANKED_KINDS


def rankings(
    kind: Annotated[str, typer.Option(help=", ".join(RANKED_KINDS))],
    domain: Annotated[str, typer.Option(help="imd or a domain")] = "imd",
    measure: Annotated[str, typer.Option(help="measure to order by")] = "average_score",
    programme: Annotated[str | None, typer.Option(help="only areas of this programme")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Every area of a kind with the IoD summary measures (as GET /rankings)."""
    from queries.deprivation import ranking_columns
    from queries.deprivation import rankings as q_rankings

    check_choice("kind", kind, RANKED_KINDS)
    check_choice("domain", domain, DOMAINS)
    check_choice("measure", measure, MEASURES)
    rows = run_query(lambda conn: q_rankings(conn, kind, domain, measure, programme))
    cols = (
        list(ranking_columns(kind))
        if fmt != "table"
        else ["code", "name", "average_score", "extent", "local_concentration", f"rank_{measure}"]
    )
    emit(rows, cols, fmt, f"{kind} ranked by {measure} ({domain})")


def overlaps(
    code: Annotated[str, typer.Argument(help="GSS code or programme/custom id")],
    kind: Annotated[str, typer.Option(help="kind of the overlapped areas")],
    min_share: Annotated[float, typer.Option(help="minimum share of area or population")] = 0.0,
    fmt: FormatOpt = "table",
) -> None:
    """Which areas of a kind an area overlaps (as GET /areas/{id}/overlaps)."""
    from queries.areas import get_area
    from queries.overlaps import columns
    from queries.overlaps import overlaps as q_overlaps

    check_choice("kind", kind, OVERLAP_KINDS)

    async def go(conn: Any) -> dict[str, Any]:
        return await q_overlaps(conn, await get_area(conn, code), kind, min_share)

    data = run_query(go)
    cols = (
        list(columns(kind))
        if fmt != "table"
        else ["code", "name", "share_of_area", "share_of_population", "population"]
    )
    emit(data["overlaps"], cols, fmt, f"{code}: overlaps with {kind}")
    if kind == "pcn" and fmt == "table":
        cov = data["pcn_coverage"]
        out.print(f"pcn_coverage {cov:.4f}" + (f": {data['note']}" if data.get("note") else ""))


def profile(
    code: Annotated[str, typer.Argument(help="GSS code or programme/custom id")],
) -> None:
    """The full profile of an area as JSON (as GET /areas/{id}/profile)."""
    from queries.formats import dumps
    from queries.profile import full_profile

    data = run_query(lambda conn: full_profile(conn, code))
    sys.stdout.write(dumps(data).decode() + "\n")


def register(app: typer.Typer) -> None:
    app.command("rankings")(rankings)
    app.command("overlaps")(overlaps)
    app.command("profile")(profile)
