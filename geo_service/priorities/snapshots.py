"""Meeting snapshots: the priorities frozen for one meeting (immutable) and what changed since."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo_service.db.models import MeetingSnapshot
from geo_service.errors import Conflict, GeoServiceError
from geo_service.priorities.service import priorities_for_meeting

CHANGE_STATUSES = ("new", "up", "down", "same", "gone", "off_list")


def get_snapshot(session: Session, mc: str, meeting: date) -> MeetingSnapshot | None:
    return session.execute(
        select(MeetingSnapshot).where(
            MeetingSnapshot.municipality_code == mc, MeetingSnapshot.meeting_date == meeting
        )
    ).scalar_one_or_none()


def previous_snapshot(session: Session, mc: str, meeting: date) -> MeetingSnapshot | None:
    """The latest snapshot of an earlier meeting."""
    return session.execute(
        select(MeetingSnapshot)
        .where(MeetingSnapshot.municipality_code == mc, MeetingSnapshot.meeting_date < meeting)
        .order_by(MeetingSnapshot.meeting_date.desc())
        .limit(1)
    ).scalar_one_or_none()


def _exists(meeting: date, snapshot: MeetingSnapshot) -> GeoServiceError:
    return Conflict(
        "snapshot_exists",
        f"The meeting on {meeting.isoformat()} already has a snapshot (id {snapshot.id}, run "
        f"{snapshot.run_id}). Snapshots are immutable so that the minutes can cite them.",
    )


def create_snapshot(
    session: Session, mc: str, meeting: date, created_by: str | None = None
) -> MeetingSnapshot:
    """Freeze the meeting's priorities with the run id and parameters; a second time is a 409."""
    existing = get_snapshot(session, mc, meeting)
    if existing is not None:
        raise _exists(meeting, existing)
    result = priorities_for_meeting(session, mc, meeting)
    params = result.params | {
        "period_start": result.period_start.isoformat(),
        "period_end": result.period_end.isoformat(),
        "period_days": result.period_days,
    }
    snapshot = MeetingSnapshot(
        municipality_code=mc,
        meeting_date=meeting,
        run_id=result.run_id,
        params=params,
        priorities=result.items,
        created_by=created_by,
    )
    try:
        with session.begin_nested():
            session.add(snapshot)
            session.flush()
    except IntegrityError:
        raise _exists(meeting, get_snapshot(session, mc, meeting) or snapshot) from None
    return snapshot


def compare(previous: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per place: new on the list, up, down, same, gone from the list, or off the list.

    'The list' is the places at yellow or red. Up/down compare ranks (1 = most urgent).
    """
    before = {p["place_id"]: p for p in previous}
    out = []
    for item in current:
        old = before.pop(item["place_id"], None)
        was_listed = bool(old and old.get("listed"))
        if item.get("listed") and not was_listed:
            status = "new"
        elif not item.get("listed"):
            status = "gone" if was_listed else "off_list"
        elif item["rank"] < old["rank"]:
            status = "up"
        elif item["rank"] > old["rank"]:
            status = "down"
        else:
            status = "same"
        out.append(_row(item, old, status))
    for old in before.values():
        out.append(_row(None, old, "gone" if old.get("listed") else "off_list"))
    order = {s: i for i, s in enumerate(CHANGE_STATUSES)}
    return sorted(out, key=lambda r: (order[r["status"]], r["rank"] or 10**9, r["place_id"]))


def _row(item: dict[str, Any] | None, old: dict[str, Any] | None, status: str) -> dict[str, Any]:
    ref = item or old or {}
    return {
        "place_id": ref["place_id"],
        "name": ref["name"],
        "status": status,
        "rank": item and item["rank"],
        "previous_rank": old and old["rank"],
        "score": item and item["score"],
        "previous_score": old and old["score"],
        "level": item and item["level"],
        "previous_level": old and old["level"],
    }


def comparison_for_meeting(session: Session, mc: str, meeting: date) -> dict[str, Any]:
    """The meeting's priorities (its snapshot, else computed now) against the previous snapshot."""
    snapshot = get_snapshot(session, mc, meeting)
    current = (
        snapshot.priorities
        if snapshot is not None
        else priorities_for_meeting(session, mc, meeting).items
    )
    previous = previous_snapshot(session, mc, meeting)
    return {
        "meeting_date": meeting,
        "snapshot_id": snapshot.id if snapshot else None,
        "previous_meeting_date": previous.meeting_date if previous else None,
        "previous_snapshot_id": previous.id if previous else None,
        "changes": compare(previous.priorities if previous else [], current),
    }
