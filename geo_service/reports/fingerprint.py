"""What a meeting's lägesbild depends on, as one short string: a cached rendering is reused only
while it is unchanged (a new run, snapshot, measure, place or setting gives a new fingerprint)."""

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

FINGERPRINT = text("""
SELECT md5(concat_ws('|',
  (SELECT max(id) FROM analysis_run WHERE municipality_code = :mc AND status = 'completed'),
  (SELECT id FROM meeting_snapshot WHERE municipality_code = :mc AND meeting_date = :meeting),
  (SELECT max(id) FROM meeting_snapshot WHERE municipality_code = :mc),
  (SELECT md5(string_agg(m::text, ',' ORDER BY m.id)) FROM measure m
    WHERE m.municipality_code = :mc),
  (SELECT md5(string_agg(p::text, ',' ORDER BY p.id)) FROM place p
    WHERE p.municipality_code = :mc),
  (SELECT md5(t::text) FROM municipality t WHERE t.municipality_code = :mc)
))
""")
"""Runs, snapshots, measures, places and the municipality's settings: small tables, one pass."""


def meeting_report_fingerprint(session: Session, mc: str, meeting: date) -> str:
    """A digest of the data the meeting's lägesbild is built from."""
    return session.execute(FINGERPRINT, {"mc": mc, "meeting": meeting}).scalar_one()
