"""Every table Scorecard stores, in one place.

Rows always belong to one scorecard, and a scorecard to one Slack workspace: every query goes
through a scorecard id, so one workspace never sees another's data. Items that disappear from a
re-imported scorecard file are archived, not deleted, so their readings and history survive.
"""

from datetime import date, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    UniqueConstraint,
    text,
)
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
    nudge_interval_days: int = 7
    nudges_per_week: int = 3
    number_format: str | None = None  # "1,234.5", "1.234,5" or "1 234,5"; None: from the timezone
    readings_by: str = "anyone"  # who may log readings: "anyone", or "owners" (and admins)
    # Where readings that change a KPI's status and actions done or stopped are posted (C0123).
    updates_channel: str | None = Field(default=None, max_length=32)
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
    __table_args__ = (
        UniqueConstraint("scorecard_id", "key"),
        Index("ix_objectives_scorecard_title", "scorecard_id", text("lower(title)")),
    )

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    perspective_id: int = Field(sa_column=_parent("perspectives"))
    key: str
    title: str
    owner: str | None = None
    description: str = ""
    theme: str | None = None  # a Theme's key
    weight: float = 1.0
    position: int = 0
    archived: bool = False
    # This objective's news goes here instead of the scorecard's updates channel.
    updates_channel: str | None = Field(default=None, max_length=32)


class Theme(SQLModel, table=True):
    """A supporting theme (a strategic theme, in Kaplan and Norton's words): a strand of the
    strategy that objectives and actions may name by `key`, and digests may be filtered by."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("scorecard_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    key: str
    name: str
    description: str = ""
    position: int = 0
    archived: bool = False


class ObjectiveLink(SQLModel, table=True):
    """Cause and effect: `objective_id` supports (contributes to) `supports_id`.

    `lag_weeks`: how long the effect is expected to take (None: no lag given). `decision` is the
    latest review's keep, revise or retire, with who, the day and why.
    """

    __tablename__ = "objective_links"

    objective_id: int = Field(
        sa_column=Column(Integer, ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True)
    )
    supports_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    lag_weeks: int | None = None
    decision: str | None = None
    decided_by: str | None = None
    decided_on: date | None = None
    decision_note: str | None = None


class Kpi(SQLModel, table=True):
    __tablename__ = "kpis"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "key"),
        Index("ix_kpis_scorecard_name", "scorecard_id", text("lower(name)")),
    )

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
    # direction "band": stay between these two values.
    band_low: float | None = None
    band_high: float | None = None
    # Stepped targets, in date order: [{"until": "2027-03-31", "value": 12000.0}, ...]; `target`
    # and `target_date` then hold the last step.
    targets: list[dict] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


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
        Index("ix_actions_scorecard_title", "scorecard_id", text("lower(title)")),
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
    theme: str | None = None  # a Theme's key
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


class DigestSubscription(SQLModel, table=True):
    """A channel that gets the scorecard's digest on a schedule (canonical schedule text).

    `filter_kind` ("perspective", "objective" or "theme") and `filter_key`: the channel gets only
    that part of the scorecard; None: all of it.
    """

    __tablename__ = "digest_subscriptions"
    __table_args__ = (UniqueConstraint("scorecard_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    channel: str = Field(max_length=32)
    schedule: str
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))
    paused: bool = False
    paused_reason: str | None = None
    last_error: str | None = None
    filter_kind: str | None = Field(default=None, max_length=16)
    filter_key: str | None = None


class DigestRun(SQLModel, table=True):
    """One scheduled digest for one channel and period: the unique key is the exactly-once claim.

    A clock inserts the row before it posts; a second clock (or a rerun after a crash) finds the
    row and does not post again. `status` is claimed, posted, failed, skipped or unconfirmed.
    """

    __tablename__ = "digest_runs"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "channel", "period_key"),
        Index("ix_digest_runs_latest", "scorecard_id", "channel", "claimed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scorecards.id", ondelete="CASCADE"), nullable=False)
    )
    channel: str = Field(max_length=32)
    period_key: str = Field(max_length=40)
    scheduled_for: datetime = Field(sa_column=_moment(nullable=False))
    claimed_by: str
    claimed_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))
    posted_at: datetime | None = Field(default=None, sa_column=_moment(nullable=True))
    message_ts: str | None = None
    late: bool = False
    status: str = "claimed"
    attempts: int = 1
    error: str | None = None


class Nudge(SQLModel, table=True):
    """One item named in one nudge message to its owner.

    The row is written before the message is sent: the unique key on (item, period) is the
    exactly-once claim, so two clocks can never both nudge the same item in the same period.
    `period` numbers the item's nudge interval (days since 1970-01-01 // interval days); two
    moments in one period are less than an interval apart, so a legitimate nudge never collides.
    A message is the set of rows sharing `sweep_id` and `recipient`.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "item_kind", "item_id", "period"),
        Index("ix_nudges_recipient", "scorecard_id", "recipient", "sent_at"),
        Index("ix_nudges_message", "channel", "message_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scorecards.id", ondelete="CASCADE"), nullable=False)
    )
    recipient: str = Field(max_length=32)
    item_kind: str = Field(max_length=16)  # "action" or "kpi"
    item_id: int
    period: int
    sweep_id: str = Field(max_length=40)
    sent_at: datetime = Field(sa_column=_moment(nullable=False))  # when it was claimed
    channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)  # None: claimed, not yet sent
    responded_at: datetime | None = Field(default=None, sa_column=_moment(nullable=True))
    response: str | None = None  # what the owner did: update, done, snoozed, reassigned, reading


