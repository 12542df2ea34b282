"""One worker per municipality: a PostgreSQL advisory lock held while it makes the tenant's run.

The lock is a session lock on a connection of its own, so it is held across the transactions of
a run (the 'running' row is committed first, the result later) and released when the block
ends, or by the server when the worker's connection dies.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

_TRY_LOCK = text("SELECT pg_try_advisory_lock(hashtext(:key))")
_UNLOCK = text("SELECT pg_advisory_unlock(hashtext(:key))")


def lock_key(municipality_code: str) -> str:
    return f"geo_service.runs:{municipality_code}"


@contextmanager
def municipality_lock(engine: Engine, municipality_code: str) -> Iterator[bool]:
    """Yields True when this process holds the municipality's run lock, False when another
    worker holds it (then do nothing for that municipality)."""
    key = lock_key(municipality_code)
    with engine.connect() as conn:
        held = bool(conn.execute(_TRY_LOCK, {"key": key}).scalar())
        conn.commit()
        try:
            yield held
        finally:
            if held:
                conn.execute(_UNLOCK, {"key": key})
                conn.commit()
