"""KPI shapes: a band's two ends, and stepped targets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kpis") as batch_op:
        batch_op.add_column(sa.Column("band_low", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("band_high", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("targets", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kpis") as batch_op:
        batch_op.drop_column("targets")
        batch_op.drop_column("band_high")
        batch_op.drop_column("band_low")
