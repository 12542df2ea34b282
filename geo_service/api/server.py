"""uvicorn protocol that sets TCP_NODELAY on every accepted socket.

With several workers uvicorn hands sockets to the workers in a way that asyncio does not set
TCP_NODELAY on (uvicorn issue #3149); keep-alive responses then wait ~40 ms for delayed ACKs.
"""

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HTTP_PROTOCOL = "geo_service.api.server:NoDelayHttpToolsProtocol"


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """httptools protocol with Nagle's algorithm off on the connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
