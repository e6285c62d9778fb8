"""Excel workbooks of answers (``format=xlsx``): one sheet per table of the answer, and a
sheet "About" saying what the file holds, the sources and vintages the loaders recorded,
and what every column means, in the vocabulary's words
(:func:`depmap.core.vocab.column_definition`).

Numbers are written as numbers (missing values as empty cells), each table's header row
is bold, frozen and filtered, and columns are as wide as what they hold.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.ext.asyncio import AsyncConnection

from depmap.core.vocab import KINDS, column_definition
from queries.db import sql
from queries.geopackage import plain

#: The media type of an Excel workbook (Office Open XML).
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ABOUT = "About"
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One table of an answer: the sheet's ``name`` (at most 31 characters), what it
    holds (``about``), its ``columns`` and ``rows``. ``table`` names it for the columns
    whose meaning depends on the table (``depmap.core.vocab.TABLE_COLUMN_WORDS``)."""

    name: str
    about: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, Any]]
    table: str = ""

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= 31 or self.name == ABOUT:
            raise ValueError(f"bad sheet name {self.name!r}")


@dataclass(frozen=True)
class Provenance:
    """What the loaders recorded: the data version and last load, the sources and
    vintages of the indicator catalogue, the areas of each kind and their vintage."""

    data_version: int | None = None
    loaded_at: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    geographies: list[dict[str, Any]] = field(default_factory=list)


async def provenance(conn: AsyncConnection) -> Provenance:
    """The :class:`Provenance` of the loaded data."""
    meta = (await conn.execute(sql("provenance_load"))).mappings().first()
    sources = [dict(r) for r in (await conn.execute(sql("provenance_sources"))).mappings()]
    geos = [dict(r) for r in (await conn.execute(sql("provenance_areas"))).mappings()]
    order = {k: i for i, k in enumerate(KINDS)}
    geos.sort(key=lambda r: (order.get(r["kind"], len(order)), r["vintage"]))
    return Provenance(
        data_version=meta["data_version"] if meta else None,
        loaded_at=meta["loaded_at"].isoformat(timespec="seconds")
        if meta and meta["loaded_at"]
        else None,
        sources=sources,
        geographies=geos,
    )


def _width(values: Sequence[Any]) -> float:
    longest = max((len(str(v)) for v in values if v is not None), default=4)
    return float(min(_MAX_WIDTH, max(6, longest + 2)))


def _cell(ws: WriteOnlyWorksheet, v: Any) -> Any:
    v = plain(v)
    if isinstance(v, str) and v[:1] == "=":  # text, never a formula
        c = WriteOnlyCell(ws, value=v)
        c.data_type = "s"
        return c
    return v


def _header(ws: WriteOnlyWorksheet, names: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for n in names:
        c = WriteOnlyCell(ws, value=n)
        c.font = _BOLD
        cells.append(c)
    return cells


def _write_table(wb: Workbook, sheet: Sheet) -> None:
    ws = wb.create_sheet(sheet.name)
    cols = list(sheet.columns)
    sample = sheet.rows[:500]
    for i, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(
            [c, *(plain(r.get(c)) for r in sample)]
        )
    ws.freeze_panes = "A2"
    if cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(sheet.rows) + 1}"
    ws.append(_header(ws, cols))
    for r in sheet.rows:
        ws.append([_cell(ws, r.get(c)) for c in cols])


def to_xlsx(
    sheets: Sequence[Sheet],
    *,
    title: str,
    provenance: Provenance,
    facts: Sequence[tuple[str, Any]] = (),
) -> bytes:
    """The workbook of ``sheets`` and its About sheet (first): ``title``, the answer's
    ``facts`` (parameters, method), the sheets, every column's definition, the sources."""
    wb = Workbook(write_only=True)
    _write_about(wb, sheets, title, provenance, facts)
    for s in sheets:
        _write_table(wb, s)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_about(
    wb: Workbook,
    sheets: Sequence[Sheet],
    title: str,
    prov: Provenance,
    facts: Sequence[tuple[str, Any]],
) -> None:
    ws = wb.create_sheet(ABOUT)
    for col, width in zip("ABCD", (26, 34, 100, 14), strict=True):
        ws.column_dimensions[col].width = width

    def line(*values: Any, bold: bool = False, wrap: bool = False) -> None:
        cells = []
        for v in values:
            c = WriteOnlyCell(ws, value=plain(v))
            if isinstance(c.value, str) and c.value[:1] == "=":
                c.data_type = "s"
            if bold:
                c.font = _BOLD
            if wrap:
                c.alignment = _WRAP
            cells.append(c)
        ws.append(cells)

    line(f"depmap: {title}", bold=True)
    line("Data version", prov.data_version)
    line("Loaded", prov.loaded_at)
    for k, v in facts:
        line(k, v, wrap=isinstance(v, str) and len(v) > 60)
    line()
    line("Sheet", "Holds", bold=True)
    for s in sheets:
        line(s.name, s.about)
    line()
    line("Sheet", "Column", "Definition", bold=True)
    for s in sheets:
        for c in s.columns:
            line(s.name, c, column_definition(c, s.table) or "")
    line()
    line("Source", "Vintage", "Published on", "Indicators", bold=True)
    for r in prov.sources:
        line(r["source"], r["vintage"], r["geography"], r["indicators"])
    line()
    line("Areas of the kind", "Kind", "Boundaries' vintage", "Areas", bold=True)
    for r in prov.geographies:
        kind = KINDS.get(r["kind"])
        line(kind.plural if kind else r["kind"], r["kind"], r["vintage"], r["areas"])
