"""No input yields a 500: schemathesis generates requests from the app's own OpenAPI spec."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app.config import Settings
from app.main import create_app
from tests.conftest import Server

# The app's own OpenAPI document (building it loads no model); every request goes to the real server.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_yields_a_server_error(case: schemathesis.Case, server: Server) -> None:
    response = case.call(base_url=server.base_url, timeout=30)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert "detail" in response.json()


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00", b"[]", b"null", b'"text"', b'{"text": ["a"]}', b'{"items": "x"}', b"{" * 5000],
)
def test_malformed_bodies_are_4xx_with_detail(client: httpx.Client, body: bytes) -> None:
    for path in ("/v1/analyze", "/v1/analyze/batch"):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500
        assert "detail" in response.json()
