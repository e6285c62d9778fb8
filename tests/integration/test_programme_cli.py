"""The programme commands: `depmap load areas`, `programmes summary|list|delete`."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from depmap.core.settings import clear_caches

pytestmark = [pytest.mark.db]


@pytest.fixture
def cli_env(small_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", small_url)
    monkeypatch.setenv("DEPMAP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DEPMAP_EXPECT_ENGLAND", "false")
    clear_caches()
    yield tmp_path
    clear_caches()


def out(r) -> str:
    try:
        return r.output + r.stderr
    except ValueError:
        return r.output


def test_load_summarise_and_delete_a_programme(cli_env, synth):
    from depmap.cli import app

    runner = CliRunner()
    codes = synth.lsoa["code"].tolist()
    path = cli_env / "areas.csv"
    pd.DataFrame(
        {
            "area": ["N1", "N1", "N2"],
            "name": ["North", "North", "South"],
            "lsoa21_code": [codes[0], codes[1], codes[50]],
        }
    ).to_csv(path, index=False)
    r = runner.invoke(
        app,
        [
            "load",
            "areas",
            str(path),
            "--programme",
            "test cli",
            "--code-field",
            "area",
            "--no-progress",
        ],
    )
    assert r.exit_code == 0, out(r)
    assert "programme areas" in out(r)
    r = runner.invoke(app, ["programmes", "summary", "test-cli", "--format", "csv"])
    assert r.exit_code == 0, out(r)
    rows = list(csv.DictReader(io.StringIO(r.output)))
    pop = synth.census.set_index("lsoa21_code")["total_residents"]
    got = {x["source_code"]: float(x["population"]) for x in rows}
    assert got == {"N1": pop[codes[0]] + pop[codes[1]], "N2": pop[codes[50]]}
    bad = cli_env / "bad.csv"
    pd.DataFrame({"area": ["N1"], "lsoa21_code": ["E01999999"]}).to_csv(bad, index=False)
    r = runner.invoke(
        app,
        [
            "load",
            "areas",
            str(bad),
            "--programme",
            "test cli",
            "--code-field",
            "area",
            "--no-progress",
        ],
    )
    assert r.exit_code == 2
    assert "E01999999" in out(r) and "nothing was changed" in out(r)
    r = runner.invoke(app, ["programmes", "summary", "test cli", "--format", "json"])
    assert '"count":2' in r.output  # the previous programme is intact
    r = runner.invoke(app, ["programmes", "delete", "test cli"])
    assert r.exit_code == 0, out(r)
    r = runner.invoke(app, ["programmes", "summary", "test cli"])
    assert r.exit_code == 2 and "no programme named 'test cli'" in out(r)
