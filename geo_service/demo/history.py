"""The demo's meeting history: EST meetings every second week, the last six with a snapshot.

The demo is analysed as of its last meeting (`perstorp.MEETING_DATE`; the municipality's
analysis end date is pinned to it, so every run, and so every snapshot, is the same on every
machine and day). Each snapshot is made from the run whose data end before its meeting, made
when missing. Making the history again changes nothing: existing snapshots are kept, and no
run is made for them.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from geo_service.demo import perstorp as demo
from geo_service.priorities.snapshots import create_snapshot, get_snapshot

SNAPSHOT_MEETINGS = 6


@dataclass(frozen=True)
class HistoryEntry:
    """One meeting of the history: its snapshot and run, and whether this call made them."""

    meeting_date: date
    snapshot_id: int
    run_id: int
    created: bool


def meeting_dates(count: int = SNAPSHOT_MEETINGS) -> list[date]:
    """The demo's last `count` meetings, oldest first, every period (14 days) until its last."""
    step = timedelta(days=demo.PERIOD_DAYS)
    return [demo.MEETING_DATE - step * i for i in range(count - 1, -1, -1)]


def make_history(session: Session, count: int = SNAPSHOT_MEETINGS) -> list[HistoryEntry]:
    """A snapshot for each of the last `count` meetings; each is committed when made."""
    entries = []
    for meeting in meeting_dates(count):
        snapshot = get_snapshot(session, demo.CODE, meeting)
        created = snapshot is None
        if snapshot is None:
            snapshot = create_snapshot(session, demo.CODE, meeting, created_by="demo")
            session.commit()
        entries.append(HistoryEntry(meeting, snapshot.id, snapshot.run_id, created))
    return entries
