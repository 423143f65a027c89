"""What a caller can do with strategy reviews, each step in its own short sessions.

Opening claims the review (a row) before anything is posted, and forgets it again if posting
fails; closing stores the minutes only once they are posted. See scorecard/reviews.py for the
meeting itself.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.forecast_questions import (
    ANSWERED_DECIDED,
    FORECAST_ITEM,
    current_projection,
    forecast_questions,
)
from scorecard.link_ledger import decide_link
from scorecard.reviews import (
    ACCEPT_MISS,
    CHANGE_TARGET,
    COMMENTARY_MAX_LENGTH,
    DECISION_KINDS,
    KEEP_LINK,
    LINK_VERDICTS,
    NEW_ACTION,
    RETIRE_LINK,
    REVISE_LINK,
    Agenda,
    CommentaryLine,
    DecisionLine,
    Minutes,
    ProjectedMiss,
    PublishAgenda,
    PublishMinutes,
    build_agenda,
    build_minutes,
    decision_line,
)
from scorecard.schedules import Schedule, next_occurrence, parse_schedule
from scorecard.values import number_format_named, parse_value, usual_number_format
from scorecard.vocabulary import ACTIVE, OPEN_ACTION_STATUSES
from scorecard.workspace import choose_scorecard, local_today, require_scorecard
from storage.db import Database
from storage.models import (
    Action,
    Decision,
    Kpi,
    Objective,
    Review,
    ReviewCommentary,
    ReviewSchedule,
    Scorecard,
)
from storage.nudges import mark_responded
from storage.reviews import (
    MANUAL_PREFIX,
    claim_review,
    closed_reviews,
    delete_review,
    latest_canvas,
    open_link_decisions,
    open_review_in,
    review_by_id,
    schedule_review,
    unschedule_review,
)
from storage.scorecards import actions_of, kpis_of

NOT_IN_A_CHANNEL = "Reviews happen in a channel: run this in the channel the team meets in."
ADMINS_ONLY = "Only a workspace admin can change a target. Ask one, or accept the miss instead."


@dataclass(frozen=True)
class ReviewScheduleView:
    channel: str
    schedule: Schedule
    next_at: datetime | None  # in the scorecard's time zone
    created: bool = False


@dataclass(frozen=True)
class DecisionForm:
    """What a decision's modal offers: the objective, its KPIs and the actions one may link."""

    review_id: int | None
    objective: Objective
    kpis: list[Kpi]
    kpi: Kpi | None  # chosen already (a forecast's question)
    actions: list[Action]  # open actions that could be linked instead of adding one
    today: date


@dataclass(frozen=True)
class DecisionRequest:
    kind: str
    review_id: int | None  # None: answering a forecast's question
    objective_id: int | None
    kpi_id: int | None = None
    title: str = ""  # a new action's title
    owner: str | None = None
    due: date | None = None
    linked_action_id: int | None = None  # an existing action linked instead of a new one
    target: str = ""  # the new target, as typed
    target_date: date | None = None
    reason: str = ""
    link: tuple[int, int] | None = None  # (cause objective id, effect objective id)
    forecast_value: float | None = None


@dataclass(frozen=True)
class Recorded:
    """A commentary or decision recorded; where the review's thread is, to note it there."""

    channel: str | None
    thread_ts: str | None
    commentary: CommentaryLine | None = None
    decision: DecisionLine | None = None
    today: date | None = None


@dataclass(frozen=True)
class ClosedReview:
    minutes: Minutes
    canvas_id: str | None  # the channel canvas the minutes also went to


# Opening and closing


def open_review(caller: Caller, publish: PublishAgenda) -> Agenda:
    """`/kpi review`: open a review in the caller's channel and post its agenda."""
    if not caller.channel:
        raise UserError(NOT_IN_A_CHANNEL)
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        scorecard_id = _id(scorecard)
        already = open_review_in(session, scorecard_id, caller.channel)
        if already is not None:
            opened = local_today(scorecard, already.opened_at)
            raise UserError(
                f"A review is already open here (since {opened:%d %b}). Close it with "
                "`/kpi review close`, then open the next."
            )
        # Unique per opening: by hand, "one open review per channel" is the rule, not the period.
        key = f"{MANUAL_PREFIX}{caller.now.isoformat(timespec='seconds')}:{uuid.uuid4().hex[:8]}"
        review = Review(
            scorecard_id=scorecard_id,
            channel=caller.channel,
            period_key=key,
            opened_by=caller.user,
            opened_at=caller.now,
        )
        if claim_review(session, review) is None:
            raise UserError("That review was just opened. Look for it in this channel.")
    return _post_agenda(caller.database, review, caller.now, publish)


