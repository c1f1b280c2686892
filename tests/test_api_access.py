"""Keys, rate limits, CORS and content types on a real server configured like a public deployment."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.api.access import RateLimiter, hash_key
from tests.conftest import Server, start_server, stop_server

KEY = "test-key-Urikomi-0001"
ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "URIKOMI_API_KEYS": hash_key(KEY),
        "URIKOMI_RATE_LIMIT_PER_MINUTE": "5",
        "URIKOMI_CORS_ORIGINS": f"{ORIGIN},https://ops.example.jp",
    }
    running = start_server(tmp_path_factory.mktemp("guarded"), env)
    yield running
    stop_server(running)


def test_missing_key_is_401(guarded: Server) -> None:
    response = httpx.post(f"{guarded.base_url}/v1/analyze", json={"text": "こんにちは"})
    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]


def test_wrong_key_is_403(guarded: Server) -> None:
    response = httpx.post(f"{guarded.base_url}/v1/analyze", json={"text": "こんにちは"}, headers={"X-API-Key": "nope"})
    assert response.status_code == 403


def test_health_needs_no_key(guarded: Server) -> None:
    assert httpx.get(f"{guarded.base_url}/healthz").status_code == 200


def test_rate_limit_answers_429_with_retry_after(guarded: Server) -> None:
    statuses = []
    for _ in range(8):
        response = httpx.get(f"{guarded.base_url}/v1/model", headers={"X-API-Key": KEY})
        statuses.append(response.status_code)
    assert statuses[0] == 200
    assert 429 in statuses
    limited = httpx.get(f"{guarded.base_url}/v1/model", headers={"X-API-Key": KEY})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1


def test_cors_allows_configured_origins_only(guarded: Server) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-api-key"}
    allowed = httpx.options(f"{guarded.base_url}/v1/analyze", headers={"Origin": ORIGIN, **preflight})
    assert allowed.headers.get("access-control-allow-origin") == ORIGIN
    refused = httpx.options(f"{guarded.base_url}/v1/analyze", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers


def test_non_json_body_is_415(guarded: Server) -> None:
    response = httpx.post(
        f"{guarded.base_url}/v1/analyze", content="text=hi", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_raw_keys_in_configuration_are_refused(tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(RuntimeError, match="SHA-256"):
        start_server(tmp_path_factory.mktemp("rawkey"), {"URIKOMI_API_KEYS": "my-plain-secret"})


def test_rate_limiter_refills_over_time() -> None:
    limiter = RateLimiter(per_minute=60)
    for _ in range(60):
        assert limiter.retry_after("a", now=0.0) is None
    assert limiter.retry_after("a", now=0.0) == pytest.approx(1.0)
    assert limiter.retry_after("a", now=1.0) is None
    assert limiter.retry_after("b", now=0.0) is None  # clients are independent
