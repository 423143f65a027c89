"""Every table Scorecard stores, in one place.

Rows always belong to one scorecard, and a scorecard to one Slack workspace: every query goes
through a scorecard id, so one workspace never sees another's data. Items that disappear from a
re-imported scorecard file are archived, not deleted, so their readings and history survive.
"""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utc_now

# Stable constraint names keep Alembic's batch migrations on SQLite predictable.
SQLModel.metadata.naming_convention = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
).naming_convention


def _moment(**kwargs: object) -> Column:
    return Column(UTCDateTime(), **kwargs)


def _parent(table: str, *, nullable: bool = False, on_delete: str = "CASCADE") -> Column:
    return Column(
        Integer, ForeignKey(f"{table}.id", ondelete=on_delete), nullable=nullable, index=True
    )


class Scorecard(SQLModel, table=True):
    __tablename__ = "scorecards"

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(max_length=32, unique=True, index=True)
    name: str
    mission: str = ""
    timezone: str = "UTC"
    at_risk_tolerance: float = 0.10
    stall_after_days: int = 14
    created_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))


class Perspective(SQLModel, table=True):
    __tablename__ = "perspectives"
    __table_args__ = (UniqueConstraint("scorecard_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    key: str
    name: str
    position: int = 0


class Objective(SQLModel, table=True):
    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("scorecard_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    perspective_id: int = Field(sa_column=_parent("perspectives"))
    key: str
    title: str
    owner: str | None = None
    description: str = ""
    theme: str | None = None
    weight: float = 1.0
    position: int = 0
    archived: bool = False


class ObjectiveLink(SQLModel, table=True):
    """Cause and effect: `objective_id` supports (contributes to) `supports_id`."""

    __tablename__ = "objective_links"

    objective_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True
        )
    )
    supports_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class Kpi(SQLModel, table=True):
    __tablename__ = "kpis"
    __table_args__ = (UniqueConstraint("scorecard_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    objective_id: int | None = Field(
        default=None, sa_column=_parent("objectives", nullable=True, on_delete="SET NULL")
    )
    key: str
    name: str
    unit: str = ""
    baseline: float = 0.0
    target: float = 0.0
    direction: str = "up"
    frequency: str = "weekly"
    owner: str | None = None
    target_date: date | None = None
    baseline_date: date | None = None
    kind: str | None = None
    weight: float = 1.0
    position: int = 0
    archived: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))


class Reading(SQLModel, table=True):
    """One KPI value for one day. Readings are never overwritten: the latest logged wins."""

    __tablename__ = "readings"
    __table_args__ = (
        Index("ix_readings_kpi_period", "kpi_id", "period", "id"),
        Index("ix_readings_logged_by", "scorecard_id", "logged_by", "logged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scorecards.id", ondelete="CASCADE"), nullable=False)
    )
    kpi_id: int = Field(
        sa_column=Column(Integer, ForeignKey("kpis.id", ondelete="CASCADE"), nullable=False)
    )
    period: date
    value: float
    logged_by: str
    logged_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))
    note: str | None = None


class Action(SQLModel, table=True):
    """An initiative with an owner. `objective_id` is empty for work that serves no objective."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "key"),
        Index("ix_actions_scorecard_status", "scorecard_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scorecards.id", ondelete="CASCADE"), nullable=False)
    )
    objective_id: int | None = Field(
        default=None, sa_column=_parent("objectives", nullable=True, on_delete="SET NULL")
    )
    key: str
    title: str
    owner: str | None = None
    due: date | None = None
    status: str = "active"
    stall_after_days: int | None = None
    position: int = 0
    archived: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))
    last_update_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))


class ActionUpdate(SQLModel, table=True):
    """A line in an action's history: a progress note, or a change of status."""

    __tablename__ = "action_updates"
    __table_args__ = (Index("ix_action_updates_action", "action_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(
        sa_column=Column(Integer, ForeignKey("actions.id", ondelete="CASCADE"), nullable=False)
    )
    author: str | None = None
    kind: str = "update"
    text: str = ""
    created_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))
