"""supporting themes, cause-and-effect link lags and decisions, digest filters

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_themes_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("scorecard_id", "key", name=op.f("uq_themes_scorecard_id_key")),
    )
    with op.batch_alter_table("themes") as batch_op:
        batch_op.create_index(batch_op.f("ix_themes_scorecard_id"), ["scorecard_id"], unique=False)
    with op.batch_alter_table("actions") as batch_op:
        batch_op.add_column(sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("objective_links") as batch_op:
        batch_op.add_column(sa.Column("lag_weeks", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("decision_note", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    with op.batch_alter_table("digest_subscriptions") as batch_op:
        batch_op.add_column(
            sa.Column("filter_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("filter_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("digest_subscriptions") as batch_op:
        batch_op.drop_column("filter_key")
        batch_op.drop_column("filter_kind")
    with op.batch_alter_table("objective_links") as batch_op:
        for column in ("decision_note", "decided_on", "decided_by", "decision", "lag_weeks"):
            batch_op.drop_column(column)
    with op.batch_alter_table("actions") as batch_op:
        batch_op.drop_column("theme")
    with op.batch_alter_table("themes") as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_scorecard_id"))
    op.drop_table("themes")
