"""Settings from the environment, one class per concern.

Every setting can be given as an environment variable. ``DATABASE_URL`` is a
plain PostgreSQL DSN (``postgresql://user:pass@host:5432/db``); the other
settings carry the ``DEPMAP_`` prefix (``DEPMAP_DATA_DIR``, ``DEPMAP_API_TOKEN``,
``DEPMAP_TILE_CACHE_MB`` ...).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, PostgresDsn, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_DATABASE_URL = "postgresql://depmap:depmap@localhost:5432/depmap"


def sqlalchemy_dsn(url: PostgresDsn | str) -> str:
    """A PostgreSQL DSN with the psycopg 3 driver named, as SQLAlchemy wants it."""
    raw = str(url)
    scheme, rest = raw.split("://", 1)
    return f"postgresql+psycopg://{rest}" if "+" not in scheme else raw


class DatabaseSettings(BaseSettings):
    """Where PostGIS is and how many connections to keep."""

    model_config = SettingsConfigDict(
        env_prefix="DEPMAP_DB_", extra="ignore", populate_by_name=True
    )

    url: PostgresDsn = Field(
        default=PostgresDsn(DEV_DATABASE_URL),
        validation_alias=AliasChoices("DATABASE_URL", "DEPMAP_DB_URL"),
        description="PostgreSQL DSN of the PostGIS database.",
    )
    pool_size: int = Field(default=10, ge=1, le=100)
    max_overflow: int = Field(default=10, ge=0, le=100)
    connect_timeout_s: float = Field(default=3.0, gt=0)
    pool_timeout_s: float = Field(
        default=30.0, gt=0, description="How long a request waits for a free connection."
    )
    statement_timeout_ms: int = Field(default=30_000, ge=100)
    read_urls: Annotated[list[PostgresDsn], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("DEPMAP_READ_DATABASE_URLS", "DEPMAP_DB_READ_URLS"),
        description="Comma-separated DSNs of read replicas (PostgreSQL streaming replicas of "
        "DATABASE_URL): reads go there, writes and loads to DATABASE_URL.",
    )
    replica_retry_s: float = Field(
        default=1.0,
        gt=0,
        description="How long a database that failed is left alone before a read tries it "
        "again (the background check tries it every DEPMAP_VERSION_CHECK_INTERVAL_S).",
    )

    @field_validator("read_urls", mode="before")
    @classmethod
    def _split_urls(cls, v: object) -> object:
        if isinstance(v, str):
            return [u.strip() for u in v.split(",") if u.strip()]
        return v

    @property
    def sqlalchemy_url(self) -> str:
        """The DSN with the psycopg 3 driver named, as SQLAlchemy wants it."""
        return sqlalchemy_dsn(self.url)

    @property
    def sqlalchemy_read_urls(self) -> list[str]:
        """The replicas' DSNs, as SQLAlchemy wants them."""
        return [sqlalchemy_dsn(u) for u in self.read_urls]

    @property
    def libpq_url(self) -> str:
        """The DSN as libpq (psql, psycopg) wants it."""
        raw = str(self.url)
        rest = raw.split("://", 1)[1]
        return f"postgresql://{rest}"


class ApiSettings(BaseSettings):
    """The HTTP service."""

    model_config = SettingsConfigDict(env_prefix="DEPMAP_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    api_token: SecretStr | None = Field(
        default=None, description="Bearer token for write endpoints (POST/DELETE)."
    )
    read_token_required: bool = Field(
        default=False, description="If true, reads also need the bearer token."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed by CORS."
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    max_vertices: int = Field(default=100_000, ge=100)
    max_custom_area_km2: float = Field(default=5_000.0, gt=0)
    version_check_interval_s: float = Field(
        default=1.0, ge=0, description="How often the data version is re-read (caches key on it)."
    )
    response_cache_entries: int = Field(default=4096, ge=0)
    response_cache_mb: int = Field(
        default=128, ge=0, description="Bound on the cached answers' bytes, per worker."
    )
    hotspot_permutations: int = Field(default=999, ge=99, le=99_999)
    hotspot_seed: int = 12345
    host: str = "127.0.0.1"
    port: int = 8000

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ApiSettings:
        if self.env == "production" and not self.api_token:
            raise ValueError("DEPMAP_API_TOKEN must be set when DEPMAP_ENV=production")
        if self.read_token_required and not self.api_token:
            raise ValueError(
                "DEPMAP_READ_TOKEN_REQUIRED needs DEPMAP_API_TOKEN (reads would all be refused)"
            )
        return self

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: object) -> object:
        if isinstance(v, str):
            return [o.strip() for o in v.split(",") if o.strip()]
        return v


class TileSettings(BaseSettings):
    """Vector tiles."""

    model_config = SettingsConfigDict(env_prefix="DEPMAP_TILE_", extra="ignore")

    min_zoom: int = Field(default=0, ge=0, le=24)
    max_zoom: int = Field(default=16, ge=0, le=24)
    extent: int = Field(default=4096, ge=256)
    buffer: int = Field(default=64, ge=0)
    cache_mb: int = Field(default=256, ge=0, description="In-memory tile cache bound (MB).")
    cache_dir: Path | None = Field(default=None, description="Optional on-disk tile cache.")
    max_age_s: int = Field(default=3600, ge=0)
    max_tile_bytes: int = Field(default=500_000, ge=10_000)


class LoaderSettings(BaseSettings):
    """Loading and fetching data."""

    model_config = SettingsConfigDict(env_prefix="DEPMAP_", extra="ignore")

    data_dir: Path | None = Field(
        default=None, description="Folder holding the data files (the layout of shared/data)."
    )
    download_dir: Path = Field(default=Path("data"), description="Where `depmap fetch` saves.")
    fetch_timeout_s: float = Field(default=120.0, gt=0)
    fetch_retries: int = Field(
        default=3, ge=0, le=20, description="Retries of a download after a network error or 5xx."
    )
    fetch_backoff_s: float = Field(
        default=2.0, ge=0, description="First wait before a retry (doubles each time)."
    )
    fetch_base_url: str | None = Field(
        default=None,
        description="Mirror to fetch from instead of the official hosts: an official "
        "https://host/path?query is read from <base>/host/path?query (tests, offline mirrors).",
    )
    progress: bool = True
    expect_england: bool = Field(
        default=True,
        description="Check that boundary files and lookups cover all of England (33,755 "
        "LSOA21s, 42 ICBs ...). Turn off to load a regional extract or test data.",
    )


@lru_cache
def database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@lru_cache
def api_settings() -> ApiSettings:
    return ApiSettings()


@lru_cache
def tile_settings() -> TileSettings:
    return TileSettings()


@lru_cache
def loader_settings() -> LoaderSettings:
    return LoaderSettings()


def clear_caches() -> None:
    """Forget cached settings (tests change the environment)."""
    for f in (database_settings, api_settings, tile_settings, loader_settings):
        f.cache_clear()
