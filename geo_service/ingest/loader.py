"""The last step of every import: COPY validated events into PostGIS and upsert them.

Rows arrive as a DataFrame already geocoded (x, y in EPSG:3006), indexed to H3 and redacted.
Identity is (municipality_code, source, source_id); a row whose content hash is unchanged is
left alone, a changed one updates its event. The place each event falls in is joined in SQL.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geo_service.db.copy import copy_frame, ensure_h3_cells

EVENT_COLUMNS = [
    "kind",
    "category",
    "source",
    "source_id",
    "content_hash",
    "occurred_at",
    "reported_at",
    "severity",
    "x",
    "y",
    "h3_r8",
    "h3_r9",
    "h3_r10",
    "geocode_method",
    "geocode_score",
    "source_crs",
    "description",
    "attributes",
    "batch_id",
    "created_by",
    "place_id",
]
"""Columns of the staging table. `place_id` is optional: NULL lets SQL find the place the point
falls in; 0 means the caller already looked and found none; otherwise it is the place."""

_STAGE_DDL = """
CREATE TEMP TABLE IF NOT EXISTS event_stage (
  kind text, category text, source text, source_id text, content_hash text,
  occurred_at timestamptz, reported_at timestamptz, severity smallint, x float8, y float8,
  h3_r8 bigint, h3_r9 bigint, h3_r10 bigint, geocode_method text, geocode_score float8,
  source_crs smallint,
  description text, attributes jsonb, batch_id bigint, created_by text, place_id integer,
  known boolean NOT NULL DEFAULT false
) ON COMMIT DROP
"""

_INSERT_INTO = """
INSERT INTO event (municipality_code, kind, category, source, source_id, content_hash,
                   occurred_at, reported_at, severity, geom, h3_r8, h3_r9, h3_r10,
                   geocode_method, geocode_score, source_crs, place_id, description,
                   attributes, batch_id, created_by)
SELECT CAST(:mc AS varchar), s.kind, s.category, s.source, s.source_id, s.content_hash,
       s.occurred_at,
       s.reported_at, s.severity, s.geom, s.h3_r8, s.h3_r9, s.h3_r10, s.geocode_method,
       s.geocode_score, s.source_crs,
       CASE WHEN s.place_id IS NULL THEN
         (SELECT p.id FROM place p
           WHERE p.municipality_code = CAST(:mc AS varchar) AND ST_Intersects(p.geom, s.geom)
           ORDER BY ST_Area(p.geom), p.id LIMIT 1)
       ELSE nullif(s.place_id, 0) END,
       s.description, coalesce(s.attributes, '{}'::jsonb), s.batch_id, s.created_by
"""

_GEOM = """CASE WHEN s.x IS NULL THEN NULL
            ELSE ST_SetSRID(ST_MakePoint(s.x, s.y), 3006)::geometry(Point, 3006) END AS geom"""

_UPSERT = f"""
WITH staged AS (
  SELECT DISTINCT ON (source, source_id) s.*, {_GEOM}
  FROM event_stage s ORDER BY source, source_id
), upserted AS (
  {_INSERT_INTO}
  FROM staged s
  ON CONFLICT (municipality_code, source, source_id) DO UPDATE SET
    kind = excluded.kind, category = excluded.category, content_hash = excluded.content_hash,
    occurred_at = excluded.occurred_at, reported_at = excluded.reported_at,
    severity = excluded.severity, geom = excluded.geom, h3_r8 = excluded.h3_r8,
    h3_r9 = excluded.h3_r9, h3_r10 = excluded.h3_r10, geocode_method = excluded.geocode_method,
    geocode_score = excluded.geocode_score, source_crs = excluded.source_crs,
    place_id = excluded.place_id,
    description = excluded.description, attributes = excluded.attributes,
    batch_id = excluded.batch_id, updated_at = now()
  WHERE event.content_hash IS DISTINCT FROM excluded.content_hash
  RETURNING (event.created_at = now()) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
"""
"""Insert new events and update changed ones; safe against concurrent imports. A row is new
when it was created by this transaction (partitioned tables have no xmax to ask)."""


@dataclass
class UpsertCounts:
    stored: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "UpsertCounts") -> "UpsertCounts":
        self.stored += other.stored
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def upsert_events(conn: Connection, municipality_code: str, frame: pd.DataFrame) -> UpsertCounts:
    """COPY the frame into a staging table and upsert it into event; returns what changed."""
    if frame.empty:
        return UpsertCounts()
    conn.execute(text(_STAGE_DDL))
    conn.execute(text("TRUNCATE event_stage"))
    conn.execute(text("SET LOCAL work_mem = '128MB'"))  # the DISTINCT ON sort stays in memory
    conn.execute(text("SET LOCAL jit = off"))  # compiling the upsert costs ~1 s, saves nothing
    copy_frame(conn, "event_stage", frame.reindex(columns=EVENT_COLUMNS))
    stored, updated = conn.execute(text(_UPSERT), {"mc": municipality_code}).one()
    distinct = frame.drop_duplicates(["source", "source_id"]).shape[0]
    ensure_h3_cells(
        conn, [frame[c].dropna().to_numpy(np.int64) for c in ("h3_r8", "h3_r9", "h3_r10")]
    )
    return UpsertCounts(stored=stored, updated=updated, unchanged=distinct - stored - updated)