def open_scheduled_review(
    database: Database,
    workspace: str,
    channel: str,
    period_key: str,
    now: datetime,
    publish: PublishAgenda,
) -> Agenda | None:
    """The clock opens a scheduled review once per period; None when it is not to be opened (the
    period is claimed already, or a review is still open in the channel)."""
    with database.writing() as session:
        scorecard = require_scorecard(session, workspace)
        if open_review_in(session, _id(scorecard), channel) is not None:
            return None
        review = Review(
            scorecard_id=_id(scorecard), channel=channel, period_key=period_key, opened_at=now
        )
        if claim_review(session, review) is None:
            return None
    return _post_agenda(database, review, now, publish)


def _post_agenda(
    database: Database, review: Review, now: datetime, publish: PublishAgenda
) -> Agenda:
    with database.reading() as session:
        scorecard = session.get(Scorecard, review.scorecard_id)
        assert scorecard is not None
        misses = [
            ProjectedMiss(
                q.name, q.unit, q.owner, q.forecast.value, q.forecast.by, q.forecast.target
            )
            for q in forecast_questions(session, scorecard, now, every_miss=True)
        ]
        agenda = build_agenda(session, scorecard, review, now, misses)
    try:
        thread_ts = publish(agenda)
    except Exception:  # nothing posted: the review never happened, so it may be opened again
        with database.writing() as session:
            delete_review(session, agenda.review_id)
        raise
    with database.writing() as session:
        stored = session.get(Review, agenda.review_id)
        assert stored is not None
        stored.thread_ts = thread_ts
        session.add(stored)
    return agenda


def close_review(caller: Caller, publish: PublishMinutes) -> ClosedReview:
    """`/kpi review close`: post the minutes of the channel's open review and store them."""
    if not caller.channel:
        raise UserError(NOT_IN_A_CHANNEL)
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        review = open_review_in(session, _id(scorecard), caller.channel)
        if review is None:
            raise UserError("No review is open in this channel. Open one with `/kpi review`.")
        minutes = build_minutes(session, scorecard, review, caller.user, caller.now)
        canvas = latest_canvas(session, _id(scorecard), caller.channel)
    published = publish(minutes, canvas)
    with caller.database.writing() as session:
        stored = session.get(Review, minutes.review_id)
        assert stored is not None
        stored.closed_at = caller.now
        stored.closed_by = caller.user
        stored.minutes = published.markdown
        stored.canvas_id = published.canvas_id
        session.add(stored)
    return ClosedReview(minutes, published.canvas_id)


# Commentaries and decisions


def record_commentary(caller: Caller, review_id: int, objective_id: int, text: str) -> Recorded:
    """An owner's one line on an objective, in an open review."""
    line = " ".join(text.split())
    if not line:
        raise UserError("Write one line about where the objective stands and why.")
    if len(line) > COMMENTARY_MAX_LENGTH:
        raise UserError(f"One line, please: at most {COMMENTARY_MAX_LENGTH} characters.")
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        review = _open_review(session, scorecard, review_id)
        objective = _objective(session, scorecard, objective_id)
        session.add(
            ReviewCommentary(
                review_id=review_id,
                objective_id=objective_id,
                author=caller.user,
                text=line,
                created_at=caller.now,
            )
        )
        return Recorded(
            review.channel,
            review.thread_ts,
            commentary=CommentaryLine(objective.title, caller.user, line),
            today=local_today(scorecard, caller.now),
        )


def decision_form(
    caller: Caller, review_id: int | None, objective_id: int | None, kpi_id: int | None = None
) -> DecisionForm:
    """What a decision's modal shows (for a review's objective, or a forecast's KPI)."""
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        if review_id is not None:
            _open_review(session, scorecard, review_id)
        kpi = _kpi(session, scorecard, kpi_id) if kpi_id is not None else None
        if kpi is not None and objective_id is None:
            objective_id = kpi.objective_id
        if objective_id is None:
            raise UserError("That KPI measures no objective, so there is nothing to decide on.")
        objective = _objective(session, scorecard, objective_id)
        kpis = _kpis_of(session, scorecard, objective_id)
        actions = list(actions_of(session, _id(scorecard), OPEN_ACTION_STATUSES))
        return DecisionForm(
            review_id, objective, kpis, kpi, actions, local_today(scorecard, caller.now)
        )


