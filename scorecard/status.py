"""Is a KPI, an objective, a perspective on track? Shape-aware and time-aware scoring.

A KPI has one of four shapes (its `direction`):
- `up` / `down`: higher / lower is better, from a baseline toward a target. With a target date
  (or stepped targets) it is compared with where a straight line from the baseline says it should
  be today. Without one, nothing says where it should be *today*, so it is judged by its pace: at
  the pace since the baseline, does it reach the target within its horizon (TREND_HORIZONS)?
- `band`: it should stay between two values (response time 1–2 h, a ratio of 40–60%).
- `binary`: done (1) or not done (0), by its target date if it has one.

Every score says which of these rules judged it (`basis`), so a reply can say how.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scorecard.vocabulary import (
    AT_RISK,
    BAND,
    BINARY,
    DOWN,
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    READING_INTERVALS,
)

# What each status is worth when objectives and perspectives roll their parts up by weight.
STATUS_POINTS = {ON_TRACK: 1.0, AT_RISK: 0.5, OFF_TRACK: 0.0}
# A rolled-up score from this high is on track, from the second at risk, below it off track.
ROLLUP_ON_TRACK_FROM = 0.8
ROLLUP_AT_RISK_FROM = 0.5

# A KPI without a target date is on track when its pace reaches the target within this long,
# at risk within twice this long, off track beyond (or when it is not moving toward it). About
# 26 readings of a weekly KPI, a year of a monthly one: long enough to be fair, short enough that
# "some day" does not count.
TREND_HORIZONS: dict[str, timedelta] = {
    "daily": timedelta(days=91),
    "weekly": timedelta(days=182),
    "monthly": timedelta(days=365),
    "quarterly": timedelta(days=730),
}
AT_RISK_HORIZONS = 2
# A binary KPI not yet done is at risk from this many reading intervals before its date.
BINARY_WARNING_INTERVALS = 1
# A binary reading at or above this counts as done.
DONE_FROM = 0.5

# How a status was judged (KpiScore.basis).
BY_LINE = "line"  # the straight line from baseline to the target by its date
BY_STEPS = "steps"  # the line through each stepped target in turn
BY_PACE = "pace"  # no target date: the pace since the baseline against the horizon
REACHED = "reached"  # no target date, and the target is already reached
BY_BAND = "band"
BY_DONE = "done"  # binary


@dataclass(frozen=True)
class Step:
    """One of a KPI's stepped targets: reach `value` by `until`."""

    until: date
    value: float


@dataclass(frozen=True)
class Goal:
    """What a KPI aims for: from `baseline` on `start` to `target` by `target_date` (if set).

    `steps`, when given, are the targets in date order; `target` and `target_date` are then the
    last step's. `band` is (low, high) for a band KPI.
    """

    baseline: float
    target: float
    direction: str
    start: date
    target_date: date | None = None
    frequency: str = "weekly"
    band: tuple[float, float] | None = None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class KpiScore:
    status: str
    expected: float  # where the KPI should be today (the target in force without a date)
    progress: float | None  # share of the way from baseline to target; None without a reading
    basis: str = BY_LINE  # which rule judged it: BY_LINE, BY_STEPS, BY_PACE, REACHED, ...
    days_to_target: float | None = None  # BY_PACE: days the pace needs; None when not moving
    horizon_days: int | None = None  # BY_PACE: the KPI's horizon
    step: Step | None = None  # BY_STEPS: the step in force today


def target_in_force(goal: Goal, today: date) -> Step | None:
    """The stepped target that applies on `today`: the first not yet passed, else the last."""
    if not goal.steps:
        return None
    return next((step for step in goal.steps if today <= step.until), goal.steps[-1])


def expected_value(goal: Goal, today: date) -> float:
    """Where a straight line from baseline to target (through each step) says it should be today."""
    if goal.steps:
        return _along_steps(goal, today)
    if goal.target_date is None or goal.target_date <= goal.start:
        return goal.target
    return _between(goal.start, goal.baseline, goal.target_date, goal.target, today)


def _along_steps(goal: Goal, today: date) -> float:
    previous_day, previous_value = goal.start, goal.baseline
    for step in goal.steps:
        if today <= step.until:
            return _between(previous_day, previous_value, step.until, step.value, today)
        previous_day, previous_value = step.until, step.value
    return goal.steps[-1].value


def _between(start: date, low: float, end: date, high: float, today: date) -> float:
    if end <= start:
        return high
    elapsed = min(max((today - start).days / (end - start).days, 0.0), 1.0)
    return low + (high - low) * elapsed


def goal_distance(goal: Goal) -> float:
    """How far the target is from the baseline: the yardstick for shortfalls and moves."""
    if goal.direction == BAND and goal.band:
        return (goal.band[1] - goal.band[0]) or abs(goal.band[1]) or 1.0
    if goal.direction == BINARY:
        return 1.0
    return abs(goal.target - goal.baseline) or abs(goal.target) or 1.0


def improvement(goal: Goal, change: float) -> float:
    """A change as a share of the baseline-to-target distance; positive is better.

    A band KPI has no better direction (above and below are both out), so its moves count 0.
    """
    if goal.direction == BAND:
        return 0.0
    signed = -change if goal.direction == DOWN else change
    return signed / goal_distance(goal)


