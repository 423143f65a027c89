"""A forecast that asks for a decision: when a KPI is projected to miss its target, its owner is
asked once, in their next nudge, to add or link an action, change the target or its date
(admins), or accept the miss with a reason.

The question is asked once per projection. It stays quiet:
- after it has been asked, until the owner answers (the nudge keeps the buttons);
- after a decision on the KPI (from the question or in a review; each records the projection
  it answered), until the projection moves materially away from that one: by more than
  MATERIAL_FORECAST_CHANGE of the distance between the KPI's baseline and its target
  (scorecard.status.goal_distance). Then it is asked once more.
Decisions are stored with the review decisions (scorecard/reviews.py) and shown in `/kpi show`,
`/why` and the next review.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from scorecard.forecast import RECENT_READINGS, Forecast, forecast_kpis
from scorecard.overview import view_kpi
from scorecard.reviews import DecisionLine, decision_line
from scorecard.status import Goal, goal_distance
from scorecard.vocabulary import BINARY, READING_INTERVALS
from scorecard.workspace import local_today
from storage.digest_queries import recent_points
from storage.models import Decision, Kpi, Objective, Scorecard
from storage.readings import kpis_with_current_readings, recent_readings
from storage.reviews import forecast_questions_asked, latest_kpi_decision, latest_kpi_decisions

# A projection that moved by more than this share of the baseline-to-target distance is a new
# projection: the owner is asked again, even after a decision.
MATERIAL_FORECAST_CHANGE = 0.10
# The nudge item kind of a forecast's question (storage.models.Nudge.item_kind).
FORECAST_ITEM = "forecast"
# What a nudge records when the owner answered the question.
ANSWERED_DECIDED = "decided"


@dataclass(frozen=True)
class ForecastQuestion:
    kpi_id: int
    key: str
    name: str
    unit: str
    owner: str | None
    objective: str | None
    forecast: Forecast


def moved_materially(goal: Goal, answered: float, now: float) -> bool:
    """Whether a projection of `now` is materially different from the `answered` one."""
    return abs(now - answered) > MATERIAL_FORECAST_CHANGE * goal_distance(goal)


def forecast_questions(
    session: Session,
    scorecard: Scorecard,
    now: datetime,
    owner: str | None = None,
    kpi_ids: Collection[int] | None = None,
    every_miss: bool = False,
) -> list[ForecastQuestion]:
    """The KPIs (of one owner, if given) whose owner is to be asked about a projected miss.

    With `kpi_ids`, those KPIs' questions as they stand, asked or not (to redraw a nudge).
    With `every_miss`, every KPI projected to miss, asked, answered or without an owner (a
    review's exceptions).
    """
    assert scorecard.id is not None
    today = local_today(scorecard, now)
    candidates = []
    for kpi, reading in kpis_with_current_readings(session, scorecard.id):
        if kpi_ids is not None and kpi.id not in kpi_ids:
            continue
        wanted = every_miss or (kpi.owner and (owner is None or kpi.owner == owner))
        if kpi_ids is None and not wanted:
            continue
        if reading is None or kpi.direction == BINARY:
            continue
        candidates.append((kpi, view_kpi(kpi, reading, today, scorecard.at_risk_tolerance)))
    if not candidates:
        return []
    # One query for every KPI's recent readings, as the digest fits its forecasts.
    bounds = {
        frequency: today - interval * (RECENT_READINGS + 2)
        for frequency, interval in READING_INTERVALS.items()
    }
    history = recent_points(session, scorecard.id, bounds, RECENT_READINGS)
    forecasts = forecast_kpis(
        [
            (view.goal, [(p.period, p.value) for p in history.get(kpi.id, [])])
            for kpi, view in candidates
        ],
        today,
    )
    decisions = latest_kpi_decisions(session, scorecard.id)
    asked = forecast_questions_asked(session, scorecard.id, FORECAST_ITEM)
    questions = []
    for (kpi, view), forecast in zip(candidates, forecasts, strict=True):
        if not isinstance(forecast, Forecast):
            continue
        if kpi_ids is None:
            if not forecast.misses:
                continue
            quiet = _quiet(view.goal, forecast, decisions.get(kpi.id), asked.get(kpi.id))
            if quiet and not every_miss:
                continue
        objective = session.get(Objective, kpi.objective_id) if kpi.objective_id else None
        questions.append(
            ForecastQuestion(
                kpi.id,
                kpi.key,
                kpi.name,
                kpi.unit,
                kpi.owner,
                objective.title if objective else None,
                forecast,
            )
        )
    return questions


def _quiet(
    goal: Goal, forecast: Forecast, decision: Decision | None, asked_at: datetime | None
) -> bool:
    if decision is None:
        return asked_at is not None  # asked once; the nudge keeps its buttons until answered
    answered = decision.forecast_value
    if answered is None or moved_materially(goal, answered, forecast.value):
        return asked_at is not None and asked_at > decision.decided_at
    return True


def current_projection(
    session: Session, scorecard: Scorecard, kpi: Kpi, now: datetime
) -> float | None:
    """The KPI's projection now (what a decision on it answers), or None without a forecast."""
    history = recent_readings(session, kpi.id, RECENT_READINGS)
    if not history:
        return None
    today = local_today(scorecard, now)
    view = view_kpi(kpi, history[-1], today, scorecard.at_risk_tolerance)
    forecast = forecast_kpis([(view.goal, [(r.period, r.value) for r in history])], today)[0]
    return forecast.value if isinstance(forecast, Forecast) else None


def decision_on_kpi(session: Session, scorecard: Scorecard, kpi_id: int) -> DecisionLine | None:
    """The latest decision on a KPI (`/kpi show`, `/why`), if any."""
    assert scorecard.id is not None
    decision = latest_kpi_decision(session, scorecard.id, kpi_id)
    return None if decision is None else decision_line(session, scorecard, decision)
