"""Retrying quarantined rows after the cause is fixed (addresses loaded, an alias added...).

The rows run through the pipeline again as a new batch with their original source, kind and
options; the old quarantine entries are marked resolved (those that fail again are
quarantined anew in the new batch, with the reason of today).
"""

import pandas as pd
from sqlalchemy import Connection, text

from geo_service.ingest.mapping import parse_mapping
from geo_service.ingest.parse import TEXT
from geo_service.ingest.pipeline import ImportOptions, run_import
from geo_service.ingest.readers import GEOM_X, Source
from geo_service.ingest.report import ImportReport

NOT_RETRYABLE = ("wrong_field_count", "duplicate_in_file")


def retry_quarantine(
    conn: Connection,
    municipality_code: str,
    batch_id: int | None = None,
    reason_code: str | None = None,
    created_by: str | None = None,
) -> list[ImportReport]:
    """Run unresolved quarantined rows through the pipeline again; one report per old batch."""
    rows = conn.execute(
        text(
            "SELECT q.id, q.batch_id, q.row_number, q.raw, b.source, b.kind, b.report "
            "FROM quarantine q JOIN ingest_batch b ON b.municipality_code = q.municipality_code "
            "AND b.id = q.batch_id WHERE q.municipality_code = :mc AND q.resolved_at IS NULL "
            "AND NOT (q.reason_code = ANY(:skip)) "
            "AND (CAST(:batch AS bigint) IS NULL OR q.batch_id = :batch) "
            "AND (CAST(:reason AS text) IS NULL OR q.reason_code = :reason) "
            "ORDER BY q.batch_id, q.row_number NULLS LAST, q.id"
        ),
        {
            "mc": municipality_code,
            "batch": batch_id,
            "reason": reason_code,
            "skip": list(NOT_RETRYABLE),
        },
    ).all()
    reports = []
    for old_batch in sorted({r.batch_id for r in rows}):
        group = [r for r in rows if r.batch_id == old_batch]
        first = group[0]
        stored = first.report or {}
        opts = stored.get("options") or {}
        frame = pd.DataFrame([r.raw for r in group]).astype(TEXT).fillna("")
        frame.index = pd.Index([r.row_number or 0 for r in group])
        source = Source(
            format=stored.get("format", "retry"),
            columns=[c for c in frame.columns if not c.startswith("__")],
            chunks=iter([frame]),
            police_feed=stored.get("format") == "police_feed",
            has_geometry=GEOM_X in frame.columns,
        )
        options = ImportOptions(
            municipality_code=municipality_code,
            source=first.source,
            kind=first.kind,
            mapping=parse_mapping(opts.get("mapping")) if opts.get("mapping") else None,
            crs=opts.get("crs"),
            filename=f"retry of batch {old_batch}",
            created_by=created_by,
        )
        report = run_import(conn, source, options, None, None)
        conn.execute(
            text(
                "UPDATE quarantine SET resolved_at = now() "
                "WHERE municipality_code = :mc AND id = ANY(:ids)"
            ),
            {"mc": municipality_code, "ids": [r.id for r in group]},
        )
        reports.append(report)
    return reports
