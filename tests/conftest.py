"""Shared fixtures: a throwaway PostGIS database per test session, created and dropped here.

The server is GEO_SERVICE_TEST_DATABASE_URL (set by `make test`), or the project-local cluster
started through scripts/devdb.sh when that is unset. Unit tests request none of these fixtures.
"""

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import RowMapping, make_url
from sqlalchemy.orm import Session

from geo_service.config import get_settings
from geo_service.db import migrate
from geo_service.db.engine import get_engine

ROOT = Path(__file__).resolve().parents[1]


def _server_url() -> str:
    url = os.environ.get("GEO_SERVICE_TEST_DATABASE_URL")
    if not url:
        url = subprocess.run(
            [str(ROOT / "scripts" / "devdb.sh"), "start"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        os.environ["GEO_SERVICE_TEST_DATABASE_URL"] = url
    return url


def _admin(server: str) -> Engine:
    return create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(server: str, prefix: str = "geo_service_test") -> str:
    """A new empty database on the test server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin(server)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def fetch(engine: Engine, sql: str, **params: object) -> list[RowMapping]:
    """The rows of one query, as mappings (read in a connection of their own)."""
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).mappings())


def make_tokens(engine: Engine, mc: str, wanted: dict[str, tuple[str, str]]) -> dict[str, str]:
    """A stored token per name, for its (role, organisation) in municipality `mc`."""
    from geo_service.api.auth import create_token

    with Session(engine) as session:
        tokens = {name: create_token(session, mc, *given) for name, given in wanted.items()}
        session.commit()
    return tokens


def drop_database(url: str) -> None:
    get_engine.cache_clear()
    name = make_url(url).database
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A migrated throwaway database shared by the session; the service's settings point at it."""
    url = create_database(server_url)
    migrate.upgrade(url)
    os.environ["GEO_SERVICE_DATABASE_URL"] = url
    get_settings.cache_clear()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Engine:
    return get_engine(database_url)


@pytest.fixture(scope="session")
def demo_loaded(engine: Engine) -> str:
    """The Perstorp demo loaded once into the session database; returns its municipality code."""
    from sqlalchemy.orm import Session

    from geo_service.demo.load import load_demo

    with Session(engine) as session:
        load_demo(session)
        session.commit()
    return "1275"
