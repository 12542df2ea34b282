"""The Perstorp demo in its own throwaway database with three analysis runs, for the priority
tests: the last meeting (2026-11-17), the one before (2026-11-03) and one just before Parken's
lighting measure (2026-04-07). A database of its own keeps other tests' runs out of the ranking.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.api.auth import create_token
from geo_service.config import Settings
from geo_service.db import migrate
from geo_service.db.engine import get_engine
from geo_service.demo import perstorp as demo
from tests.conftest import create_database, drop_database

MC = demo.CODE
LAST_MEETING = demo.MEETING_DATE
PREVIOUS_MEETING = LAST_MEETING - timedelta(days=demo.PERIOD_DAYS)
MEASURE_START = demo.FIRST_PERIOD_START + timedelta(days=demo.PERIOD_DAYS * demo.MEASURE_PERIOD)
BEFORE_MEASURE = MEASURE_START + timedelta(days=1)
MEETINGS = (LAST_MEETING, PREVIOUS_MEETING, BEFORE_MEASURE)


@dataclass
class PriorityDb:
    url: str
    engine: Engine
    tokens: dict[str, str]


_CACHE: dict[str, PriorityDb] = {}


def build(server_url: str) -> PriorityDb:
    """Create (once per test session) the database with the demo, runs and a token per role."""
    if server_url in _CACHE:
        return _CACHE[server_url]
    from geo_service.demo.load import load_demo
    from geo_service.runs import run_analysis

    url = create_database(server_url, prefix="geo_service_prio")
    migrate.upgrade(url)
    engine = get_engine(url)
    with Session(engine) as session:
        load_demo(session)
        for meeting in MEETINGS:
            run_analysis(session, MC, to_date=meeting)
        tokens = {
            role: create_token(session, MC, role, "test")
            for role in ("admin", "analyst", "coordinator", "viewer", "reporter")
        }
        session.commit()
    _CACHE[server_url] = PriorityDb(url, engine, tokens)
    return _CACHE[server_url]


@pytest.fixture(scope="session", name="prio_db")
def prio_db_fixture(server_url: str) -> Iterator[PriorityDb]:
    """Import this into a test module; tests then ask for `prio_db`."""
    db = build(server_url)
    yield db
    if _CACHE.pop(server_url, None) is not None:
        db.engine.dispose()
        drop_database(db.url)


@pytest.fixture(name="client")
def prio_client_fixture(prio_db: PriorityDb) -> Iterator[TestClient]:
    """The app on the priority database; import this with `prio_db_fixture`."""
    with TestClient(create_app(Settings(database_url=prio_db.url))) as client:
        yield client


def auth(db: PriorityDb, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {db.tokens[role]}"}


def get_as(client: TestClient, db: PriorityDb, role: str, path: str) -> Response:
    """GET `path` with the token of `role`."""
    return client.get(path, headers=auth(db, role))


def lagesbild_as(
    client: TestClient, db: PriorityDb, role: str, kind: str = "pdf", lang: str = "sv"
) -> Response:
    """The last meeting's lägesbild (`kind` html or pdf) as `role` reads it; it must be there."""
    url = f"/api/v1/meetings/{LAST_MEETING}/lagesbild.{kind}?municipality={MC}&lang={lang}"
    response = get_as(client, db, role, url)
    assert response.status_code == 200, response.text
    return response


def send_as(
    client: TestClient, db: PriorityDb, role: str, method: str, path: str, body: object
) -> Response:
    """`method` `path` (under /api/v1, in the demo municipality) with a JSON body as `role`."""
    sep = "&" if "?" in path else "?"
    url = f"/api/v1/{path}{sep}municipality={MC}"
    return client.request(method, url, headers=auth(db, role), json=body)


def meeting_str(day: date) -> str:
    return day.isoformat()
