"""Settings: one object, read from `URIKOMI_*` environment variables, validated at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_model_path() -> Path:
    """The shipped model beside the source tree, else `models/urikomi` under the working directory."""
    shipped = _PROJECT_ROOT / "models" / "urikomi"
    return shipped if shipped.is_dir() else Path("models/urikomi")


class Settings(BaseSettings):
    """Everything an operator can configure; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="URIKOMI_", extra="ignore")

    model_path: Path = Field(default_factory=default_model_path, description="model directory")
    max_chars: int = Field(default=10_000, ge=1, le=1_000_000, description="longest draft, after trimming")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="largest request body")
    max_batch_items: int = Field(default=100, ge=1, le=10_000, description="items per batch request")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
