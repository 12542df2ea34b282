"""What a meeting's priorities and lägesbild depend on, as one short string: a cached answer is
reused only while it is unchanged (a new run, snapshot, measure, place, setting, import or
event gives a new fingerprint)."""

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
  (SELECT md5(t::text) FROM municipality t WHERE t.municipality_code = :mc),
  (SELECT max(id) FROM ingest_batch WHERE municipality_code = :mc),
  (SELECT max(id) FROM event WHERE municipality_code = :mc),
  (SELECT n_tup_upd + n_tup_del FROM pg_stat_user_tables
    WHERE relid = to_regclass('event_' || :mc))
))
""")
"""Runs, snapshots, measures, places and the municipality's settings (small tables, read whole),
the newest import and event (by primary key), and the partition's count of updated and deleted
rows as the statistics collector has it (changed events show within its flush delay)."""


def meeting_fingerprint(session: Session, mc: str, meeting: date) -> str:
    """A digest of the data the meeting's priorities and lägesbild are built from."""
    return session.execute(FINGERPRINT, {"mc": mc, "meeting": meeting}).scalar_one()
