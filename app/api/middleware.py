"""ASGI middleware: request framing and body limits, structured access log, security headers.

Pure ASGI (not BaseHTTPMiddleware) so an oversize body is refused before it is read whole.
The access log records method, path, status, latency and a request id: never a body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("urikomi.access")

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


async def _reject(send: Send, status: int, detail: str, close: bool = False) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:  # the unread body must not be parsed as the next request on this connection
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Read the whole body here, before routing (so before any key check), within a byte limit
    and a time limit, and hand it on in one piece.

    Refused before a byte of body is read: both Content-Length and Transfer-Encoding (the framing
    is ambiguous: trusting one while the parser follows the other let a 210 MB chunked body past a
    `Content-Length: 5`, issue 20), several or malformed Content-Length values, or a declared length
    over the limit. While reading, the bytes actually received are counted, whatever was declared.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = 20.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    def _framing_problem(self, scope: Scope) -> tuple[int, str] | None:
        raw = scope.get("headers") or []
        lengths = [value for name, value in raw if name.lower() == b"content-length"]
        if lengths and any(name.lower() == b"transfer-encoding" for name, _ in raw):
            return 400, "a request may not carry both Content-Length and Transfer-Encoding"
        if len(lengths) > 1:
            return 400, "a request may carry one Content-Length header"
        if lengths and not lengths[0].strip().isdigit():
            return 400, "invalid Content-Length header"
        if lengths and int(lengths[0]) > self.max_bytes:
            return 413, self._too_large()
        return None

    def _too_large(self) -> str:
        return f"request body is larger than the limit of {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._framing_problem(scope)
        if problem is not None:
            await _reject(send, *problem, close=True)
            return
        try:
            body = await asyncio.wait_for(self._read(receive), self.timeout)
        except TimeoutError:
            await _reject(send, 408, f"the request body did not arrive within {self.timeout:g} s", close=True)
            return
        if body is None:
            await _reject(send, 413, self._too_large(), close=True)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The body, counting what arrives; None as soon as it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class RequireJson:
    """POST bodies must be JSON: anything else is refused with 415 before the route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST":
            content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
            media_type = content_type.split(b";", 1)[0].strip().lower()
            if media_type != b"application/json":
                await _reject(send, 415, "Content-Type must be application/json", close=True)
                return
        await self.app(scope, receive, send)


class AccessLog:
    """One JSON log line per request, a request id header, and security headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers += _SECURITY_HEADERS
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            access_log.info(
                json.dumps(
                    {
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "latency_ms": round((time.perf_counter() - started) * 1000, 3),
                        "request_id": request_id,
                    }
                )
            )
