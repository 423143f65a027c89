"""Is a KPI, an objective, a perspective on track? Direction-aware and time-aware scoring."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from scorecard.vocabulary import AT_RISK, DOWN, NO_DATA, OFF_TRACK, ON_TRACK

# What each status is worth when objectives and perspectives roll their parts up by weight.
STATUS_POINTS = {ON_TRACK: 1.0, AT_RISK: 0.5, OFF_TRACK: 0.0}
# A rolled-up score from this high is on track, from the second at risk, below it off track.
ROLLUP_ON_TRACK_FROM = 0.8
ROLLUP_AT_RISK_FROM = 0.5


@dataclass(frozen=True)
class Goal:
    """What a KPI aims for: from `baseline` on `start` to `target` by `target_date` (if set)."""

    baseline: float
    target: float
    direction: str
    start: date
    target_date: date | None = None


@dataclass(frozen=True)
class KpiScore:
    status: str
    expected: float  # where the KPI should be today
    progress: float | None  # share of the way from baseline to target; None without a reading


def expected_value(goal: Goal, today: date) -> float:
    """Where a straight line from baseline to target says the KPI should be today."""
    if goal.target_date is None or goal.target_date <= goal.start:
        return goal.target
    elapsed = (today - goal.start).days / (goal.target_date - goal.start).days
    elapsed = min(max(elapsed, 0.0), 1.0)
    return goal.baseline + (goal.target - goal.baseline) * elapsed


def goal_distance(goal: Goal) -> float:
    """How far the target is from the baseline: the yardstick for shortfalls and moves."""
    return abs(goal.target - goal.baseline) or abs(goal.target) or 1.0


def improvement(goal: Goal, change: float) -> float:
    """A change as a share of the baseline-to-target distance; positive is better."""
    signed = -change if goal.direction == DOWN else change
    return signed / goal_distance(goal)


def score_kpi(goal: Goal, value: float | None, today: date, tolerance: float) -> KpiScore:
    """On track when at or past where it should be; at risk when short by at most `tolerance`
    of the baseline-to-target distance; off track when further behind; no data without a value."""
    expected = expected_value(goal, today)
    if value is None:
        return KpiScore(NO_DATA, expected, None)
    distance = goal_distance(goal)
    shortfall = value - expected if goal.direction == DOWN else expected - value
    if shortfall <= 0:
        status = ON_TRACK
    elif shortfall <= tolerance * distance:
        status = AT_RISK
    else:
        status = OFF_TRACK
    progress = None
    if goal.target != goal.baseline:
        progress = (value - goal.baseline) / (goal.target - goal.baseline)
    return KpiScore(status, expected, progress)


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
