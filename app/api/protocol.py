"""uvicorn's HTTP protocol with TCP_NODELAY on every connection.

With `--workers N` uvicorn binds the listening socket itself with protocol 0, so asyncio does not
turn Nagle's algorithm off on accepted connections; a response written in two pieces then waits
for the client's delayed ACK (~40 ms per request). Setting TCP_NODELAY here makes every worker
answer as fast as a single-process server.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that disables Nagle's algorithm on its TCP socket."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # pragma: no cover - a socket that refuses the option still works
                pass
        super().connection_made(transport)
