"""What a scorecard file holds, as plain data: read from YAML, written to the database, and back.

Field order is the file's key order, so an export reads like the file a team wrote.
"""

from dataclasses import dataclass, field
from datetime import date

from scorecard.schedules import DEFAULT_SCHEDULE_TEXT
from scorecard.vocabulary import (
    ACTIVE,
    DEFAULT_AT_RISK_TOLERANCE,
    DEFAULT_NUDGE_INTERVAL_DAYS,
    DEFAULT_NUDGES_PER_WEEK,
    DEFAULT_PERSPECTIVES,
    DEFAULT_STALL_AFTER_DAYS,
    DEFAULT_TIMEZONE,
    UP,
)

DEFAULT_FREQUENCY = "weekly"
DEFAULT_WEIGHT = 1.0


@dataclass(frozen=True)
class SettingsSpec:
    at_risk_tolerance: float = DEFAULT_AT_RISK_TOLERANCE
    stall_after_days: int = DEFAULT_STALL_AFTER_DAYS
    nudge_interval_days: int = DEFAULT_NUDGE_INTERVAL_DAYS
    nudges_per_week: int = DEFAULT_NUDGES_PER_WEEK
    number_format: str | None = None  # "1,234.5", "1.234,5", "1 234,5"; None: from the timezone
    updates_channel: str | None = None  # C0123: status changes and finished actions, one line each


@dataclass(frozen=True)
class PerspectiveSpec:
    key: str
    name: str


@dataclass(frozen=True)
class ThemeSpec:
    """A supporting theme that objectives and actions may name by key."""

    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class LinkReviewSpec:
    """The latest review decision on a link: keep, revise or retire, by whom, on which day."""

    decision: str
    by: str | None = None
    day: date | None = None
    note: str = ""


@dataclass(frozen=True)
class LinkSpec:
    """One `supports` link: the supported objective's key, how many weeks the effect is expected
    to lag (None: not said, judged as no lag), and the latest review decision on it."""

    objective: str
    lag_weeks: int | None = None
    review: LinkReviewSpec | None = None


@dataclass(frozen=True)
class ObjectiveSpec:
    key: str
    title: str
    perspective: str
    owner: str | None = None
    supports: tuple[LinkSpec, ...] = ()
    weight: float = DEFAULT_WEIGHT
    theme: str | None = None
    description: str = ""
    updates_channel: str | None = None  # this objective's news goes here instead


@dataclass(frozen=True)
class TargetStep:
    """One of a KPI's stepped targets: `value` by `until`."""

    until: date
    value: float


@dataclass(frozen=True)
class KpiSpec:
    """`target` is left out by a band (`band` is its two ends), a binary KPI (its target is
    being done) and a KPI with stepped `targets` (which replace `target` and `target_date`)."""

    key: str
    name: str
    objective: str | None = None
    unit: str = ""
    baseline: float = 0.0
    target: float | None = None
    direction: str = UP
    frequency: str = DEFAULT_FREQUENCY
    owner: str | None = None
    target_date: date | None = None
    baseline_date: date | None = None
    band: tuple[float, float] | None = None
    targets: tuple[TargetStep, ...] = ()
    kind: str | None = None
    weight: float = DEFAULT_WEIGHT


@dataclass(frozen=True)
class ActionSpec:
    """`last_update` is the day of the latest progress update, which stall detection reads."""

    key: str
    title: str
    objective: str | None = None
    owner: str | None = None
    due: date | None = None
    status: str = ACTIVE
    stall_after_days: int | None = None
    last_update: date | None = None
    theme: str | None = None


@dataclass(frozen=True)
class DigestSpec:
    """A channel that gets the digest; `schedule` is stored in its canonical words."""

    channel: str
    schedule: str = DEFAULT_SCHEDULE_TEXT
    # At most one: the channel gets only this perspective, objective or theme.
    perspective: str | None = None
    objective: str | None = None
    theme: str | None = None


DEFAULT_PERSPECTIVE_SPECS = tuple(PerspectiveSpec(key, name) for key, name in DEFAULT_PERSPECTIVES)


@dataclass(frozen=True)
class ScorecardSpec:
    workspace: str
    name: str
    mission: str = ""
    timezone: str = DEFAULT_TIMEZONE
    settings: SettingsSpec = field(default_factory=SettingsSpec)
    perspectives: tuple[PerspectiveSpec, ...] = DEFAULT_PERSPECTIVE_SPECS
    themes: tuple[ThemeSpec, ...] = ()
    objectives: tuple[ObjectiveSpec, ...] = ()
    kpis: tuple[KpiSpec, ...] = ()
    actions: tuple[ActionSpec, ...] = ()
    digests: tuple[DigestSpec, ...] = ()
