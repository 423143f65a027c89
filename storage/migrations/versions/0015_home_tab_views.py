"""home tab views: who opened the Home tab when, so changes redraw it only for those looking

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_tab_views",
        sa.Column("workspace", sa.String(length=32), nullable=False),
        sa.Column("user", sa.String(length=32), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "user", name=op.f("pk_home_tab_views")),
    )


def downgrade() -> None:
    op.drop_table("home_tab_views")
