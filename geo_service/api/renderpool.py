"""Expensive responses (the lägesbild PDF, large GeoJSON) rendered in a bounded pool and cached.

A render takes one of `render_slots` slots; a request that finds them all taken waits at most
`render_wait_seconds` and then gets 503 `server_busy` with Retry-After. Waiting holds neither a
worker thread nor a database connection: the wait is asynchronous, and routes release their
session before they ask for a slot. PDFs are drawn by WeasyPrint in a small process pool at low
CPU priority, so the renderer neither holds this process's GIL nor takes the CPU that priorities
and health need. Results are cached by a key that names the tenant, run or data fingerprint,
meeting, role and language; concurrent requests for the same key share one render.
"""

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from fastapi import FastAPI

from geo_service.config import Settings
from geo_service.errors import Busy, Unavailable
from geo_service.tiles.cache import LRUCache

POLL_SECONDS = 0.01
ANSWERS = 256
NICENESS = 10
PR_SET_PDEATHSIG = 1


@dataclass
class RenderPool:
    """The slots, the cache, the in-flight renders and the PDF processes of one app."""

    settings: Settings
    slots: threading.BoundedSemaphore
    cache: LRUCache[bytes]
    answers: LRUCache[bytes]
    """Cheap answers kept only to save their queries (the meeting's priorities): kept apart, so
    that a deployment without a document cache still keeps them."""
    inflight: dict[Hashable, asyncio.Future[bytes]] = field(default_factory=dict)
    _processes: ProcessPoolExecutor | None = None

    @classmethod
    def of(cls, settings: Settings) -> "RenderPool":
        return cls(
            settings, threading.BoundedSemaphore(settings.render_slots),
            LRUCache(settings.render_cache_size), LRUCache(ANSWERS),
        )  # fmt: skip

    def processes(self) -> ProcessPoolExecutor:
        """The PDF processes, started on first use (spawned: no threads copied by fork, and
        children of this process, so they end with it)."""
        if self._processes is None:
            self._processes = ProcessPoolExecutor(
                self.settings.render_processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=renderer_started,
                max_tasks_per_child=100,
            )
        return self._processes

    def shutdown(self) -> None:
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)
            self._processes = None


def renderer_started() -> None:
    """In a renderer: low CPU priority, and end when the server process ends (Linux), so that
    a server stopped by a signal leaves no renderer behind."""
    os.nice(NICENESS)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the server ended before the line above
        os._exit(0)


def render_pool(app: FastAPI) -> RenderPool:
    """The app's pool, made on first use."""
    pool = getattr(app.state, "render_pool", None)
    if pool is None:
        pool = app.state.render_pool = RenderPool.of(app.state.settings)
    return pool


async def _take_slot(pool: RenderPool) -> None:
    """A slot within `render_wait_seconds`, else Busy (503 server_busy)."""
    wait = pool.settings.render_wait_seconds
    deadline = time.monotonic() + wait
    while not pool.slots.acquire(blocking=False):
        if time.monotonic() >= deadline:
            raise Busy(
                "server_busy",
                "The service is rendering as many reports and maps as it can; try again shortly.",
                retry_after=max(1, round(wait)),
            )
        await asyncio.sleep(POLL_SECONDS)


async def cached_render(
    pool: RenderPool,
    key: Hashable,
    produce: Callable[[], Awaitable[bytes]],
    gated: bool = True,
) -> bytes:
    """The cached bytes for `key`, else `produce()` (one at a time per key), in a slot when
    `gated` (cheap answers that are only worth caching take none, and have their own cache)."""
    cache = pool.cache if gated else pool.answers
    found = cache.get(key)
    if found is not None:
        return found
    running = pool.inflight.get(key)
    if running is not None:
        return await asyncio.shield(running)
    future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
    pool.inflight[key] = future
    try:
        if gated:
            await _take_slot(pool)
        try:
            data = await produce()
        finally:
            if gated:
                pool.slots.release()
        cache.put(key, data)
        future.set_result(data)
        return data
    except asyncio.CancelledError:  # this client went away; those waiting on it try again
        future.set_exception(Unavailable("render_interrupted", "The render was interrupted."))
        future.exception()
        raise
    except Exception as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: no warning when nobody else waited
        raise
    finally:
        del pool.inflight[key]


async def in_renderer(pool: RenderPool, draw: Callable[..., bytes], *args: object) -> bytes:
    """`draw(*args)` in the pool's renderer processes (a PDF: gathered and drawn there)."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(pool.processes(), draw, *args)
    except BrokenProcessPool:  # a renderer died (killed, out of memory): start afresh next time
        pool.shutdown()
        raise Unavailable("pdf_unavailable", "The PDF renderer stopped; try again.") from None