def record_decision(caller: Caller, request: DecisionRequest) -> Recorded:
    """A decision from a review's button or a forecast's question, recorded with who and when."""
    if request.kind not in DECISION_KINDS:
        raise UserError("That button has lost track of its decision. Try again from the review.")
    if request.kind == CHANGE_TARGET and not caller.is_workspace_admin:
        raise UserError(ADMINS_ONLY)
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        review = None
        if request.review_id is not None:
            review = _open_review(session, scorecard, request.review_id)
        decision = Decision(
            scorecard_id=_id(scorecard),
            review_id=request.review_id,
            kind=request.kind,
            objective_id=request.objective_id,
            kpi_id=request.kpi_id,
            decided_by=caller.user,
            decided_at=caller.now,
            reason=" ".join(request.reason.split()),
            forecast_value=request.forecast_value,
        )
        if request.objective_id is not None:
            _objective(session, scorecard, request.objective_id)
        kpi = _kpi(session, scorecard, request.kpi_id) if request.kpi_id is not None else None
        if request.kind == NEW_ACTION:
            decision.action_id = _new_or_linked_action(session, scorecard, request, caller)
        elif request.kind == CHANGE_TARGET:
            _change_target(scorecard, kpi, request, decision)
        elif request.kind == ACCEPT_MISS:
            if kpi is None:
                raise UserError("Which KPI's miss is accepted? Pick one.")
            if not decision.reason:
                raise UserError("Say why the miss is accepted, in a few words.")
        else:
            _decide_link(session, scorecard, request, decision, caller.now)
        if request.kind not in (NEW_ACTION, REVISE_LINK):
            decision.settled_at = caller.now
        if kpi is not None:
            if decision.forecast_value is None:
                decision.forecast_value = current_projection(session, scorecard, kpi, caller.now)
            # The owner's forecast question is answered, whichever way the decision came.
            mark_responded(
                session, _id(scorecard), FORECAST_ITEM, kpi.id or 0, ANSWERED_DECIDED, caller.now
            )
        session.add(decision)
        session.flush()
        line = decision_line(session, scorecard, decision)
        return Recorded(
            review.channel if review else None,
            review.thread_ts if review else None,
            decision=line,
            today=local_today(scorecard, caller.now),
        )


def _new_or_linked_action(
    session: Session, scorecard: Scorecard, request: DecisionRequest, caller: Caller
) -> int:
    if request.linked_action_id is not None:
        action = session.get(Action, request.linked_action_id)
        if action is None or action.scorecard_id != scorecard.id:
            raise UserError("That action is no longer on the scorecard. Pick another.")
        if action.objective_id is None and request.objective_id is not None:
            action.objective_id = request.objective_id
            session.add(action)
        return action.id or 0
    title = " ".join(request.title.split())
    if not title:
        raise UserError("Name the new action, or pick an existing one to link.")
    action = Action(
        scorecard_id=_id(scorecard),
        objective_id=request.objective_id,
        key=_free_action_key(session, scorecard, title),
        title=title,
        owner=request.owner or caller.user,
        due=request.due,
        status=ACTIVE,
        created_at=caller.now,
        last_update_at=caller.now,
    )
    session.add(action)
    session.flush()
    return action.id or 0


