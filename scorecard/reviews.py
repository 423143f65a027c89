"""Strategy review meetings: the agenda that walks the strategy map, what owners say, what is
decided, and the minutes.

Kaplan and Norton's strategy review (The Execution Premium, 2008, ch. 7) looks at the measures
perspective by perspective, asks each objective's owner why it stands where it does, tests
whether the cause-and-effect links still hold, and ends with decisions and owners. Here:

- an *agenda* lists the open decisions of the last review, the decisions owners took on
  forecasts since, the exceptions (objectives off track or at risk), then every perspective in
  map order with its objectives;
- a *commentary* is an owner's one line on an objective;
- a *decision* is one of DECISION_KINDS; some leave follow-up (OPEN_DECISION_KINDS) and stay open
  until it is done: a new action until the action is done or stopped, a link to revise until a
  later review keeps or retires it;
- the *minutes* gather attendance (everyone who answered), commentaries, decisions and new
  actions with their owners.

Publishing is a callable given by the caller (the Slack layer posts; tests and the CLI could
print), so this module knows nothing of Slack.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from scorecard.overview import ObjectiveView, load_overview
from scorecard.vocabulary import AT_RISK, OFF_TRACK, OPEN_ACTION_STATUSES
from scorecard.workspace import local_today
from storage.models import Action, Decision, Kpi, Objective, Review, Scorecard
from storage.reviews import (
    commentaries_of,
    decisions_of,
    forecast_decisions_since,
    last_closed_review,
)

NEW_ACTION = "new_action"
CHANGE_TARGET = "change_target"
ACCEPT_MISS = "accept_miss"
KEEP_LINK, REVISE_LINK, RETIRE_LINK = "keep_link", "revise_link", "retire_link"
LINK_VERDICTS = {"keep": KEEP_LINK, "revise": REVISE_LINK, "retire": RETIRE_LINK}
DECISION_KINDS = (NEW_ACTION, CHANGE_TARGET, ACCEPT_MISS, KEEP_LINK, REVISE_LINK, RETIRE_LINK)
# Decisions that leave work to do; the others are done the moment they are taken.
OPEN_DECISION_KINDS = frozenset({NEW_ACTION, REVISE_LINK})
# Exceptions come first, worst first.
EXCEPTION_STATUSES = (OFF_TRACK, AT_RISK)
# A commentary is one line: longer text is refused rather than cut.
COMMENTARY_MAX_LENGTH = 300


@dataclass(frozen=True)
class AgendaKpi:
    id: int
    key: str
    name: str
    unit: str
    status: str
    value: float | None
    target: float


@dataclass(frozen=True)
class AgendaLink:
    """`cause` supports `effect` (objective keys and titles)."""

    cause_id: int
    cause_key: str
    cause_title: str
    effect_id: int
    effect_key: str
    effect_title: str


@dataclass(frozen=True)
class AgendaObjective:
    id: int
    key: str
    title: str
    owner: str | None
    status: str
    perspective: str
    kpis: list[AgendaKpi]
    links: list[AgendaLink]  # the links it drives (this objective supports another)


@dataclass(frozen=True)
class ProjectedMiss:
    """A KPI whose forecast falls short of its target (scorecard/forecast.py)."""

    name: str
    unit: str
    owner: str | None
    value: float  # projected
    by: date
    target: float


@dataclass(frozen=True)
class AgendaPerspective:
    name: str
    status: str
    objectives: list[AgendaObjective]


@dataclass(frozen=True)
class DecisionLine:
    """A decision as people read it."""

    id: int
    kind: str
    decided_by: str
    decided_on: date  # in the scorecard's time zone
    objective: str | None
    kpi: str | None
    kpi_unit: str
    action: str | None
    action_owner: str | None
    action_due: date | None
    link_from: str | None
    link_to: str | None
    target: float | None
    target_date: date | None
    reason: str
    is_open: bool
    from_forecast: bool  # taken by the KPI's owner answering a forecast, not in a review


@dataclass(frozen=True)
class Agenda:
    review_id: int
    scorecard_name: str
    channel: str
    opened_by: str | None  # None: opened by the schedule
    today: date
    carried_over: list[DecisionLine]  # the open decisions of the last review
    forecast_decisions: list[DecisionLine]  # owners' answers to forecasts since the last review
    last_review_on: date | None
    exceptions: list[AgendaObjective]
    perspectives: list[AgendaPerspective]
    projected_misses: list[ProjectedMiss] = field(default_factory=list)


@dataclass(frozen=True)
class CommentaryLine:
    objective: str | None
    author: str
    text: str


@dataclass(frozen=True)
class Minutes:
    review_id: int
    scorecard_name: str
    channel: str
    thread_ts: str | None
    opened_on: date
    closed_by: str
    today: date
    attendance: list[str]  # who answered: commentaries and decisions, in order of first answer
    commentaries: list[CommentaryLine]
    decisions: list[DecisionLine]
    new_actions: list[DecisionLine] = field(default_factory=list)


@dataclass(frozen=True)
class PublishedMinutes:
    markdown: str  # the minutes as stored and exported
    canvas_id: str | None  # the channel canvas they also went to, if the workspace allows it


PublishAgenda = Callable[[Agenda], str]  # posts the agenda; the parent message's ts
PublishMinutes = Callable[[Minutes, str | None], PublishedMinutes]  # (minutes, known canvas id)


# The agenda


def build_agenda(
    session: Session,
    scorecard: Scorecard,
    review: Review,
    now: datetime,
    projected_misses: Sequence[ProjectedMiss] = (),
) -> Agenda:
    assert scorecard.id is not None and review.id is not None
    today = local_today(scorecard, now)
    overview = load_overview(session, scorecard, today)
    perspectives: list[AgendaPerspective] = []
    exceptions: list[AgendaObjective] = []
    for perspective in overview.perspectives:
        objectives = [_agenda_objective(view) for view in perspective.objectives]
        perspectives.append(
            AgendaPerspective(perspective.perspective.name, perspective.status, objectives)
        )
        exceptions += [item for item in objectives if item.status in EXCEPTION_STATUSES]
    exceptions.sort(key=lambda item: EXCEPTION_STATUSES.index(item.status))
    last = last_closed_review(session, scorecard.id)
    carried = []
    if last is not None and last.id is not None:
        lines = decision_lines(session, scorecard, decisions_of(session, last.id))
        carried = [line for line in lines if line.is_open]
    since = last.closed_at if last is not None else None
    answered = decision_lines(
        session, scorecard, forecast_decisions_since(session, scorecard.id, since)
    )
    return Agenda(
        review_id=review.id,
        scorecard_name=scorecard.name,
        channel=review.channel,
        opened_by=review.opened_by,
        today=today,
        carried_over=carried,
        forecast_decisions=answered,
        last_review_on=None if since is None else local_today(scorecard, since),
        exceptions=exceptions,
        perspectives=perspectives,
        projected_misses=list(projected_misses),
    )


def _agenda_objective(view: ObjectiveView) -> AgendaObjective:
    objective = view.objective
    assert objective.id is not None
    kpis = [
        AgendaKpi(k.kpi.id, k.kpi.key, k.kpi.name, k.kpi.unit, k.status, k.value, k.kpi.target)
        for k in view.kpis
    ]
    links = [
        AgendaLink(
            objective.id,
            objective.key,
            objective.title,
            effect.objective.id or 0,
            effect.objective.key,
            effect.objective.title,
        )
        for effect in view.supports
    ]
    return AgendaObjective(
        objective.id,
        objective.key,
        objective.title,
        objective.owner,
        view.status,
        view.perspective.name,
        kpis,
        links,
    )


# Decisions as people read them


def decision_lines(
    session: Session, scorecard: Scorecard, decisions: Sequence[Decision]
) -> list[DecisionLine]:
    return [decision_line(session, scorecard, decision) for decision in decisions]


def decision_line(session: Session, scorecard: Scorecard, decision: Decision) -> DecisionLine:
    objective = session.get(Objective, decision.objective_id) if decision.objective_id else None
    kpi = session.get(Kpi, decision.kpi_id) if decision.kpi_id else None
    action = session.get(Action, decision.action_id) if decision.action_id else None
    return DecisionLine(
        id=decision.id or 0,
        kind=decision.kind,
        decided_by=decision.decided_by,
        decided_on=local_today(scorecard, decision.decided_at),
        objective=objective.title if objective else None,
        kpi=kpi.name if kpi else None,
        kpi_unit=kpi.unit if kpi else "",
        action=action.title if action else None,
        action_owner=action.owner if action else None,
        action_due=action.due if action else None,
        link_from=decision.link_from,
        link_to=decision.link_to,
        target=decision.target,
        target_date=decision.target_date,
        reason=decision.reason,
        is_open=is_open(decision, action),
        from_forecast=decision.review_id is None,
    )


def is_open(decision: Decision, action: Action | None) -> bool:
    """Whether a decision still waits on follow-up (see the module docstring)."""
    if decision.settled_at is not None or decision.kind not in OPEN_DECISION_KINDS:
        return False
    if decision.kind == NEW_ACTION:
        return action is not None and action.status in OPEN_ACTION_STATUSES
    return True


# The minutes


def build_minutes(
    session: Session, scorecard: Scorecard, review: Review, closed_by: str, now: datetime
) -> Minutes:
    assert review.id is not None
    commentaries = commentaries_of(session, review.id)
    decisions = decisions_of(session, review.id)
    attendance: list[str] = []
    answers = sorted(
        [(c.created_at, c.author) for c in commentaries]
        + [(d.decided_at, d.decided_by) for d in decisions]
    )
    for _, person in answers:
        if person not in attendance:
            attendance.append(person)
    lines = decision_lines(session, scorecard, decisions)
    titles = {}
    for commentary in commentaries:
        if commentary.objective_id is not None and commentary.objective_id not in titles:
            found = session.get(Objective, commentary.objective_id)
            titles[commentary.objective_id] = found.title if found else None
    return Minutes(
        review_id=review.id,
        scorecard_name=scorecard.name,
        channel=review.channel,
        thread_ts=review.thread_ts,
        opened_on=local_today(scorecard, review.opened_at),
        closed_by=closed_by,
        today=local_today(scorecard, now),
        attendance=attendance,
        commentaries=[
            CommentaryLine(titles.get(c.objective_id or 0), c.author, c.text) for c in commentaries
        ],
        decisions=lines,
        new_actions=[line for line in lines if line.kind == NEW_ACTION and line.action],
    )
