"""Settings: one object, read from `URIKOMI_*` environment variables, validated at start-up."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.engine.feed import FeedLimits

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_model_path() -> Path:
    """The shipped model beside the source tree, else `models/urikomi` under the working directory."""
    shipped = _PROJECT_ROOT / "models" / "urikomi"
    return shipped if shipped.is_dir() else Path("models/urikomi")


class Settings(BaseSettings):
    """Everything an operator can configure; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="URIKOMI_", extra="ignore")

    model_path: Path = Field(default_factory=default_model_path, description="model directory")
    max_chars: int = Field(default=10_000, ge=1, le=1_000_000, description="longest draft, in characters as sent")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="largest request body")
    max_batch_items: int = Field(default=100, ge=1, le=10_000, description="items per batch request")
    max_batch_chars: int = Field(default=200_000, ge=1, description="characters of all drafts in one batch or feed request")
    analysis_processes: int = Field(default=2, ge=1, le=64, description="analysis processes per server worker")
    analysis_queue: int = Field(default=64, ge=0, description="requests that may wait for an analysis process (more: 503)")
    analysis_timeout_seconds: float = Field(default=10.0, gt=0, le=600, description="time budget of one request's analysis")
    shutdown_timeout_seconds: int = Field(default=15, ge=0, le=600, description="longest wait for requests at shutdown")
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600, description="time to send a request's headers")
    body_timeout_seconds: float = Field(default=20.0, gt=0, le=600, description="time to send a request's body")
    trusted_proxies: str = Field(
        default="", description="comma-separated proxy IPs or networks whose X-Forwarded-For is believed (empty: none)"
    )
    auth_failures_per_minute: int = Field(default=30, ge=1, description="wrong or missing API keys per minute per client")
    api_keys: str = Field(
        default="",
        description="comma-separated SHA-256 hex digests of accepted X-API-Key values (empty: no key needed)",
    )
    rate_limit_per_minute: int = Field(default=600, ge=0, description="requests per minute per key or IP (0: off)")
    cors_origins: str = Field(default="", description="comma-separated origins allowed to call the API from a browser")
    max_feed_posts: int = Field(default=1000, ge=1, le=100_000, description="posts per feed request")
    feed_max_promo_share: float = Field(default=0.3, ge=0, le=1, description="feed: highest healthy share of promotional posts")
    feed_max_promo_run: int = Field(default=2, ge=1, description="feed: longest healthy run of promotional posts")
    feed_max_promo_per_day: int = Field(default=1, ge=1, description="feed: promotional posts per day before advice")
    feed_min_story_share: float = Field(default=0.3, ge=0, le=1, description="feed: lowest healthy share of story posts")
    feedback_db: Path | None = Field(default=None, description="SQLite file for POST /v1/feedback (unset: feedback is off)")
    feedback_store_text: bool = Field(default=False, description="also keep the draft's text with feedback (needed to retrain)")
    feedback_hash_key: str = Field(
        default="", description="secret for the keyed hash of drafts kept with feedback (empty: no hash is kept)"
    )
    rules_file: Path | None = Field(default=None, description="YAML with allow_terms and disabled_rules for every request")

    @field_validator("api_keys")
    @classmethod
    def _keys_are_hashes(cls, value: str) -> str:
        for digest in _split(value):
            if not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise ValueError("each entry must be a SHA-256 hex digest (see `urikomi hash-key`), never a raw key")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for entry in _split(value):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not an IP address or network") from exc
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The proxies whose X-Forwarded-For header names the real client."""
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in _split(self.trusted_proxies))

    @property
    def api_key_hashes(self) -> frozenset[str]:
        """The accepted key digests."""
        return frozenset(_split(self.api_keys))

    @property
    def feed_limits(self) -> FeedLimits:
        """The feed thresholds as the engine takes them."""
        return FeedLimits(
            max_promo_share=self.feed_max_promo_share,
            max_promo_run=self.feed_max_promo_run,
            max_promo_per_day=self.feed_max_promo_per_day,
            min_story_share=self.feed_min_story_share,
        )

    @property
    def cors_origin_list(self) -> list[str]:
        """The allowed browser origins."""
        return _split(self.cors_origins)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
