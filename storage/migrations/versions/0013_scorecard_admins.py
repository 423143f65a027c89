"""scorecard admins, and who may log readings

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scorecards") as batch_op:
        batch_op.add_column(
            sa.Column("readings_by", sa.String(), nullable=False, server_default="anyone")
        )
    op.create_table(
        "scorecard_admins",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_scorecard_admins_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scorecard_id", "user", name=op.f("pk_scorecard_admins")),
    )


def downgrade() -> None:
    op.drop_table("scorecard_admins")
    with op.batch_alter_table("scorecards") as batch_op:
        batch_op.drop_column("readings_by")
