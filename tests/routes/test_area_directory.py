"""The service's in-memory directory answers as the database does: every loaded area found
by code (any case) is the one area_by_code.sql finds, and custom areas are left to SQL."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import text

from depmap.core.db import make_async_engine
from depmap.core.errors import UnknownArea
from depmap.core.settings import DatabaseSettings
from queries.areas import get_area
from queries.directory import AreaDirectory

pytestmark = [pytest.mark.db, pytest.mark.data]


def test_the_directory_finds_what_the_database_finds(national_url, national_engine):
    with national_engine.connect() as c:
        by_kind = c.execute(
            text("SELECT kind, array_agg(code ORDER BY code) FROM area GROUP BY kind")
        )
        codes = {k: list(v) for k, v in by_kind}
    rnd = random.Random(5)
    asked: list[tuple[str, str | None]] = []
    for kind, cs in codes.items():
        for code in rnd.sample(cs, min(40, len(cs))):
            asked += [(code, None), (code.lower(), None), (code, kind)]
    asked += [("E01006519", "lsoa11"), ("E99999999", None), ("e54000008", "ltla")]

    async def compare() -> int:
        eng = make_async_engine(DatabaseSettings(url=national_url))  # type: ignore[arg-type]
        try:
            async with eng.connect() as conn:
                directory = await AreaDirectory.read(conn)
                assert len(directory) == sum(len(v) for k, v in codes.items() if k != "custom")
                n = 0
                for code, kind in asked:
                    found = directory.find(code, kind)
                    try:
                        want = await get_area(conn, code, kind)
                    except UnknownArea:  # unknown to the database too
                        assert found is None, (code, kind)
                        continue
                    if want.kind == "custom":
                        assert found is None
                        continue
                    assert found == want, (code, kind)
                    n += 1
                return n
        finally:
            await eng.dispose()

    assert asyncio.run(compare()) > 500
