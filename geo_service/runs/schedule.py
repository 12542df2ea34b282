"""What the worker should run, decided from what is stored (pure: no database, no clock).

A municipality is due for a new run when
- it has no completed run yet ("first_run"),
- an import added or changed events since the data of its latest completed run ("new_data";
  the run stores a watermark of the events: their count, the newest batch and the newest
  change), or
- a period boundary has passed since the latest completed run's data end ("period_boundary").

A run that failed on the same data is not tried again for `retry_after`, so a municipality
without enough data does not get a failed run at every poll.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

Reason = Literal["first_run", "new_data", "period_boundary"]
RETRY_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class RunState:
    """What the schedule needs of a stored run."""

    status: str
    data_end: date
    """The first day after the run's last period (its exclusive end)."""
    watermark: dict[str, Any] | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Due:
    """A run to make now, and why."""

    municipality_code: str
    reason: Reason
    data_end: date


def period_boundary(anchor: date, period_days: int, day: date) -> date:
    """The latest period boundary on or before `day`: where a run made on `day` ends its data."""
    return anchor + timedelta(days=period_days * ((day - anchor).days // period_days))


def due(
    municipality_code: str,
    boundary: date,
    watermark: dict[str, Any],
    latest: RunState | None,
    last_attempt: RunState | None,
    now: datetime,
    retry_after: timedelta = RETRY_AFTER,
) -> Due | None:
    """The run to make for one municipality, or None when its latest run is current.

    `boundary` is the period boundary the next run would end on, `watermark` the events as they
    are now, `latest` the newest completed run (by data end) and `last_attempt` the newest run
    of any status.
    """
    reason = _reason(boundary, watermark, latest)
    if reason is None or _failed_recently(watermark, last_attempt, now, retry_after):
        return None
    return Due(municipality_code, reason, boundary)


def _reason(boundary: date, watermark: dict[str, Any], latest: RunState | None) -> Reason | None:
    if latest is None:
        return "first_run"
    if latest.watermark != watermark:
        return "new_data"
    if boundary > latest.data_end:
        return "period_boundary"
    return None


def _failed_recently(
    watermark: dict[str, Any], attempt: RunState | None, now: datetime, retry_after: timedelta
) -> bool:
    return (
        attempt is not None
        and attempt.status == "failed"
        and attempt.watermark == watermark
        and attempt.finished_at is not None
        and now - attempt.finished_at < retry_after
    )


def retention_due(last: date | None, today: date) -> bool:
    """Retention runs once a day: at the worker's first pass and then on each new day."""
    return last is None or today > last
