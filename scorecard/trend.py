"""What a KPI's trend chart shows, as plain data: readings, goal lines and the actions' days.

The drawing itself is presentation (`templates/pictures/trend_chart.py`); this module decides
what is drawn, so any caller (a slash command, a button, the Home tab) shows the same chart.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.finding import find_one, kpi_names
from scorecard.kpi_log import LIST_KPIS, NO_KPIS
from scorecard.overview import goal_of
from scorecard.status import Goal, expected_value, score_kpi
from scorecard.vocabulary import DONE, STOPPED
from scorecard.workspace import local_today, require_scorecard
from storage.action_history import ActionMoments, action_moments
from storage.models import Kpi, Scorecard
from storage.readings import recent_readings
from storage.scorecards import kpi_labels_of

# How many days with a reading a chart draws at most (the most recent ones).
CHART_READINGS = 400
# The chart starts at the goal's start (the baseline date) when that is at most this long before
# the first reading; an older start would squeeze the readings into a corner.
LONGEST_LEAD = timedelta(days=365)
STARTED, FINISHED_DONE, FINISHED_STOPPED = "started", DONE, STOPPED


@dataclass(frozen=True)
class TrendPoint:
    """One day's reading and the status it gave the KPI that day."""

    day: date
    value: float
    status: str  # vocabulary's ON_TRACK, AT_RISK, OFF_TRACK
    note: str | None


@dataclass(frozen=True)
class ActionMark:
    """A day a linked action started, was done or was stopped."""

    day: date
    title: str
    event: str  # STARTED, FINISHED_DONE or FINISHED_STOPPED


@dataclass(frozen=True)
class Trend:
    """Everything a KPI's trend chart draws. Values are in the KPI's unit; days are local."""

    scorecard_name: str
    key: str
    name: str
    unit: str
    direction: str  # "up": higher is better
    baseline: float
    target: float
    target_date: date | None
    status: str  # the KPI's status today
    points: list[TrendPoint]  # oldest first, one per day; never empty
    # The straight path from baseline to target, clipped to the chart's days: corners only,
    # oldest first. Empty when the KPI has no target date (the target is simply a line then).
    path: list[tuple[date, float]]
    actions: list[ActionMark]  # oldest first, only those within the chart's days
    first_day: date
    last_day: date  # today, or the last reading's day if that is later
    today: date

    @property
    def latest(self) -> TrendPoint:
        return self.points[-1]

    @property
    def notes(self) -> list[TrendPoint]:
        return [point for point in self.points if point.note]


def kpi_trend(session: Session, workspace: str, text: str, now: datetime) -> Trend:
    """The trend of the KPI `text` names (its key or name, as `/kpi show` takes it).

    Raises UserError when no KPI matches, or when it has no readings yet: an empty chart
    would say nothing.
    """
    scorecard = require_scorecard(session, workspace)
    labels = kpi_labels_of(session, scorecard.id)
    if not labels:
        raise UserError(NO_KPIS)
    label = find_one(text, labels, kpi_names, "KPI", LIST_KPIS)
    kpi = session.get(Kpi, label.id)
    assert kpi is not None
    return _trend(session, scorecard, kpi, local_today(scorecard, now))


def _trend(session: Session, scorecard: Scorecard, kpi: Kpi, today: date) -> Trend:
    readings = recent_readings(session, kpi.id, CHART_READINGS)
    if not readings:
        raise UserError(
            f"*{kpi.name}* has no readings yet, so there is no trend to draw. "
            f"Log one with `/kpi log {kpi.key} <value>`."
        )
    goal = goal_of(kpi)
    tolerance = scorecard.at_risk_tolerance
    points = [
        TrendPoint(r.period, r.value, score_kpi(goal, r.value, r.period, tolerance).status, r.note)
        for r in readings
    ]
    first_day = points[0].day
    if goal.start < first_day and first_day - goal.start <= LONGEST_LEAD:
        first_day = goal.start
    last_day = max(today, points[-1].day)
    zone = ZoneInfo(scorecard.timezone)
    marks = []
    if kpi.objective_id is not None:
        marks = [
            mark
            for moments in action_moments(session, kpi.objective_id)
            for mark in _marks(moments, zone)
            if first_day <= mark.day <= last_day
        ]
    return Trend(
        scorecard_name=scorecard.name,
        key=kpi.key,
        name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=kpi.baseline,
        target=kpi.target,
        target_date=kpi.target_date,
        status=score_kpi(goal, points[-1].value, today, tolerance).status,
        points=points,
        path=_path(goal, first_day, last_day),
        actions=sorted(marks, key=lambda mark: mark.day),
        first_day=first_day,
        last_day=last_day,
        today=today,
    )


def _path(goal: Goal, first_day: date, last_day: date) -> list[tuple[date, float]]:
    """Where the KPI should be on each day of the chart, as the corners of a line."""
    if goal.target_date is None or goal.target_date <= goal.start:
        return []
    corners = {first_day, last_day} | {
        day for day in (goal.start, goal.target_date) if first_day < day < last_day
    }
    return [(day, expected_value(goal, day)) for day in sorted(corners)]


def _marks(moments: ActionMoments, zone: ZoneInfo) -> list[ActionMark]:
    """The days an action started and finished, as far as its history tells.

    It started with its first update (`/action update` is what moves a planned action on). It
    finished with its done or stop; an action that arrived done or stopped from the scorecard
    file has no such update, so its last update (the file's `last_update`) stands in.
    """
    marks = []
    if moments.first_update_at is not None:
        marks.append(_mark(moments.first_update_at, moments.title, STARTED, zone))
    for status, moment in ((DONE, moments.done_at), (STOPPED, moments.stopped_at)):
        if moments.status == status:
            marks.append(_mark(moment or moments.last_update_at, moments.title, status, zone))
    return marks


def _mark(moment: datetime, title: str, event: str, zone: ZoneInfo) -> ActionMark:
    return ActionMark(moment.astimezone(zone).date(), title, event)


def kpi_trend_for(caller: Caller, text: str) -> Trend:
    """`kpi_trend` for a caller, in a reading session of its own."""
    with caller.database.reading() as session:
        return kpi_trend(session, caller.workspace, text, caller.now)
