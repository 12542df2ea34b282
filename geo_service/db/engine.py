"""Engine and session factory, one per database URL."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from geo_service.config import get_settings


@lru_cache
def get_engine(
    url: str | None = None, pool_size: int = 10, max_overflow: int = 30, pre_ping: bool = True
) -> Engine:
    """A pooled engine for `url` (default: the configured database). Statement parameters are
    never logged nor put into error messages (`hide_parameters`): they may hold personal data.

    `pool_size` connections stay open: a new PostgreSQL backend loads PostGIS and PROJ on its
    first spatial query (tens to hundreds of ms), so connections opened and closed per request
    would cost more than the query. Overflow connections cover bursts. Each checkout first
    checks the connection is alive (`pre_ping`) unless the caller retries a dropped one itself."""
    return create_engine(
        url or get_settings().database_url,
        pool_pre_ping=pre_ping,
        future=True,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
    )


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = sessionmaker(get_engine(url), expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