class Snooze(SQLModel, table=True):
    """Snooze a week: no nudges about this item until `until`."""

    __tablename__ = "snoozes"
    __table_args__ = (Index("ix_snoozes_item", "scorecard_id", "item_kind", "item_id", "until"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scorecards.id", ondelete="CASCADE"), nullable=False)
    )
    item_kind: str = Field(max_length=16)
    item_id: int
    until: datetime = Field(sa_column=_moment(nullable=False))
    by: str
    created_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))


class ScorecardAdmin(SQLModel, table=True):
    """Someone who may change the scorecard's structure besides the workspace's admins and owners
    (`/kpi admins add @someone`)."""

    __tablename__ = "scorecard_admins"

    scorecard_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True)
    )
    user: str = Field(max_length=32, primary_key=True)
    added_by: str = Field(max_length=32)
    added_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))


class ReviewSchedule(SQLModel, table=True):
    """A channel that holds a strategy review on a schedule (canonical schedule text)."""

    __tablename__ = "review_schedules"
    __table_args__ = (UniqueConstraint("scorecard_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    channel: str = Field(max_length=32)
    schedule: str
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_column=_moment(nullable=False))


class Review(SQLModel, table=True):
    """One strategy review meeting in one channel: opened, walked in a thread, closed with minutes.

    `period_key` is the exactly-once claim of a scheduled review (as for digests); a review opened
    by hand has a "manual:" key. `minutes` is the Markdown posted when it closed.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "channel", "period_key"),
        Index("ix_reviews_channel_open", "scorecard_id", "channel", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    channel: str = Field(max_length=32)
    period_key: str = Field(max_length=48)
    opened_by: str | None = None  # None: opened by the schedule
    opened_at: datetime = Field(sa_column=_moment(nullable=False))
    thread_ts: str | None = Field(default=None, max_length=32)  # the parent message
    closed_by: str | None = None
    closed_at: datetime | None = Field(default=None, sa_column=_moment(nullable=True))
    minutes: str | None = None
    canvas_id: str | None = Field(default=None, max_length=32)


class ReviewCommentary(SQLModel, table=True):
    """An owner's one-line commentary (the "analysis") on an objective in a review."""

    __tablename__ = "review_commentaries"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_parent("reviews"))
    objective_id: int | None = Field(
        default=None, sa_column=_parent("objectives", nullable=True, on_delete="SET NULL")
    )
    author: str = Field(max_length=32)
    text: str
    created_at: datetime = Field(sa_column=_moment(nullable=False))


