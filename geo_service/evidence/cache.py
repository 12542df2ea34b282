"""A small in-process cache of expensive results, keyed by what decides them.

Keys include the data version (the tenant's event watermark or the run id), so new data means
a new key and never a stale answer; the oldest entries are dropped beyond `MAX_ENTRIES`.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_ENTRIES = 128

_ENTRIES: OrderedDict[Hashable, object] = OrderedDict()
_LOCK = Lock()


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The stored result for `key`, or `compute()` stored under it (errors are not stored)."""
    with _LOCK:
        if key in _ENTRIES:
            _ENTRIES.move_to_end(key)
            return _ENTRIES[key]  # type: ignore[return-value]
    value = compute()
    with _LOCK:
        _ENTRIES[key] = value
        while len(_ENTRIES) > MAX_ENTRIES:
            _ENTRIES.popitem(last=False)
    return value


def clear() -> None:
    with _LOCK:
        _ENTRIES.clear()


def database_key(session: Session) -> str:
    """The database a session reads, as part of a key (one process may serve several)."""
    return session.get_bind().url.render_as_string(hide_password=True)
