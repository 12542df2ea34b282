"""A lean HTTP/1.1 load generator: keep-alive connections on raw asyncio streams (uvloop).

A general-purpose client (httpx) spends several milliseconds of CPU per request; on a small
machine that shares its cores with the server it measures itself. This one writes prebuilt
requests and reads only the status line, the headers it needs and the body, at a few tens of
microseconds per request, so the figures are the server's.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np


@dataclass
class Route:
    """Latencies and statuses of one route in one phase."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def line(self, name: str, seconds: float) -> str:
        ms = np.asarray(self.latencies) * 1e3
        p50, p99 = np.percentile(ms, [50, 99]) if ms.size else (np.nan, np.nan)
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"| {name} | {ms.size:,} | {ms.size / seconds:,.0f} | {p50:.1f} | {p99:.1f} | {codes} |"
        )

    def p99(self) -> float:
        return float(np.percentile(self.latencies, 99)) if self.latencies else np.inf

    def rate(self, seconds: float) -> float:
        return len(self.latencies) / seconds


def request_bytes(host: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, keep-alive) of one response, its body read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    if fields.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.readexactly(int(fields.get("content-length", "0")))
    return status, fields.get("connection", "").lower() != "close"


async def _connection(
    base: str, requests: list[bytes], route: Route, deadline: float, offset: int
) -> None:
    url = urlsplit(base)
    streams = None
    i = offset
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            if streams is None:
                streams = await asyncio.open_connection(url.hostname, url.port)
                streams[1].get_extra_info("socket").setsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
                )
            reader, writer = streams
            writer.write(requests[i % len(requests)])
            status, keep = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status, keep = 0, False
        route.latencies.append(time.perf_counter() - t0)
        route.statuses[status] += 1
        if not keep and streams is not None:
            streams[1].close()
            streams = None
        i += 1
    if streams is not None:
        streams[1].close()


async def _phase(
    base: str, headers: dict[str, str], mix: dict[str, tuple[int, list[str]]], seconds: float
) -> dict[str, Route]:
    host = urlsplit(base).netloc
    routes = {name: Route() for name in mix}
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            _connection(
                base,
                [request_bytes(host, p, headers) for p in paths],
                routes[name],
                deadline,
                i * len(paths) // n,
            )
            for name, (n, paths) in mix.items()
            for i in range(n)
        )
    )
    return routes


def run_phase(
    base: str, headers: dict[str, str], mix: dict[str, tuple[int, list[str]]], seconds: float
) -> dict[str, Route]:
    """Drive the mix (route name: connections, paths) for `seconds`, one keep-alive connection
    per client, each asking for its paths in turn from its own place in the list (spread
    evenly, so that the connections do not ask for the same path at once)."""
    try:
        import uvloop

        return uvloop.run(_phase(base, headers, mix, seconds))
    except ImportError:
        return asyncio.run(_phase(base, headers, mix, seconds))
