"""The run worker: a run after an import that adds events and at a period boundary, none when
nothing changed, one worker per municipality, interrupted runs failed, retention once a day."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from geo_service.api.app import create_app
from geo_service.api.auth import create_token
from geo_service.config import Settings
from geo_service.db.models import AnalysisRun
from geo_service.db.tenants import ensure_municipality
from geo_service.demo import perstorp
from geo_service.demo.load import event_frame, session_upsert
from geo_service.runs.execute import start_run
from geo_service.runs.lock import municipality_lock
from geo_service.runs.worker import Worker
from tests.db.own_demo import engine_of, own_demo_database

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
RUNS = text("SELECT id, status, error FROM analysis_run WHERE municipality_code = :mc ORDER BY id")


@pytest.fixture(scope="module")
def worker_db(server_url: str) -> Iterator[str]:
    yield from own_demo_database(server_url, "geo_service_worker")


@pytest.fixture(scope="module")
def db(worker_db: str) -> Engine:
    return engine_of(worker_db)


def _worker(db: Engine) -> Worker:
    return Worker(db, runs_kept=10, retention_days=3 * 365)


def _runs(db: Engine, mc: str = perstorp.CODE) -> list[tuple[int, str, str | None]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(RUNS, {"mc": mc})]


def _add_one_event(db: Engine) -> None:
    """An import that adds one event (a new police report in Centrum)."""
    frame = event_frame(perstorp.generate_events()).head(1).copy()
    frame["source_id"] = "added-by-a-later-import"
    frame["content_hash"] = "f" * 32
    with Session(db) as session:
        assert session_upsert(session, perstorp.CODE, frame).stored == 1
        session.commit()


def test_a_run_first_then_none_until_an_import_adds_events(db: Engine) -> None:
    worker = _worker(db)
    first = worker.run_pass(NOW)
    assert [(mc, reason) for mc, _, reason in first.made] == [(perstorp.CODE, "first_run")]
    run_id = first.made[0][1]
    with Session(db) as session:
        run = session.get(AnalysisRun, (perstorp.CODE, run_id))
        assert run is not None and run.status == "completed"
        # the demo's analysis end is pinned: data end at its last period, whatever today is
        assert run.period_end.astimezone(perstorp.STOCKHOLM).date() == perstorp.LAST_PERIOD_END
    assert worker.run_pass(NOW).made == []

    _add_one_event(db)
    after_import = worker.run_pass(NOW)
    assert [(mc, reason) for mc, _, reason in after_import.made] == [(perstorp.CODE, "new_data")]
    assert worker.run_pass(NOW).made == []
    assert [status for _, status, _ in _runs(db)] == ["completed", "completed"]


def test_a_period_boundary_brings_a_run_ending_there(db: Engine) -> None:
    worker = _worker(db)
    worker.run_pass(NOW)  # current first
    with db.begin() as conn:  # the analysis end moves on by one period
        conn.execute(
            text(
                "UPDATE municipality SET settings = jsonb_set(settings, '{analysis,to_date}', "
                "'\"2026-12-01\"') WHERE municipality_code = :mc"
            ),
            {"mc": perstorp.CODE},
        )
    try:
        made = worker.run_pass(NOW).made
        assert [reason for _, _, reason in made] == ["period_boundary"]
        with Session(db) as session:
            run = session.get(AnalysisRun, (perstorp.CODE, made[0][1]))
            assert run is not None
            assert str(run.period_end.astimezone(perstorp.STOCKHOLM).date()) == "2026-11-30"
        assert worker.run_pass(NOW).made == []
    finally:
        with db.begin() as conn:
            conn.execute(
                text(
                    "UPDATE municipality SET settings = jsonb_set(settings, "
                    "'{analysis,to_date}', '\"2026-11-17\"') WHERE municipality_code = :mc"
                ),
                {"mc": perstorp.CODE},
            )


def test_a_municipality_locked_by_another_worker_is_left_alone(db: Engine) -> None:
    worker = _worker(db)
    worker.run_pass(NOW)
    before = _runs(db)
    with db.begin() as conn:
        conn.execute(
            text("UPDATE event SET severity = 1, updated_at = now() WHERE source_id = :sid"),
            {"sid": "added-by-a-later-import"},
        )
    with municipality_lock(db, perstorp.CODE) as held:
        assert held
        result = worker.run_pass(NOW)
    assert result.locked == [perstorp.CODE] and result.made == []
    assert _runs(db) == before
    # once the other worker lets go, the changed event brings a run
    assert [reason for _, _, reason in worker.run_pass(NOW).made] == ["new_data"]


def _listed_runs(url: str, db: Engine, status: str | None) -> list[dict]:
    """GET /api/v1/runs (?status=…) as an analyst sees it."""
    with Session(db) as session:
        token = create_token(session, perstorp.CODE, "analyst", "Perstorps kommun")
        session.commit()
    with TestClient(create_app(Settings(database_url=url))) as client:
        r = client.get(
            "/api/v1/runs",
            params={"municipality": perstorp.CODE} | ({"status": status} if status else {}),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_a_run_left_running_is_marked_failed_when_a_worker_starts(
    worker_db: str, db: Engine
) -> None:
    with Session(db) as session:
        running = start_run(session, perstorp.CODE)
    assert (running, "running", None) in _runs(db)
    assert [r["id"] for r in _listed_runs(worker_db, db, "running")] == [running]
    shown = next(r for r in _listed_runs(worker_db, db, None) if r["id"] == running)
    ends = datetime.fromisoformat(shown["period_end"]).astimezone(perstorp.STOCKHOLM).date()
    assert ends == perstorp.LAST_PERIOD_END  # where its data will end
    assert _worker(db).start() == 1
    status = {run_id: (s, e) for run_id, s, e in _runs(db)}[running]
    assert status[0] == "failed" and "Interrupted" in (status[1] or "")
    assert _listed_runs(worker_db, db, "running") == []


def test_a_failed_run_is_not_tried_again_on_the_same_data(db: Engine) -> None:
    with Session(db) as session:
        ensure_municipality(session, "0999", "Tomkommun", None, "no events yet")
        session.commit()
    worker = _worker(db)
    first = worker.run_pass(NOW)
    assert [mc for mc, _ in first.failed] == ["0999"]
    assert "no_events" in first.failed[0][1] or "No events" in first.failed[0][1]
    assert worker.run_pass(NOW).failed == []
    assert [status for _, status, _ in _runs(db, "0999")] == ["failed"]


def test_retention_runs_at_the_first_pass_and_then_once_a_day(db: Engine) -> None:
    worker = _worker(db)
    assert {r.municipality_code for r in worker.run_pass(NOW).retention} >= {perstorp.CODE}
    assert worker.run_pass(NOW).retention == []
    tomorrow = NOW.replace(day=6)
    assert worker.run_pass(tomorrow).retention != []


def test_the_worker_command_makes_one_pass(worker_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo_service.cli import app
    from geo_service.config import get_settings

    monkeypatch.setenv("GEO_SERVICE_DATABASE_URL", worker_db)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["worker", "--once"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "latest run is current" in result.output or "run failed" in result.output
