"""The CLI answers what the API answers."""

import json

import pytest
from typer.testing import CliRunner

from depmap.cli import app
from depmap.core.settings import clear_caches

pytestmark = [pytest.mark.db, pytest.mark.data]


@pytest.fixture
def cli(national_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", national_url)
    clear_caches()
    yield CliRunner()
    clear_caches()


def test_rankings_csv_is_the_api_csv(cli, client):
    r = cli.invoke(app, ["rankings", "--kind", "icb", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout == client.get("/rankings?kind=icb&format=csv").text


def test_overlaps_json(cli, client):
    r = cli.invoke(app, ["overlaps", "E06000006", "--kind", "icb", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows == client.get("/areas/E06000006/overlaps?kind=icb").json()["overlaps"]


def test_profile_and_errors(cli):
    r = cli.invoke(app, ["profile", "E06000006"])
    assert r.exit_code == 0
    assert json.loads(r.stdout)["area"]["name"] == "Halton"
    r = cli.invoke(app, ["profile", "E99999999"])
    assert r.exit_code == 2 and "E99999999" in r.output
    r = cli.invoke(app, ["rankings", "--kind", "county"])
    assert r.exit_code == 2 and "icb" in r.output
