"""A database of a test module's own with the Perstorp demo loaded: for tests that make runs of
every municipality (the worker) or run the command line as a newcomer would, so that they
neither see nor change the runs of the session's shared database."""

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo_service.db import migrate
from geo_service.db.engine import get_engine
from geo_service.demo.load import load_demo
from tests.conftest import create_database, drop_database


def own_demo_database(server_url: str, prefix: str, load: bool = True) -> Iterator[str]:
    """A migrated database (with the demo loaded unless `load` is False); dropped afterwards."""
    url = create_database(server_url, prefix)
    migrate.upgrade(url)
    if load:
        with Session(get_engine(url)) as session:
            load_demo(session)
            session.commit()
    yield url
    drop_database(url)


def engine_of(url: str) -> Engine:
    return get_engine(url)
