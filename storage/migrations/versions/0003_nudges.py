"""nudges to owners and snoozes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 11:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("item_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("sweep_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("responded_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("response", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_nudges_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint(
            "scorecard_id",
            "item_kind",
            "item_id",
            "period",
            name=op.f("uq_nudges_scorecard_id_item_kind_item_id_period"),
        ),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_nudges_recipient", ["scorecard_id", "recipient", "sent_at"], unique=False
        )
        batch_op.create_index("ix_nudges_message", ["channel", "message_ts"], unique=False)

    op.create_table(
        "snoozes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("until", storage.types.UTCDateTime(), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_snoozes_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snoozes")),
    )
    with op.batch_alter_table("snoozes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_snoozes_item", ["scorecard_id", "item_kind", "item_id", "until"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("snoozes", schema=None) as batch_op:
        batch_op.drop_index("ix_snoozes_item")

    op.drop_table("snoozes")
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index("ix_nudges_message")
        batch_op.drop_index("ix_nudges_recipient")

    op.drop_table("nudges")
