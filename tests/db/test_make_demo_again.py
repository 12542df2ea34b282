"""`make demo` a second time: the same token, no new run, the same snapshots.

The steps are those of the Makefile's demo target before `serve`, run as commands in a project
folder of their own against a database of their own.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from geo_service.demo import perstorp
from geo_service.demo.history import meeting_dates
from tests.db.own_demo import engine_of, own_demo_database

GEO_SERVICE = str(Path(sys.executable).with_name("geo-service"))
STEPS = [["db", "upgrade"], ["demo", "load"], ["demo", "analyze"], ["demo", "token"]]
RUNS = text("SELECT count(*) FROM analysis_run WHERE municipality_code = '1275'")
SNAPSHOTS = text(
    "SELECT meeting_date, run_id FROM meeting_snapshot WHERE municipality_code = '1275' "
    "ORDER BY meeting_date"
)


@pytest.fixture(scope="module")
def empty_db(server_url: str) -> Iterator[str]:
    yield from own_demo_database(server_url, "geo_service_make_demo", load=False)


def _make_demo(url: str, folder: Path) -> str:
    """The demo target's steps; returns the token printed."""
    env = os.environ | {"GEO_SERVICE_DATABASE_URL": url}
    out = ""
    for step in STEPS:
        done = subprocess.run(
            [GEO_SERVICE, *step], cwd=folder, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, (step, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        out = done.stdout
    return out.strip()


def test_a_second_make_demo_reuses_the_token_and_adds_no_run(empty_db: str, tmp_path: Path) -> None:
    engine = engine_of(empty_db)
    token = _make_demo(empty_db, tmp_path)
    assert token.startswith(f"gs_{perstorp.CODE}_")
    assert (tmp_path / ".geo-service" / "demo-token").read_text().strip() == token
    with engine.connect() as conn:
        runs = conn.execute(RUNS).scalar()
        snapshots = conn.execute(SNAPSHOTS).all()
    assert [d for d, _ in snapshots] == meeting_dates()
    assert len({run for _, run in snapshots}) == 6  # each meeting from a run of its own

    assert _make_demo(empty_db, tmp_path) == token
    with engine.connect() as conn:
        assert conn.execute(RUNS).scalar() == runs
        assert conn.execute(SNAPSHOTS).all() == snapshots
