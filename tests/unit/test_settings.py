"""Settings from the environment and from code."""

import pytest
from pydantic import ValidationError

from depmap.core.settings import DEV_DATABASE_URL, ApiSettings, DatabaseSettings


def test_database_url_from_code_and_environment(monkeypatch):
    assert str(DatabaseSettings(url="postgresql://a@h:1/x").url) == "postgresql://a@h:1/x"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/d")
    s = DatabaseSettings()
    assert s.sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/d"
    assert s.libpq_url == "postgresql://u:p@db:5432/d"


def test_production_needs_a_token(monkeypatch):
    monkeypatch.setenv("DEPMAP_ENV", "production")
    monkeypatch.delenv("DEPMAP_API_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="DEPMAP_API_TOKEN"):
        ApiSettings()
    monkeypatch.setenv("DEPMAP_API_TOKEN", "x" * 20)
    assert ApiSettings().api_token is not None


def test_cors_origins_from_a_comma_list(monkeypatch):
    monkeypatch.setenv("DEPMAP_CORS_ORIGINS", "https://a.nhs.uk, https://b.nhs.uk")
    assert ApiSettings().cors_origins == ["https://a.nhs.uk", "https://b.nhs.uk"]


def test_closed_reads_need_a_token(monkeypatch):
    monkeypatch.delenv("DEPMAP_API_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="DEPMAP_READ_TOKEN_REQUIRED"):
        ApiSettings(read_token_required=True)


def test_production_needs_a_database_url():
    from api.main import create_app

    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(
            ApiSettings(env="production", api_token="x" * 20),
            DatabaseSettings(url=DEV_DATABASE_URL),
        )
    create_app(
        ApiSettings(env="production", api_token="x" * 20),
        DatabaseSettings(url="postgresql://u:p@db:5432/depmap"),
    )
