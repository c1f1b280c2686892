"""Who may call the API and how often: optional hashed API keys and a token-bucket rate limit."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections import OrderedDict
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.config import Settings

MAX_TRACKED_CLIENTS = 10_000
OVERFLOW = "overflow"  # the one bucket new clients share while the table is full of throttled ones
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def hash_key(key: str) -> str:
    """The digest an operator puts in URIKOMI_API_KEYS (the key itself is never stored)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class RateLimiter:
    """Token buckets per client: `per_minute` requests, refilled continuously.

    Memory is bounded without forgetting who is throttled: past MAX_TRACKED_CLIENTS, only buckets
    that have refilled to full (a new bucket would be the same) are dropped, oldest first; when none
    has, new clients share one overflow bucket. Evicting the oldest whatever its state let a
    throttled client start afresh once 10,000 others had been seen (issue 20).
    """

    def __init__(self, per_minute: int, max_clients: int = MAX_TRACKED_CLIENTS) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, client: str, now: float) -> float:
        tokens, stamp = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - stamp) * self.refill_per_second)

    def _evict_refilled(self, now: float) -> None:
        while len(self._buckets) >= self.max_clients:
            oldest = next(iter(self._buckets))
            if self._tokens(oldest, now) < self.capacity:
                return  # the least recently seen is still throttled: so may the rest be; keep them all
            del self._buckets[oldest]

    def wait(self, client: str, now: float | None = None) -> float | None:
        """Seconds until `client` has a token again (None: it has one now); takes nothing."""
        if self.capacity <= 0:
            return None
        now = time.monotonic() if now is None else now
        if client not in self._buckets and len(self._buckets) >= self.max_clients:
            client = OVERFLOW
        tokens = self._tokens(client, now)
        return None if tokens >= 1.0 else (1.0 - tokens) / self.refill_per_second

    def retry_after(self, client: str, now: float | None = None) -> float | None:
        """Take one token for `client`; None when allowed, else seconds until the next token."""
        if self.capacity <= 0:
            return None
        now = time.monotonic() if now is None else now
        if client not in self._buckets:
            self._evict_refilled(now)
            if len(self._buckets) >= self.max_clients:
                client = OVERFLOW
        tokens = self._tokens(client, now)
        allowed = tokens >= 1.0
        self._buckets.pop(client, None)
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        return None if allowed else (1.0 - tokens) / self.refill_per_second


def client_address(request: Request, trusted: tuple[Network, ...]) -> str:
    """Who is calling: the peer's address, or, when the peer is a trusted proxy, the right-most
    X-Forwarded-For entry that is not itself a trusted proxy. Only a valid IP address counts;
    anything else in the header is ignored (by default no proxy is trusted: the header is never read)."""
    peer = request.client.host if request.client else "unknown"
    if not trusted or not _is_in(peer, trusted):
        return peer
    hops = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return peer  # an invented value: the proxy chain cannot be followed further
        if not any(address in network for network in trusted):
            return str(address)
    return peer


def _is_in(host: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _throttled(limiter: RateLimiter, client: str, detail: str) -> HTTPException | None:
    wait = limiter.retry_after(client)
    if wait is None:
        return None
    seconds = max(1, int(wait + 0.999))
    return HTTPException(status_code=429, detail=detail.format(seconds=seconds), headers={"Retry-After": str(seconds)})


async def authorize(request: Request) -> None:
    """Check the API key (when keys are configured), then the caller's rate limit (async: it never
    waits, and FastAPI would run a plain function in a worker thread on every request). Missing or
    wrong keys are limited per address too: past the limit the key is not even compared."""
    settings: Settings = request.app.state.settings
    address = client_address(request, settings.trusted_proxy_networks)
    client = f"ip:{address}"
    accepted = settings.api_key_hashes
    if accepted:
        failures: RateLimiter = request.app.state.auth_failures
        wait = failures.wait(client)
        if wait is not None:
            seconds = max(1, int(wait + 0.999))
            raise HTTPException(
                status_code=429,
                detail=f"too many failed API keys from this address; retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )
        key = request.headers.get("x-api-key")
        digest = hash_key(key) if key else ""
        if not key or not any(hmac.compare_digest(digest, known) for known in accepted):
            failures.retry_after(client)  # count the failure
            if not key:
                raise HTTPException(status_code=401, detail="an API key is required in the X-API-Key header")
            raise HTTPException(status_code=403, detail="the API key was not accepted")
        client = f"key:{digest}"
    refused = _throttled(request.app.state.rate_limiter, client, "too many requests; retry in {seconds} s")
    if refused is not None:
        raise refused


Authorized = Annotated[None, Depends(authorize)]
