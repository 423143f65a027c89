"""indexes on lower-cased names, for looking items up by what people type

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, name column): /why finds "Weekly live Q&A" by lower(title) without a scan.
NAME_INDEXES = (
    ("ix_actions_scorecard_title", "actions", "title"),
    ("ix_kpis_scorecard_name", "kpis", "name"),
    ("ix_objectives_scorecard_title", "objectives", "title"),
)


def upgrade() -> None:
    for index, table, column in NAME_INDEXES:
        op.create_index(index, table, ["scorecard_id", sa.text(f"lower({column})")])


def downgrade() -> None:
    for index, table, _ in NAME_INDEXES:
        op.drop_index(index, table_name=table)