def score_kpi(
    goal: Goal, value: float | None, today: date, tolerance: float, on: date | None = None
) -> KpiScore:
    """How the KPI stands today with `value`, its latest reading (for the day `on`, today if not
    given). At risk means short by at most `tolerance` of the baseline-to-target distance (or
    of the band's width); off track further; no data without a value."""
    if goal.direction == BAND:
        return _score_band(goal, value, tolerance)
    if goal.direction == BINARY:
        return _score_binary(goal, value, today)
    expected = expected_value(goal, today)
    if value is None:
        return KpiScore(NO_DATA, expected, None, _dated_basis(goal))
    progress = None
    if goal.target != goal.baseline:
        progress = (value - goal.baseline) / (goal.target - goal.baseline)
    if not goal.steps and goal.target_date is None:
        return _score_by_pace(goal, value, on or today, tolerance, progress)
    status = _by_shortfall(_shortfall(goal, value, expected), tolerance * goal_distance(goal))
    return KpiScore(
        status, expected, progress, _dated_basis(goal), step=target_in_force(goal, today)
    )


def _dated_basis(goal: Goal) -> str:
    if goal.steps:
        return BY_STEPS
    return BY_LINE if goal.target_date else BY_PACE


def _shortfall(goal: Goal, value: float, expected: float) -> float:
    return value - expected if goal.direction == DOWN else expected - value


def _by_shortfall(shortfall: float, allowed: float) -> str:
    if shortfall <= 0:
        return ON_TRACK
    return AT_RISK if shortfall <= allowed else OFF_TRACK


def _score_by_pace(
    goal: Goal, value: float, on: date, tolerance: float, progress: float | None
) -> KpiScore:
    """No target date: reached, or on its way fast enough (see TREND_HORIZONS)."""
    remaining = _shortfall(goal, value, goal.target)
    if remaining <= 0:
        return KpiScore(ON_TRACK, goal.target, progress, REACHED)
    horizon = TREND_HORIZONS.get(goal.frequency, TREND_HORIZONS["weekly"])
    gained = -_shortfall(goal, value, goal.baseline)  # toward the target since the baseline
    elapsed = max((on - goal.start).days, 1)
    days_needed = remaining / (gained / elapsed) if gained > 0 else None
    if days_needed is not None and days_needed <= horizon.days:
        status = ON_TRACK
    elif days_needed is not None and days_needed <= AT_RISK_HORIZONS * horizon.days:
        status = AT_RISK
    elif remaining <= tolerance * goal_distance(goal):
        status = AT_RISK  # barely short, even if it stands still
    else:
        interval = READING_INTERVALS.get(goal.frequency, READING_INTERVALS["weekly"])
        # Where it started, within its first reading interval: too early to call it off track.
        barely_moved = abs(gained) <= tolerance * goal_distance(goal)
        status = AT_RISK if barely_moved and elapsed <= interval.days else OFF_TRACK
    return KpiScore(status, goal.target, progress, BY_PACE, days_needed, horizon.days)


def _score_band(goal: Goal, value: float | None, tolerance: float) -> KpiScore:
    low, high = goal.band or (goal.target, goal.target)
    middle = (low + high) / 2
    if value is None:
        return KpiScore(NO_DATA, middle, None, BY_BAND)
    outside = max(low - value, value - high, 0.0)
    return KpiScore(_by_shortfall(outside, tolerance * goal_distance(goal)), middle, None, BY_BAND)


def _score_binary(goal: Goal, value: float | None, today: date) -> KpiScore:
    """Done is on track; not done is fine until its date comes near, off track after it."""
    if value is None:
        return KpiScore(NO_DATA, 1.0, None, BY_DONE)
    done = value >= DONE_FROM
    if done:
        status = ON_TRACK
    elif goal.target_date is None:
        status = AT_RISK  # not done, and no date says it may wait
    elif today > goal.target_date:
        status = OFF_TRACK
    else:
        interval = READING_INTERVALS.get(goal.frequency, READING_INTERVALS["weekly"])
        warning = interval * BINARY_WARNING_INTERVALS
        status = AT_RISK if today >= goal.target_date - warning else ON_TRACK
    return KpiScore(status, 1.0, 1.0 if done else 0.0, BY_DONE)


def roll_up(parts: Iterable[tuple[str, float]]) -> tuple[str, float | None]:
    """Combine (status, weight) pairs into one status and score; parts without data don't count."""
    total = weighted = 0.0
    for status, weight in parts:
        if status in STATUS_POINTS and weight > 0:
            total += weight
            weighted += weight * STATUS_POINTS[status]
    if total == 0:
        return NO_DATA, None
    score = weighted / total
    if score >= ROLLUP_ON_TRACK_FROM:
        return ON_TRACK, score
    if score >= ROLLUP_AT_RISK_FROM:
        return AT_RISK, score
    return OFF_TRACK, score


def steps_from(rows: Sequence[dict] | None) -> tuple[Step, ...]:
    """Stepped targets as stored (`[{"until": "2027-03-31", "value": 12000.0}, ...]`)."""
    return tuple(Step(date.fromisoformat(row["until"]), float(row["value"])) for row in rows or ())
