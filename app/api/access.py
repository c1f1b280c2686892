"""Who may call the API and how often: optional hashed API keys and a token-bucket rate limit."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.config import Settings

MAX_TRACKED_CLIENTS = 10_000


def hash_key(key: str) -> str:
    """The digest an operator puts in URIKOMI_API_KEYS (the key itself is never stored)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class RateLimiter:
    """Token buckets per client: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def retry_after(self, client: str, now: float | None = None) -> float | None:
        """Take one token for `client`; None when allowed, else seconds until the next token."""
        if self.capacity <= 0:
            return None
        now = time.monotonic() if now is None else now
        tokens, stamp = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - stamp) * self.refill_per_second)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > MAX_TRACKED_CLIENTS:
            self._buckets.popitem(last=False)
        return None if allowed else (1.0 - tokens) / self.refill_per_second


async def authorize(request: Request) -> None:
    """Check the API key (when keys are configured), then the caller's rate limit (async: it never
    waits, and FastAPI would run a plain function in a worker thread on every request)."""
    settings: Settings = request.app.state.settings
    client = f"ip:{request.client.host if request.client else 'unknown'}"
    accepted = settings.api_key_hashes
    if accepted:
        key = request.headers.get("x-api-key")
        if not key:
            raise HTTPException(status_code=401, detail="an API key is required in the X-API-Key header")
        digest = hash_key(key)
        if not any(hmac.compare_digest(digest, known) for known in accepted):
            raise HTTPException(status_code=403, detail="the API key was not accepted")
        client = f"key:{digest}"
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.retry_after(client)
    if wait is not None:
        seconds = max(1, int(wait + 0.999))
        raise HTTPException(
            status_code=429,
            detail=f"too many requests; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


Authorized = Annotated[None, Depends(authorize)]
