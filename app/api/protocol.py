"""uvicorn's HTTP protocol with TCP_NODELAY on every connection and a deadline for request headers.

With `--workers N` uvicorn binds the listening socket itself with protocol 0, so asyncio does not
turn Nagle's algorithm off on accepted connections; a response written in two pieces then waits
for the client's delayed ACK (~40 ms per request). Setting TCP_NODELAY here makes every worker
answer as fast as a single-process server.

uvicorn has no header timeout: its keep-alive timer stops at the first byte, so a client dripping a
byte every few seconds held a connection open indefinitely (issue 20). Here a connection that has
not sent a request's complete headers within URIKOMI_HEADER_TIMEOUT_SECONDS of opening, or of its
previous response, is closed. The body has its own deadline (`BodyLimit`).
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

from app.config import get_settings


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that disables Nagle's algorithm and closes connections slow to send headers."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # pragma: no cover - a socket that refuses the option still works
                pass
        super().connection_made(transport)
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(get_settings().header_timeout_seconds, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request's headers are complete
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        self._arm_header_timer()  # the next request's headers are due (cancelled if pipelined)
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)
