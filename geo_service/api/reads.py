"""Short reads on the hot path: small autocommit queries on their own few pooled connections.

A cached answer still asks the database a small question (is this token known, what is the
tenant's k, has the meeting's data changed, which run is the latest). Those run in autocommit
(no BEGIN and COMMIT round trips) on a pool of `read_pool_size` connections that never grows,
and at most that many at once: a burst of requests waits its turn in the event loop, instead of
opening and closing overflow connections (a new PostgreSQL backend loads PostGIS, which costs
more than the query) or crowding the worker threads, which would contend for the GIL.
"""

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo_service.db.engine import get_engine

T = TypeVar("T")


def read_engine(url: str, size: int) -> Engine:
    """The short reads' engine: `size` connections in autocommit, no overflow, and no liveness
    check before each read (a read on a dropped connection is tried once more instead)."""
    engine = get_engine(url, pool_size=size, max_overflow=0, pre_ping=False)
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _in_session(engine: Engine, read: Callable[[Session], T]) -> T:
    try:
        return _once(engine, read)
    except DBAPIError as exc:
        if not exc.connection_invalidated:  # not a dropped connection (the pool discarded it)
            raise
    return _once(engine, read)


def _once(engine: Engine, read: Callable[[Session], T]) -> T:
    with engine.connect() as conn, Session(bind=conn) as session:
        return read(session)


async def short_read(app: FastAPI, read: Callable[[Session], T]) -> T:
    """`read(session)` on a short-read connection, in a worker thread."""
    limiter = getattr(app.state, "read_limiter", None)
    if limiter is None:  # made in the event loop, on first use
        limiter = app.state.read_limiter = anyio.CapacityLimiter(app.state.reads.pool.size())
    return await anyio.to_thread.run_sync(_in_session, app.state.reads, read, limiter=limiter)
