"""number format per scorecard

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scorecards") as batch_op:
        batch_op.add_column(sa.Column("number_format", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scorecards") as batch_op:
        batch_op.drop_column("number_format")
