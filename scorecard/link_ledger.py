"""The cause-and-effect ledger: each `supports` link's expected lag, whether it seems to hold, and
the review decisions on it.

A strategy map is a hypothesis (Kaplan and Norton, "Having Trouble with Your Strategy? Then Map
It", 2000): a driver objective that delivers should move the outcome it supports, perhaps only
weeks later. `judge_link` tests one link with its lag; `decide_link` records a review's keep,
revise or retire on it, which the scorecard file exports with the link.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from scorecard.errors import UserError
from scorecard.status import Goal, improvement, score_kpi
from scorecard.vocabulary import LINK_DECISIONS, ON_TRACK
from scorecard.workspace import local_today
from storage.digest_queries import Point
from storage.models import ObjectiveLink, Scorecard
from storage.scorecards import find_link

# The driver is judged on its last this many readings before the lag: on track at each, or
# improving over them. Fewer readings than this and the link is not judged.
LINK_TEST_PERIODS = 3
# The outcome needs this many readings from the lagged start on, so it has a change to judge.
MIN_OUTCOME_READINGS = 2
# A KPI "moved" when it changed by at least this share of its baseline-to-target distance.
MOVE_THRESHOLD = 0.05

HOLDS, MAY_NOT_HOLD, UNTESTED, NOT_ENOUGH_DATA = "holds", "may not hold", "untested", "not enough"


@dataclass(frozen=True)
class Track:
    """One KPI's goal and its readings, oldest first, one a day."""

    goal: Goal
    points: Sequence[Point]


def judge_link(
    driver: Sequence[Track],
    outcome: Sequence[Track],
    outcome_on_track: bool,
    lag_weeks: int,
    today: date,
    tolerance: float,
) -> str:
    """HOLDS, MAY_NOT_HOLD, UNTESTED (the driver did not deliver, so there is nothing to test) or
    NOT_ENOUGH_DATA.

    The driver's last LINK_TEST_PERIODS readings up to `lag_weeks` before today must all exist
    (for every driver KPI with data) and be on track, or improve by MOVE_THRESHOLD. From the
    first of those readings plus the lag, the outcome (not on track) must then have improved by
    MOVE_THRESHOLD in some KPI, with at least MIN_OUTCOME_READINGS readings to tell.
    """
    lag = timedelta(weeks=lag_weeks)
    pushed_since = _driver_pushed_since(driver, today - lag, tolerance)
    if pushed_since is None:
        return NOT_ENOUGH_DATA
    if pushed_since is False:
        return UNTESTED
    if outcome_on_track:
        return HOLDS
    changes = [_change_since(track, pushed_since + lag) for track in outcome]
    measured = [change for change in changes if change is not None]
    if not measured:
        return NOT_ENOUGH_DATA
    return HOLDS if max(measured) >= MOVE_THRESHOLD else MAY_NOT_HOLD


def _driver_pushed_since(
    driver: Sequence[Track], cutoff: date, tolerance: float
) -> date | bool | None:
    """When the driver's delivering run began (a date), False when it did not deliver, None
    when there are too few readings up to `cutoff` to say."""
    starts, on_track, improved = [], True, False
    for track in driver:
        recent = [point for point in track.points if point.period <= cutoff][-LINK_TEST_PERIODS:]
        if not recent and not any(point.period > cutoff for point in track.points):
            continue  # a KPI never read says nothing either way
        if len(recent) < LINK_TEST_PERIODS:
            return None
        starts.append(recent[0].period)
        goal = track.goal
        on_track &= all(
            score_kpi(goal, p.value, p.period, tolerance).status == ON_TRACK for p in recent
        )
        improved |= improvement(goal, recent[-1].value - recent[0].value) >= MOVE_THRESHOLD
    if not starts:
        return None
    return min(starts) if on_track or improved else False


def _change_since(track: Track, since: date) -> float | None:
    """The KPI's improvement from its reading as of `since` (or its first after) to its latest;
    None with fewer than MIN_OUTCOME_READINGS readings in that span."""
    before = [point for point in track.points if point.period <= since]
    span = [*before[-1:], *(point for point in track.points if point.period > since)]
    if len(span) < MIN_OUTCOME_READINGS:
        return None
    return improvement(track.goal, span[-1].value - span[0].value)


def decide_link(
    session: Session,
    scorecard: Scorecard,
    objective_key: str,
    supports_key: str,
    decision: str,
    by: str | None,
    when: date | datetime,
    note: str = "",
) -> ObjectiveLink:
    """Record a review's keep, revise or retire on the link `objective_key` → `supports_key`
    (replacing the link's previous decision) as of `when` (a moment counts as its day in the
    scorecard's time zone); the caller commits. UserError when there is no
    such link or the decision is not one of LINK_DECISIONS. A retired link stays on the map but
    the digest stops testing it."""
    if decision not in LINK_DECISIONS:
        raise UserError(f"A link can be kept, revised or retired, not “{decision}”.")
    assert scorecard.id is not None
    link = find_link(session, scorecard.id, objective_key, supports_key)
    if link is None:
        raise UserError(
            f"“{objective_key}” doesn't support “{supports_key}” on the strategy map, so there "
            "is no link to decide on."
        )
    day = local_today(scorecard, when) if isinstance(when, datetime) else when
    link.decision, link.decided_by, link.decided_on = decision, by, day
    link.decision_note = note.strip() or None
    session.add(link)
    session.flush()
    return link
