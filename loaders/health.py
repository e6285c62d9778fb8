"""ONS life expectancy, healthy and disability-free life expectancy at birth by MSOA
(2011 MSOAs, 2009-2013), parsed from the reference tables as published (xls).

Each 2011 LSOA takes the value of its MSOA (ONS lookup), and values are carried to
2021 LSOAs as population-weighted means (:mod:`geo.crosswalk`). MSOAs that ONS
lists as having implausible life expectancies are not in the main tables and
stay missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import xlrd

from depmap.core.errors import LoadError
from geo.crosswalk import carry_to_lsoa21
from loaders.base import LoadContext, Part, PartResult, timed
from loaders.indicators import IndicatorSpec, align_to_lsoas, write_indicators
from loaders.lsoa11 import crosswalk
from sources.codes import check_codes
from sources.layout import SOURCES
from sources.tables import read_csv

SOURCE = "ONS life expectancy, HLE and DFLE at birth by MSOA, England, 2009 to 2013"
_MSOA = re.compile(r"E02\d{6}")


def read_reference_table(path: Path, sheet: str, measure: str) -> pd.DataFrame:
    """One MSOA sheet: ``msoa11_code`` and the ``measure`` and ``LE`` columns (years).

    ``measure`` is ``HLE`` or ``DFLE``; the header row is found by its first cell
    (``MSOA Codes``) wherever it sits.
    """
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as e:
        raise LoadError(f"{path.name}: not a readable xls workbook: {e}") from e
    except OSError as e:
        raise LoadError(f"{path.name}: cannot be opened: {e}") from e
    try:
        if sheet not in book.sheet_names():
            raise LoadError(
                f"{path.name}: no sheet {sheet!r} "
                f"(the workbook has {', '.join(book.sheet_names())})"
            )
        sh = book.sheet_by_name(sheet)
        head_row = None
        for r in range(min(sh.nrows, 40)):
            first = str(sh.cell_value(r, 0)).strip().lower()
            if first.startswith("msoa code"):
                head_row = r
                break
        if head_row is None:
            raise LoadError(f"{path.name} [{sheet}]: no header row starting 'MSOA Codes'")
        header = [str(v).strip() for v in sh.row_values(head_row)]

        def find(prefix: str) -> int:
            for i, h in enumerate(header):
                if h.lower().startswith(prefix.lower()):
                    return i
            raise LoadError(f"{path.name} [{sheet}]: no column starting {prefix!r} ({header})")

        i_m, i_le = find(f"{measure} (years)"), find("LE (years)")
        rows = []
        for r in range(head_row + 1, sh.nrows):
            code = str(sh.cell_value(r, 0)).strip()
            if not _MSOA.fullmatch(code):
                continue
            vals = sh.row_values(r)
            rows.append((code, vals[i_m], vals[i_le]))
    finally:
        book.release_resources()
    if not rows:
        raise LoadError(f"{path.name} [{sheet}]: no MSOA rows")
    df = pd.DataFrame(rows, columns=["msoa11_code", measure.lower(), "le"])
    for c in (measure.lower(), "le"):
        conv = pd.to_numeric(df[c], errors="coerce")
        bad = conv.isna() & (df[c].astype(str).str.strip() != "")
        if bad.any():
            raise LoadError(
                f"{path.name} [{sheet}]: {int(bad.sum())} {c.upper()} values are not numbers"
            )
        df[c] = conv
    check_codes(df["msoa11_code"], kind="msoa11", source=f"{path.name} [{sheet}]")
    return df.set_index("msoa11_code")


def load(ctx: LoadContext) -> PartResult:
    res = PartResult("health")
    with timed(res):
        ctx.progress.start("ONS life expectancy by MSOA (xls)", total=3)
        hle_path = ctx.path(SOURCES["hle_msoa11"].path)
        dfle_path = ctx.path(SOURCES["dfle_msoa11"].path)
        cols: dict[str, pd.Series] = {}
        for sex, sheet in (("male", "MSOA_males"), ("female", "MSOA_females")):
            h = read_reference_table(hle_path, sheet, "HLE")
            d = read_reference_table(dfle_path, sheet, "DFLE")
            cols[f"hle_{sex}"] = h["hle"]
            cols[f"le_{sex}"] = h["le"]
            cols[f"dfle_{sex}"] = d["dfle"]
        msoa = pd.DataFrame(cols)
        ctx.progress.advance()
        src = SOURCES["lsoa11_msoa11"]
        lk_path = ctx.path(src.path)
        lk = read_csv(lk_path, required=["lsoa11_code", "msoa11_code"], aliases=src.aliases)
        check_codes(lk["lsoa11_code"], kind="lsoa11", source=lk_path.name)
        unknown = set(msoa.index) - set(lk["msoa11_code"])
        if unknown:
            raise LoadError(
                f"{hle_path.name}: {len(unknown)} MSOA codes are not in {lk_path.name}, "
                f"e.g. {', '.join(sorted(unknown)[:5])}"
            )
        per_lsoa11 = lk.set_index("lsoa11_code")[["msoa11_code"]].join(msoa, on="msoa11_code")
        per_lsoa11 = per_lsoa11.drop(columns="msoa11_code")
        carried = carry_to_lsoa21(per_lsoa11, crosswalk(ctx))
        ctx.progress.advance()
        ids = align_to_lsoas(ctx, pd.Series(carried.index, dtype="string"), hle_path.name)
        labels = {
            "hle": "Healthy life expectancy at birth",
            "le": "Life expectancy at birth",
            "dfle": "Disability-free life expectancy at birth",
        }
        specs = [
            IndicatorSpec(
                f"hle2009_13.{m}_{sex}",
                f"{labels[m]}, {sex}s (2009-13)",
                "health",
                SOURCE,
                "2009-2013",
                "years",
                False,
                f"{m}_{sex}",
                geography="msoa11",
                description=f"{labels[m]}, {sex}s, MSOA 2009-13, carried to LSOA21",
            )
            for m in ("hle", "le", "dfle")
            for sex in ("male", "female")
        ]
        n = write_indicators(
            ctx,
            prefix="hle2009_13.",
            specs=specs,
            frame=carried.reset_index(drop=True),
            lsoa_ids=ids,
        )
        ctx.progress.advance()
        ctx.progress.done()
        res.counts["msoa11 rows"] = len(msoa)
        res.counts["indicator values"] = n
        res.notes.append(f"{int(msoa.isna().any(axis=1).sum())} MSOAs with a missing value")
    return res


#: The ``health`` part of ``depmap load``.
PART = Part(
    "health",
    load,
    needs=("hle_msoa11", "dfle_msoa11", "lsoa11_msoa11"),
    doc="ONS life expectancy by MSOA",
    optional=True,
)
