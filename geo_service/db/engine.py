"""Engine and session factory, one per database URL."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from geo_service.config import get_settings


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """A pooled engine for `url` (default: the configured database). Statement parameters are
    never logged nor put into error messages (`hide_parameters`): they may hold personal data."""
    return create_engine(
        url or get_settings().database_url, pool_pre_ping=True, future=True, hide_parameters=True
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
