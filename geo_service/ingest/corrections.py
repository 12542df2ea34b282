"""A reporter's corrections and withdrawals of their own observations and walk findings.

Only the token that sent a report may change it, and only within `EDIT_WINDOW` of storing it;
another caller's report is simply not found. A resend of a report stored longer ago changes
nothing. A corrected text is redacted as on ingest.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from geo_service.config import STOCKHOLM
from geo_service.errors import Forbidden, NotFound, Unprocessable
from geo_service.ingest.chunk import EARLIEST
from geo_service.ingest.redact import redact_text

EDIT_WINDOW = timedelta(hours=24)

REPORTED_KINDS = ("observation", "walk_finding")

_OWN = text("""
SELECT id, kind, category, severity, created_at, now() - created_at <= :window AS editable
FROM event
WHERE municipality_code = :mc AND id = :id AND created_by = :actor AND kind = ANY(:kinds)
""")

_CATEGORY = text("""
SELECT code FROM taxonomy
WHERE municipality_code = :mc
  AND (code = :c OR lower(label_sv) = lower(:c) OR lower(label_en) = lower(:c)
       OR lower(:c) = ANY(aliases))
LIMIT 1
""")

_UPDATE = text("""
UPDATE event SET category = coalesce(:category, category),
                 severity = coalesce(:severity, severity),
                 description = CASE WHEN :set_description THEN :description ELSE description END,
                 occurred_at = coalesce(:occurred_at, occurred_at),
                 updated_at = now()
WHERE municipality_code = :mc AND id = :id
""")

_DELETE = text("DELETE FROM event WHERE municipality_code = :mc AND id = :id")

_SETTLED = text("""
SELECT source_id FROM event
WHERE municipality_code = :mc AND source = :source AND source_id = ANY(:ids)
  AND now() - created_at > :window
""")


def settled(conn: Connection, mc: str, source: str, source_ids: list[str]) -> set[str]:
    """The source ids among these whose report was stored longer than `EDIT_WINDOW` ago: a
    resend of such a report changes nothing (corrections go through the edit, within the
    window, and are audited)."""
    ids = [s for s in source_ids if s]
    if not ids:
        return set()
    params = {"mc": mc, "source": source, "ids": ids, "window": EDIT_WINDOW}
    return set(conn.execute(_SETTLED, params).scalars())


def _own(conn: Connection, mc: str, actor: str, event_id: int) -> dict[str, Any]:
    """The caller's own report, still within the edit window; otherwise 404 or 403."""
    row = (
        conn.execute(
            _OWN,
            {
                "mc": mc,
                "id": event_id,
                "actor": actor,
                "kinds": list(REPORTED_KINDS),
                "window": EDIT_WINDOW,
            },
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound("observation_not_found", f"Ingen egen observation {event_id} finns.")
    if not row["editable"]:
        raise Forbidden(
            "edit_window_passed",
            "Observationen kan bara ändras eller tas tillbaka inom 24 timmar.",
        )
    return dict(row)


def category_code(conn: Connection, mc: str, given: str) -> str:
    """The taxonomy code for a code, label or alias of the municipality's categories."""
    code = conn.execute(_CATEGORY, {"mc": mc, "c": given.strip()}).scalar_one_or_none()
    if code is None:
        raise Unprocessable("unknown_category", f"Okänd kategori: {given!r}.")
    return code


def _corrected_time(value: datetime | None) -> datetime | None:
    """A corrected time as ingest takes it: Swedish time when it names no offset, and neither
    before 1990 nor in the future."""
    if value is None:
        return None
    moment = value if value.tzinfo else value.replace(tzinfo=STOCKHOLM)
    if not EARLIEST <= moment <= datetime.now(UTC) + timedelta(minutes=5):
        raise Unprocessable(
            "invalid_occurred_at", f"Tidpunkten {value.isoformat()} är i framtiden eller före 1990."
        )
    return moment


def correct_observation(
    conn: Connection, mc: str, actor: str, event_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply the given changes (category, severity, description, occurred_at) to one's own
    report; returns what was changed, for the audit log."""
    before = _own(conn, mc, actor, event_id)
    category = changes.get("category")
    values = {
        "mc": mc,
        "id": event_id,
        "category": category_code(conn, mc, category) if category else None,
        "severity": changes.get("severity"),
        "set_description": "description" in changes,
        "description": redact_text(changes["description"]) if changes.get("description") else None,
        "occurred_at": _corrected_time(changes.get("occurred_at")),
    }
    conn.execute(_UPDATE, values)
    return {"kind": before["kind"], "changed": sorted(changes)}


def withdraw_observation(conn: Connection, mc: str, actor: str, event_id: int) -> dict[str, Any]:
    """Delete one's own report; returns what it was, for the audit log."""
    before = _own(conn, mc, actor, event_id)
    conn.execute(_DELETE, {"mc": mc, "id": event_id})
    return {"kind": before["kind"], "category": before["category"]}
