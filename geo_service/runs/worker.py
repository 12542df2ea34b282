"""The run worker: makes each municipality's due runs and applies retention once a day.

`geo-service worker` calls `Worker.start` once (runs left 'running' by a worker that died are
marked failed) and then `Worker.run_pass` every poll interval. Each municipality is handled under
its advisory lock (`runs.lock`), so two workers never make the same tenant's run; what is due is
decided by `runs.schedule`. A run first commits a 'running' row, then completes it.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from geo_service.config import STOCKHOLM
from geo_service.db.models import Municipality
from geo_service.db.retention import RetentionResult, apply_retention
from geo_service.runs.execute import data_watermark, fail_interrupted, run_analysis, start_run
from geo_service.runs.lock import municipality_lock
from geo_service.runs.params import RunParams
from geo_service.runs.schedule import Due, RunState, due, period_boundary, retention_due

log = logging.getLogger("geo_service.worker")

MUNICIPALITIES = text("SELECT municipality_code FROM municipality ORDER BY municipality_code")
LATEST_COMPLETED = text("""
SELECT status, (SELECT max(period_end) FROM analysis_run
                WHERE municipality_code = :mc AND status = 'completed'),
       watermark, finished_at
FROM analysis_run WHERE municipality_code = :mc AND status = 'completed'
ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1
""")
"""The data the newest completed run saw, and the newest data end of any completed run (a run
made later for a past meeting sees the same data but does not end later)."""
LAST_ATTEMPT = text("""
SELECT status, period_end, watermark, finished_at FROM analysis_run
WHERE municipality_code = :mc AND status <> 'running' ORDER BY id DESC LIMIT 1
""")


@dataclass
class PassResult:
    """What one pass did: runs made (municipality, run id, reason), failures, tenants left to
    another worker, and the retention passes."""

    made: list[tuple[str, int, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    retention: list[RetentionResult] = field(default_factory=list)


@dataclass
class Worker:
    """A worker's settings and what it remembers between passes (the last retention day)."""

    engine: Engine
    runs_kept: int
    retention_days: int
    last_retention: date | None = None

    def municipalities(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(MUNICIPALITIES).scalars())

    def start(self) -> int:
        """Mark runs left 'running' by a stopped worker as failed; returns how many."""
        marked = 0
        for mc in self.municipalities():
            with municipality_lock(self.engine, mc) as held:
                if held:
                    with self.engine.begin() as conn:
                        marked += fail_interrupted(conn, mc)
        return marked

    def run_pass(self, now: datetime | None = None) -> PassResult:
        """Make every due run once, then apply retention if it has not run today."""
        now = now or datetime.now(STOCKHOLM)
        result = PassResult()
        for mc in self.municipalities():
            with municipality_lock(self.engine, mc) as held:
                if not held:
                    result.locked.append(mc)
                    continue
                self._make_due_run(mc, now, result)
        today = now.astimezone(STOCKHOLM).date()
        if retention_due(self.last_retention, today):
            with self.engine.begin() as conn:
                result.retention = apply_retention(conn, self.retention_days, now=now)
            self.last_retention = today
        return result

    def _make_due_run(self, mc: str, now: datetime, result: PassResult) -> None:
        with Session(self.engine) as session:
            found = what_is_due(session, mc, now)
        if found is None:
            return
        log.info("run for %s: %s (data to %s)", mc, found.reason, found.data_end)
        try:
            with Session(self.engine) as session:
                running = start_run(session, mc)
                run_id = run_analysis(session, mc, keep_runs=self.runs_kept, running_id=running)
                session.commit()
        except Exception as exc:  # the run is stored as failed with its error; go on
            log.warning("run for %s failed: %s", mc, exc)
            result.failed.append((mc, str(exc)))
            return
        result.made.append((mc, run_id, found.reason))


def what_is_due(session: Session, mc: str, now: datetime) -> Due | None:
    """The run the municipality needs now, from its stored runs and events."""
    municipality = session.get(Municipality, mc)
    if municipality is None:
        return None
    params = RunParams.for_municipality(municipality)
    today = now.astimezone(STOCKHOLM).date()
    boundary = period_boundary(params.anchor, params.period_days, params.to_date or today)
    conn = session.connection()
    return due(
        mc,
        boundary,
        data_watermark(conn, mc),
        _state(conn.execute(LATEST_COMPLETED, {"mc": mc}).first()),
        _state(conn.execute(LAST_ATTEMPT, {"mc": mc}).first()),
        now,
    )


def _state(row: object) -> RunState | None:
    if row is None:
        return None
    status, period_end, watermark, finished_at = row  # type: ignore[misc]
    return RunState(status, period_end.astimezone(STOCKHOLM).date(), watermark, finished_at)


def poll_forever(worker: Worker, interval: timedelta) -> None:
    """Passes every `interval` until the process is stopped."""
    import time

    while True:
        try:
            outcome = worker.run_pass()
        except SQLAlchemyError as error:  # the database restarting or unreachable: try again
            log.warning("worker pass failed, next in %s: %s", interval, error)
        else:
            for mc, run_id, reason in outcome.made:
                log.info("made run %s of %s (%s)", run_id, mc, reason)
        time.sleep(interval.total_seconds())
