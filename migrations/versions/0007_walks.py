"""Safety walks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 08:00:00

- `walk`: a trivselvandring / trygghetsvandring with its name, date, the participating
  organisations and an optional route (LineString, SWEREF 99 TM). Its findings are events of
  kind `walk_finding` whose `attributes->>'walk_id'` names the walk.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "walk",
        sa.Column("municipality_code", sa.String(4), nullable=False),
        sa.Column("id", sa.Integer(), sa.Identity(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("walk_date", sa.Date(), nullable=False),
        sa.Column(
            "organisations",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "route",
            Geometry("LINESTRING", srid=3006, spatial_index=False),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
    )


def downgrade() -> None:
    op.drop_table("walk")
