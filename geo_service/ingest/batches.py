"""The `ingest_batch` bookkeeping every import shares: one row opened, one row finished.

A batch row is opened before the first row is read (so quarantined rows can refer to it) and
finished with the report's numbers and the report itself, in the import's transaction.
"""

import json
from typing import Any

from sqlalchemy import Connection, text

from geo_service.ingest.redact import redact_json, redact_text
from geo_service.ingest.report import ImportReport

_OPEN = text(
    "INSERT INTO ingest_batch (municipality_code, source, kind, filename, file_sha256, "
    "created_by) VALUES (:mc, :src, :kind, :fn, :sha, :by) RETURNING id"
)
_RECENT = text(
    "SELECT id, source, kind, filename, started_at, finished_at, rows_read, stored, "
    "updated, unchanged, quarantined FROM ingest_batch WHERE municipality_code = :mc "
    "ORDER BY id DESC LIMIT :limit"
)
_REPORT = text("SELECT report FROM ingest_batch WHERE municipality_code = :mc AND id = :id")
_FINISH = text(
    "UPDATE ingest_batch SET finished_at = now(), rows_read = :r, stored = :s, "
    "updated = :u, unchanged = :n, quarantined = :q, report = CAST(:rep AS jsonb) "
    "WHERE municipality_code = :mc AND id = :id"
)


def open_batch(
    conn: Connection,
    municipality_code: str,
    source: str,
    kind: str,
    filename: str | None,
    file_sha256: str | None = None,
    created_by: str | None = None,
) -> int:
    """A new batch row for an import that starts now (its file name redacted); returns its id."""
    params = {
        "mc": municipality_code,
        "src": source,
        "kind": kind,
        "fn": redact_text(filename) if filename else filename,
        "sha": file_sha256,
        "by": created_by,
    }
    return conn.execute(_OPEN, params).scalar_one()


def finish_batch(
    conn: Connection, report: ImportReport, extra: dict[str, Any] | None = None
) -> None:
    """Store the report's numbers and the report (with `extra` keys, every text redacted) on its
    batch row."""
    stored = redact_json(report.as_dict() | (extra or {}))
    conn.execute(
        _FINISH,
        {
            "r": report.rows_read,
            "s": report.stored,
            "u": report.updated,
            "n": report.unchanged,
            "q": report.quarantined,
            "rep": json.dumps(stored, default=str),
            "mc": report.municipality_code,
            "id": report.batch_id,
        },
    )


def recent_batches(conn: Connection, municipality_code: str, limit: int = 100) -> list[dict]:
    """The tenant's latest imports with their numbers, newest first."""
    rows = conn.execute(_RECENT, {"mc": municipality_code, "limit": limit}).mappings()
    return [dict(r) for r in rows]


def stored_report(conn: Connection, municipality_code: str, batch_id: int) -> dict | None:
    """The report stored on a finished batch (without the options kept for retries), or None."""
    report = conn.execute(_REPORT, {"mc": municipality_code, "id": batch_id}).scalar()
    if not report or "rows_read" not in report:
        return None
    return {k: v for k, v in report.items() if k != "options"}
