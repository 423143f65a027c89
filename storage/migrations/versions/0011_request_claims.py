"""request claims: each request from Slack is handled once

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_claims",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("workspace", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("claimed_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_request_claims")),
    )
    op.create_index("ix_request_claims_claimed_at", "request_claims", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_request_claims_claimed_at", table_name="request_claims")
    op.drop_table("request_claims")
