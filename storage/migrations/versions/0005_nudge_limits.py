"""nudge limits per scorecard

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scorecards") as batch_op:
        batch_op.add_column(
            sa.Column("nudge_interval_days", sa.Integer(), nullable=False, server_default="7")
        )
        batch_op.add_column(
            sa.Column("nudges_per_week", sa.Integer(), nullable=False, server_default="3")
        )


def downgrade() -> None:
    with op.batch_alter_table("scorecards") as batch_op:
        batch_op.drop_column("nudges_per_week")
        batch_op.drop_column("nudge_interval_days")
