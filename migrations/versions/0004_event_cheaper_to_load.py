"""event cheaper to load: source ids compared byte by byte, the primary key led by id, the
place index only over events in a place, no cell index, the source CRS in its own column

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:00:00

Every import builds or maintains these indexes and writes these rows, so:
- `source_id` uses the "C" collation: a source's own identifier ("5000-K123456") has no
  language, equality is the same in every deterministic collation, and a locale's string
  comparison (sv_SE, or even C.UTF-8) costs the identity index 40 % of its build;
- the primary key is (id, municipality_code): still what the partitioning requires, but the
  first column decides every comparison, and a lookup by id alone can use it;
- `ix_event_place` covers only events inside a place (most events are not), which is all the
  place queries and `ON DELETE SET NULL` from place ever look up;
- `ix_event_r10` goes: no query looks events up by cell (the cube and the cell counts read a
  municipality's whole partition, tiles find events through the GiST index);
- the EPSG code the coordinates were read in moves from `attributes->'crs'` to `source_crs`
  (smallint): every event has one, and parsing it as JSON cost the server a quarter of
  its COPY time. `attributes` keeps what is rare (a polygon's point on the surface).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('ALTER TABLE event ALTER COLUMN source_id TYPE text COLLATE "C"')
    op.execute(
        "ALTER TABLE event DROP CONSTRAINT event_pkey, "
        "ADD CONSTRAINT event_pkey PRIMARY KEY (id, municipality_code)"
    )
    op.execute("DROP INDEX ix_event_place")
    op.execute("CREATE INDEX ix_event_place ON event (place_id) WHERE place_id IS NOT NULL")
    op.execute("DROP INDEX ix_event_r10")
    op.execute("ALTER TABLE event ADD COLUMN source_crs smallint")
    op.execute(
        "UPDATE event SET source_crs = (attributes->>'crs')::smallint, "
        "attributes = attributes - 'crs' WHERE attributes ? 'crs'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE event SET attributes = attributes || jsonb_build_object('crs', source_crs) "
        "WHERE source_crs IS NOT NULL"
    )
    op.execute("ALTER TABLE event DROP COLUMN source_crs")
    op.execute("CREATE INDEX ix_event_r10 ON event (h3_r10)")
    op.execute("DROP INDEX ix_event_place")
    op.execute("CREATE INDEX ix_event_place ON event (place_id)")
    op.execute(
        "ALTER TABLE event DROP CONSTRAINT event_pkey, "
        "ADD CONSTRAINT event_pkey PRIMARY KEY (municipality_code, id)"
    )
    op.execute('ALTER TABLE event ALTER COLUMN source_id TYPE text COLLATE "default"')
