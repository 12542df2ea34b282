"""Retention: what the service keeps of records older than the retention limit.

For events that occurred more than `retention_days` ago the free text is removed and the exact
point is moved to the centroid of the event's analysis cell (the municipality's analysis
resolution, else that of its latest completed run, else 9). The H3 cells, the place, the
category, the time and the content hash stay, so every count by cell, place and period is the
same afterwards: trends, stored runs and past lägesbilder are reproduced exactly, and a file
imported again is recognised as unchanged instead of bringing the exact points back.
Quarantined rows (the raw input) quarantined more than `retention_days` ago are deleted.
Each municipality's pass is recorded in the audit log.
"""

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, text

from geo_service.db.copy import ensure_h3_cells

DEFAULT_RESOLUTION = 9
_MUNICIPALITIES = text("SELECT municipality_code FROM municipality ORDER BY municipality_code")
_RESOLUTION = text("""
SELECT coalesce(
  (SELECT analysis_resolution FROM municipality WHERE municipality_code = :mc),
  (SELECT resolution FROM analysis_run WHERE municipality_code = :mc AND status = 'completed'
    ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1),
  :default)
""")
_CENTROID = "(SELECT ST_Centroid(h.geom) FROM h3_cell h WHERE h.cell = h3_parent(e.h3_r10, :res))"
_OLD = "e.municipality_code = :mc AND e.occurred_at < :cutoff"
_PENDING = f"""{_OLD} AND (e.description IS NOT NULL OR (
  e.geom IS NOT NULL AND e.h3_r10 IS NOT NULL
  AND NOT coalesce(ST_Equals(e.geom, {_CENTROID}), false)
))"""
"""Old events not yet reduced: a run again finds nothing to do."""
_OLD_CELLS = text(
    f"SELECT DISTINCT h3_parent(e.h3_r10, :res) FROM event e WHERE {_OLD} AND e.h3_r10 IS NOT NULL"
)
"""The analysis cells of old events, so that their polygons exist before the update."""
_COUNT_PENDING = text(f"SELECT count(*) FROM event e WHERE {_PENDING}")
_COARSEN = text(f"""
UPDATE event e SET description = NULL, updated_at = now(),
  geom = CASE WHEN e.h3_r10 IS NULL THEN e.geom ELSE {_CENTROID}::geometry(Point, 3006) END
WHERE {_PENDING}
""")
_QUARANTINE_DUE = "FROM quarantine WHERE municipality_code = :mc AND created_at < :cutoff"
_COUNT_QUARANTINE = text(f"SELECT count(*) {_QUARANTINE_DUE}")
_DELETE_QUARANTINE = text(f"DELETE {_QUARANTINE_DUE}")
_AUDIT = text(
    "INSERT INTO audit_log (municipality_code, action, resource, detail) "
    "VALUES (:mc, 'retention_apply', 'event, quarantine', CAST(:detail AS jsonb))"
)


@dataclass(frozen=True)
class RetentionResult:
    """What one municipality's pass did (or, dry, would do)."""

    municipality_code: str
    cutoff: datetime
    resolution: int
    events_coarsened: int
    quarantine_deleted: int
    dry_run: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"cutoff": self.cutoff.isoformat()}


def retention_cutoff(retention_days: int, now: datetime | None = None) -> datetime:
    """The oldest time kept whole: records before it are reduced."""
    return (now or datetime.now(UTC)) - timedelta(days=retention_days)


def apply_retention(
    conn: Connection,
    retention_days: int,
    dry_run: bool = False,
    municipality_code: str | None = None,
    now: datetime | None = None,
) -> list[RetentionResult]:
    """Reduce every municipality's (or one's) records older than `retention_days`.

    Safe to run again: events already reduced are not counted twice. A dry run counts what
    would change and changes nothing (and records nothing in the audit log). The scheduler and
    `geo-service retention apply` call this in one transaction.
    """
    cutoff = retention_cutoff(retention_days, now)
    codes = (
        [municipality_code] if municipality_code else list(conn.execute(_MUNICIPALITIES).scalars())
    )
    return [_apply_one(conn, mc, cutoff, dry_run) for mc in codes]


def _apply_one(conn: Connection, mc: str, cutoff: datetime, dry_run: bool) -> RetentionResult:
    resolution = int(conn.execute(_RESOLUTION, {"mc": mc, "default": DEFAULT_RESOLUTION}).scalar())
    params = {"mc": mc, "cutoff": cutoff, "res": resolution}
    cells = conn.execute(_OLD_CELLS, params).scalars().all()
    ensure_h3_cells(conn, [np.array(cells, dtype=np.int64)])
    if dry_run:
        events = conn.execute(_COUNT_PENDING, params).scalar_one()
        deleted = conn.execute(_COUNT_QUARANTINE, params).scalar_one()
    else:
        events = conn.execute(_COARSEN, params).rowcount
        deleted = conn.execute(_DELETE_QUARANTINE, params).rowcount
    result = RetentionResult(mc, cutoff, resolution, events, deleted, dry_run)
    if not dry_run and (events or deleted):
        conn.execute(_AUDIT, {"mc": mc, "detail": json.dumps(result.as_dict())})
    return result
