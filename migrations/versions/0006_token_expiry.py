"""Tokens expire

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:00:00

- `api_token.expires_at`: after it the token is refused (401 `token_expired`). New tokens get a
  year unless `token create --days N` says otherwise. Tokens that exist when this runs keep a
  year from their creation, and at least 90 days from now, so that an upgrade locks nobody out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "api_token",
        sa.Column(
            "expires_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now() + interval '365 days'"),
            nullable=False,
        ),
    )
    op.execute(
        "UPDATE api_token SET expires_at = "
        "greatest(created_at + interval '365 days', now() + interval '90 days')"
    )


def downgrade() -> None:
    op.drop_column("api_token", "expires_at")
