"""event partitioned by municipality; secondary indexes without the tenant column; a
source's events are deleted with it

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:50:00

Each municipality's events live in their own partition `event_<kommunkod>`, created by a
trigger when the municipality is. Inside a partition every row has the same
`municipality_code`, so the secondary indexes leave it out (half the cost to build and
maintain); h3_r8 and h3_r9 lose their indexes (tiles find events through the GiST index, and
ix_event_r10 serves any coarser cell as a range), and a municipality's first large import can be loaded, indexed and validated as a
separate table and attached in one step (geo_service/ingest/bulk.py). The identity index
leads with `source_id`: it is the selective column, and its build is twice as fast.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTITION_FUNCTIONS = """
CREATE FUNCTION event_partition_create(code varchar) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF event FOR VALUES IN (%L)',
                 'event_' || code, code);
END $$;

CREATE FUNCTION municipality_event_partition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM event_partition_create(NEW.municipality_code);
  RETURN NULL;
END $$;

CREATE TRIGGER event_partition AFTER INSERT ON municipality
FOR EACH ROW EXECUTE FUNCTION municipality_event_partition();
"""

NEW_INDEXES = """
ALTER TABLE event ADD CONSTRAINT event_pkey PRIMARY KEY (municipality_code, id);
ALTER TABLE event ADD CONSTRAINT uq_event_identity UNIQUE (source_id, source, municipality_code);
CREATE INDEX ix_event_geom ON event USING gist (geom);
CREATE INDEX ix_event_time ON event (occurred_at);
CREATE INDEX ix_event_r10 ON event (h3_r10);
CREATE INDEX ix_event_place ON event (place_id);
"""

NEW_KEYS = """
ALTER TABLE event ADD CONSTRAINT event_municipality_code_source_fkey FOREIGN KEY
  (municipality_code, source) REFERENCES source (municipality_code, code) ON DELETE CASCADE;
ALTER TABLE event ADD CONSTRAINT event_municipality_code_category_fkey FOREIGN KEY
  (municipality_code, category) REFERENCES taxonomy (municipality_code, code);
ALTER TABLE event ADD CONSTRAINT event_municipality_code_place_id_fkey FOREIGN KEY
  (municipality_code, place_id) REFERENCES place (municipality_code, id) ON DELETE SET NULL;
ALTER TABLE event ADD CONSTRAINT event_municipality_code_batch_id_fkey FOREIGN KEY
  (municipality_code, batch_id) REFERENCES ingest_batch (municipality_code, id)
  ON DELETE SET NULL;
"""
"""A source's events go with it, and so with the municipality (whose sources cascade): the
key straight to municipality is no longer needed, and each key costs every import a check."""

OLD_KEYS = (
    NEW_KEYS.replace(" ON DELETE CASCADE;", ";")
    + """
ALTER TABLE event ADD CONSTRAINT event_municipality_code_fkey FOREIGN KEY (municipality_code)
  REFERENCES municipality (municipality_code) ON DELETE CASCADE;
"""
)

OLD_INDEXES = """
ALTER TABLE event ADD CONSTRAINT event_pkey PRIMARY KEY (municipality_code, id);
ALTER TABLE event ADD CONSTRAINT uq_event_identity UNIQUE (municipality_code, source, source_id);
CREATE INDEX ix_event_geom ON event USING gist (geom);
CREATE INDEX ix_event_time ON event (municipality_code, occurred_at);
CREATE INDEX ix_event_r8 ON event (municipality_code, h3_r8);
CREATE INDEX ix_event_r9 ON event (municipality_code, h3_r9);
CREATE INDEX ix_event_r10 ON event (municipality_code, h3_r10);
CREATE INDEX ix_event_place ON event (municipality_code, place_id);
"""

INDEX_NAMES = (
    "ix_event_geom",
    "ix_event_time",
    "ix_event_r8",
    "ix_event_r9",
    "ix_event_r10",
    "ix_event_place",
)


def _rebuild(partitioned: bool, indexes: str, keys: str) -> None:
    """Move event's rows into a new event table of the other layout, keeping ids and views."""
    conn = op.get_bind()
    views = conn.exec_driver_sql(
        "SELECT DISTINCT v.oid::regclass::text, pg_get_viewdef(v.oid) FROM pg_depend d "
        "JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class "
        "WHERE d.refobjid = 'event'::regclass AND v.oid <> 'event'::regclass"
    ).all()
    grants = conn.exec_driver_sql(
        "SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants "
        "WHERE table_schema = 'public' AND table_name = ANY(%(t)s) "
        "AND grantee <> current_user",
        {"t": ["event", *(v for v, _ in views)]},
    ).all()
    for view, _ in views:
        op.execute(f"DROP VIEW {view}")
    op.execute("ALTER TABLE event RENAME TO event_previous")
    op.execute("ALTER INDEX event_pkey RENAME TO event_previous_pkey")
    op.execute("ALTER INDEX uq_event_identity RENAME TO uq_event_previous_identity")
    op.execute(f"DROP INDEX IF EXISTS {', '.join(INDEX_NAMES)}")
    op.execute("ALTER SEQUENCE event_id_seq RENAME TO event_previous_id_seq")
    layout = " PARTITION BY LIST (municipality_code)" if partitioned else ""
    op.execute(
        "CREATE TABLE event (LIKE event_previous INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY INCLUDING STORAGE){layout}"
    )
    op.execute(indexes)
    op.execute(keys)
    if partitioned:
        op.execute(PARTITION_FUNCTIONS)
        op.execute("SELECT event_partition_create(municipality_code) FROM municipality")
    else:
        op.execute("DROP TRIGGER event_partition ON municipality")
        op.execute("DROP FUNCTION municipality_event_partition()")
        op.execute("DROP FUNCTION event_partition_create(varchar)")
    op.execute("INSERT INTO event SELECT * FROM event_previous")
    op.execute(
        "SELECT setval(pg_get_serial_sequence('event', 'id'), "
        "coalesce((SELECT max(id) FROM event_previous), 0) + 1, false)"
    )
    op.execute("DROP TABLE event_previous")
    for view, definition in views:
        op.execute(f"CREATE VIEW {view} AS {definition}")
    for table, grantee, privilege in grants:
        op.execute(f'GRANT {privilege} ON {table} TO "{grantee}"')
    op.execute("ANALYZE event")


def upgrade() -> None:
    _rebuild(partitioned=True, indexes=NEW_INDEXES, keys=NEW_KEYS)


def downgrade() -> None:
    _rebuild(
        partitioned=False, indexes=OLD_INDEXES, keys=OLD_KEYS
    )  # the partitions go with the old table
