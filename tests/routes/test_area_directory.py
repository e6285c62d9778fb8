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


def test_a_new_data_version_reads_the_areas_again(national_url, national_engine):
    """A load that renames an area: answers name it as the database does once the service
    sees the new version (the directory of the old one is dropped, the new one read)."""
    from fastapi.testclient import TestClient

    from api.main import create_app
    from depmap.core.settings import ApiSettings

    app = create_app(
        ApiSettings(api_token="t" * 24, env="test", version_check_interval_s=0),  # type: ignore[arg-type]
        DatabaseSettings(url=national_url),  # type: ignore[arg-type]
    )
    path = "/areas/E54000008/overlaps?kind=sicbl"

    def rename(code: str, name: str) -> None:
        with national_engine.begin() as c:
            c.execute(text("UPDATE area SET name = :n WHERE code = :c"), {"n": name, "c": code})
            c.execute(
                text(
                    "UPDATE depmap_meta SET value = (value::bigint + 1)::text "
                    "WHERE key = 'data_version'"
                )
            )

    with TestClient(app) as c:
        first = c.get(path).json()["overlaps"][0]
        code, name = first["code"], first["name"]
        v0 = c.app.state.services.databases.value
        assert c.app.state.services.directories.get(v0) is not None  # read at start
        try:
            rename(code, name + " (renamed)")
            assert c.get("/healthz").json()["data_version"] == v0 + 1
            again = c.get(path).json()["overlaps"][0]
            assert (again["code"], again["name"]) == (code, name + " (renamed)")
            assert c.get(f"/areas/{code}").json()["name"] == name + " (renamed)"
            assert c.app.state.services.directories.get(v0 + 1) is not None
        finally:
            rename(code, name)
            c.get("/healthz")
        assert c.get(path).json()["overlaps"][0]["name"] == name