def _free_action_key(session: Session, scorecard: Scorecard, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", title.casefold()).strip("_")[:40] or "action"
    taken = {action.key for action in actions_of(session, _id(scorecard))}
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def _change_target(
    scorecard: Scorecard, kpi: Kpi | None, request: DecisionRequest, decision: Decision
) -> None:
    if kpi is None:
        raise UserError("Which KPI's target changes? Pick one.")
    if kpi.targets:
        raise UserError(
            f"{kpi.name} has stepped targets: change them in the scorecard file and import it."
        )
    if not request.target.strip() and request.target_date is None:
        raise UserError("Give the new target, its new date, or both.")
    if request.target.strip():
        kpi.target = parse_value(
            request.target,
            kpi.unit,
            number_format=number_format_named(scorecard.number_format)
            if scorecard.number_format
            else None,
            usual_format=usual_number_format(scorecard.timezone),
            scale=(kpi.baseline, kpi.target),
        )
    if request.target_date is not None:
        kpi.target_date = request.target_date
    decision.target, decision.target_date = kpi.target, kpi.target_date


def _decide_link(
    session: Session,
    scorecard: Scorecard,
    request: DecisionRequest,
    decision: Decision,
    now: datetime,
) -> None:
    if request.link is None:
        raise UserError("Which cause-and-effect link? Pick one from the review.")
    cause = _objective(session, scorecard, request.link[0])
    effect = _objective(session, scorecard, request.link[1])
    decision.link_from, decision.link_to = cause.key, effect.key
    decision.objective_id = cause.id
    if request.kind in (KEEP_LINK, RETIRE_LINK):  # settles an earlier "revise" on the same link
        for earlier in open_link_decisions(session, _id(scorecard), cause.key, effect.key):
            earlier.settled_at = now
            session.add(earlier)
    # The link keeps its latest decision too, so the scorecard file exports it with the link.
    verdict = {kind: word for word, kind in LINK_VERDICTS.items()}[request.kind]
    decide_link(
        session,
        scorecard,
        cause.key,
        effect.key,
        verdict,
        decision.decided_by,
        now,
        decision.reason,
    )


# Schedules


def schedule_reviews_here(caller: Caller, text: str) -> ReviewScheduleView:
    """`/kpi review here monthly on the first monday at 10:00`."""
    if not caller.channel:
        raise UserError(NOT_IN_A_CHANNEL)
    schedule = parse_schedule(text)
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        row, created = schedule_review(
            session, _id(scorecard), caller.channel, schedule.canonical(), caller.user, caller.now
        )
        return _schedule_view(scorecard, row, caller.now, created)


def stop_reviews_here(caller: Caller) -> str:
    """`/kpi review off`: the channel's review schedule is removed; its channel."""
    if not caller.channel:
        raise UserError(NOT_IN_A_CHANNEL)
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        if unschedule_review(session, _id(scorecard), caller.channel) is None:
            raise UserError("This channel has no review schedule to stop.")
    return caller.channel


def _schedule_view(
    scorecard: Scorecard, row: ReviewSchedule, now: datetime, created: bool
) -> ReviewScheduleView:
    schedule = parse_schedule(row.schedule)
    zone = ZoneInfo(scorecard.timezone)
    anchor = local_today(scorecard, row.created_at)
    upcoming = next_occurrence(schedule, zone, now, anchor)
    return ReviewScheduleView(
        row.channel, schedule, upcoming.astimezone(zone) if upcoming else None, created
    )


# Export


def export_reviews(database: Database, workspace: str | None) -> str:
    """`scorecard export reviews`: the minutes of every closed review, oldest first, Markdown."""
    with database.reading() as session:
        scorecard = choose_scorecard(session, workspace)
        reviews = closed_reviews(session, _id(scorecard))
        if not reviews:
            return f"# {scorecard.name}: strategy reviews\n\nNo review has been closed yet.\n"
        parts = [f"# {scorecard.name}: strategy reviews\n"]
        parts += [(review.minutes or "").strip() + "\n" for review in reviews]
        return "\n".join(parts)


# Lookups, scoped to the caller's scorecard


def _open_review(session: Session, scorecard: Scorecard, review_id: int) -> Review:
    review = review_by_id(session, _id(scorecard), review_id)
    if review is None:
        raise UserError("That review is no longer on the scorecard.")
    if review.closed_at is not None:
        closed = local_today(scorecard, review.closed_at)
        raise UserError(
            f"That review was closed on {closed:%d %b}: bring it to the next one (`/kpi review`)."
        )
    return review


def _objective(session: Session, scorecard: Scorecard, objective_id: int) -> Objective:
    objective = session.get(Objective, objective_id)
    if objective is None or objective.scorecard_id != scorecard.id or objective.archived:
        raise UserError("That objective is no longer on the scorecard.")
    return objective


def _kpi(session: Session, scorecard: Scorecard, kpi_id: int) -> Kpi:
    kpi = session.get(Kpi, kpi_id)
    if kpi is None or kpi.scorecard_id != scorecard.id or kpi.archived:
        raise UserError("That KPI is no longer on the scorecard.")
    return kpi


def _kpis_of(session: Session, scorecard: Scorecard, objective_id: int) -> list[Kpi]:
    return [kpi for kpi in kpis_of(session, _id(scorecard)) if kpi.objective_id == objective_id]


def _id(scorecard: Scorecard) -> int:
    assert scorecard.id is not None
    return scorecard.id