class Decision(SQLModel, table=True):
    """A decision taken in a review, or by a KPI's owner answering a forecast's question.

    `kind`: new_action, change_target, accept_miss, keep_link, revise_link or retire_link.
    A link decision names the link by objective keys (`link_from` supports `link_to`).
    `forecast_value` is the projection the decision answered (forecast questions only): the
    question stays quiet until the projection moves materially away from it.
    `settled_at` is empty while the decision still asks for follow-up (an open decision).
    """

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_kpi", "scorecard_id", "kpi_id", "decided_at"),)

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(sa_column=_parent("scorecards"))
    review_id: int | None = Field(default=None, sa_column=_parent("reviews", nullable=True))
    kind: str = Field(max_length=16)
    objective_id: int | None = Field(
        default=None, sa_column=_parent("objectives", nullable=True, on_delete="SET NULL")
    )
    kpi_id: int | None = Field(
        default=None, sa_column=_parent("kpis", nullable=True, on_delete="SET NULL")
    )
    action_id: int | None = Field(
        default=None, sa_column=_parent("actions", nullable=True, on_delete="SET NULL")
    )
    link_from: str | None = None
    link_to: str | None = None
    target: float | None = None
    target_date: date | None = None
    reason: str = ""
    forecast_value: float | None = None
    decided_by: str = Field(max_length=32)
    decided_at: datetime = Field(sa_column=_moment(nullable=False))
    settled_at: datetime | None = Field(default=None, sa_column=_moment(nullable=True))


class WorkspaceUninstall(SQLModel, table=True):
    """A workspace that removed the app: its scorecard is kept until the retention period ends.

    No row: installed (or never seen). A reinstall removes the row, so the scorecard stays.
    """

    __tablename__ = "workspace_uninstalls"

    workspace: str = Field(max_length=32, primary_key=True)
    uninstalled_at: datetime = Field(sa_column=_moment(nullable=False))
    reason: str = Field(max_length=32)  # the Slack event: app_uninstalled or tokens_revoked


class Change(SQLModel, table=True):
    """One change to a scorecard's structure, field by field: the history of changes.

    Written by storage/audit.py whenever a write session flushes a structural row, whatever path
    made the change. `fields` is {"field": [before, after]} in JSON terms (dates as ISO text,
    objectives and perspectives by key); `before` is null for a new item, `after` for a removed one.
    """

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_item", "scorecard_id", "item_kind", "item_key", "changed_at"),
        Index("ix_changes_workspace", "workspace", "changed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scorecard_id: int = Field(
        sa_column=Column(Integer, ForeignKey("scorecards.id", ondelete="CASCADE"), nullable=False)
    )
    workspace: str = Field(max_length=32)
    changed_at: datetime = Field(sa_column=_moment(nullable=False))
    actor: str | None = None  # Slack user id, "file import by the CLI", None: Scorecard itself
    # settings, perspective, objective, link, kpi, action or digest
    item_kind: str = Field(max_length=16)
    item_key: str
    change: str = Field(max_length=16)  # created, changed or removed
    fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# Slack's OAuth installations, bot tokens and install states: slack-sdk's own tables, defined by
# its SQLAlchemy stores, created by our migrations (0011) and read and written by those stores.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    SQLModel.metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(
    SQLModel.metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    SQLModel.metadata, SQLAlchemyOAuthStateStore.default_table_name
)


class HomeTabView(SQLModel, table=True):
    """When a person last opened Scorecard's Home tab (`app_home_opened`), per workspace.

    A change redraws the person's Home tab only while they may be looking at it: Slack draws
    it anew through `app_home_opened` each time it is opened, so a redraw for someone who is not
    looking is work for nobody (handlers/home.py).
    """

    __tablename__ = "home_tab_views"

    workspace: str = Field(max_length=32, primary_key=True)
    user: str = Field(max_length=32, primary_key=True)
    opened_at: datetime = Field(sa_column=_moment(nullable=False))


class RequestClaim(SQLModel, table=True):
    """A request from Slack that is being or has been handled: its key is claimed exactly once.

    `key` is the request's own id (a slash command's trigger_id, a modal's view id, a click's
    trigger_id, an event's event_id) with its kind, e.g. "command:1234.5678.abcd". A replayed or
    retried request finds its key taken and changes nothing. Old claims are dropped after a day:
    Slack refuses signatures older than five minutes and stops retrying events within the hour.
    """

    __tablename__ = "request_claims"
    __table_args__ = (Index("ix_request_claims_claimed_at", "claimed_at"),)

    key: str = Field(primary_key=True, max_length=255)
    workspace: str = Field(max_length=32)
    claimed_at: datetime = Field(sa_column=_moment(nullable=False))
