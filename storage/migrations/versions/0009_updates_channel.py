"""updates channel per scorecard and per objective

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("scorecards", "objectives"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "updates_channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
                )
            )


def downgrade() -> None:
    for table in ("objectives", "scorecards"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("updates_channel")
