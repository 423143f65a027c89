"""Strategy reviews, their commentaries and decisions, and the schedules that open them."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    Decision,
    Nudge,
    Review,
    ReviewCommentary,
    ReviewSchedule,
    Scorecard,
    WorkspaceUninstall,
)

# Reviews opened by hand: the claim key is unique per moment (scheduled ones use the period).
MANUAL_PREFIX = "manual:"


# Reviews


def claim_review(session: Session, review: Review) -> Review | None:
    """Insert `review`, or None when its (channel, period) is already claimed.

    Runs in a savepoint, so a lost race leaves the caller's transaction usable."""
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:
        return None
    return review


def open_review_in(session: Session, scorecard_id: int, channel: str) -> Review | None:
    query = (
        select(Review)
        .where(
            Review.scorecard_id == scorecard_id,
            Review.channel == channel,
            col(Review.closed_at).is_(None),
        )
        .order_by(col(Review.opened_at).desc(), col(Review.id).desc())
    )
    return session.exec(query).first()


def review_by_id(session: Session, scorecard_id: int, review_id: int) -> Review | None:
    review = session.get(Review, review_id)
    return review if review is not None and review.scorecard_id == scorecard_id else None


def last_closed_review(session: Session, scorecard_id: int) -> Review | None:
    query = (
        select(Review)
        .where(Review.scorecard_id == scorecard_id, col(Review.closed_at).is_not(None))
        .order_by(col(Review.closed_at).desc(), col(Review.id).desc())
    )
    return session.exec(query).first()


def closed_reviews(session: Session, scorecard_id: int) -> Sequence[Review]:
    query = (
        select(Review)
        .where(Review.scorecard_id == scorecard_id, col(Review.closed_at).is_not(None))
        .order_by(col(Review.closed_at), col(Review.id))
    )
    return session.exec(query).all()


def latest_canvas(session: Session, scorecard_id: int, channel: str) -> str | None:
    """The channel canvas an earlier review's minutes went to, if any."""
    query = (
        select(Review.canvas_id)
        .where(
            Review.scorecard_id == scorecard_id,
            Review.channel == channel,
            col(Review.canvas_id).is_not(None),
        )
        .order_by(col(Review.id).desc())
    )
    return session.exec(query).first()


def delete_review(session: Session, review_id: int) -> None:
    review = session.get(Review, review_id)
    if review is not None:
        session.delete(review)


# Commentaries and decisions


def commentaries_of(session: Session, review_id: int) -> Sequence[ReviewCommentary]:
    query = (
        select(ReviewCommentary)
        .where(ReviewCommentary.review_id == review_id)
        .order_by(col(ReviewCommentary.created_at), col(ReviewCommentary.id))
    )
    return session.exec(query).all()


def decisions_of(session: Session, review_id: int) -> Sequence[Decision]:
    query = (
        select(Decision)
        .where(Decision.review_id == review_id)
        .order_by(col(Decision.decided_at), col(Decision.id))
    )
    return session.exec(query).all()


def forecast_decisions_since(
    session: Session, scorecard_id: int, since: datetime | None
) -> Sequence[Decision]:
    """Decisions owners took outside a review (answering a forecast), oldest first."""
    query = select(Decision).where(
        Decision.scorecard_id == scorecard_id, col(Decision.review_id).is_(None)
    )
    if since is not None:
        query = query.where(Decision.decided_at > since)
    return session.exec(query.order_by(col(Decision.decided_at), col(Decision.id))).all()


def open_link_decisions(
    session: Session, scorecard_id: int, cause_key: str, effect_key: str
) -> Sequence[Decision]:
    query = select(Decision).where(
        Decision.scorecard_id == scorecard_id,
        Decision.link_from == cause_key,
        Decision.link_to == effect_key,
        col(Decision.settled_at).is_(None),
    )
    return session.exec(query).all()


def latest_kpi_decision(session: Session, scorecard_id: int, kpi_id: int) -> Decision | None:
    query = (
        select(Decision)
        .where(Decision.scorecard_id == scorecard_id, Decision.kpi_id == kpi_id)
        .order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
    )
    return session.exec(query).first()


def latest_kpi_decisions(session: Session, scorecard_id: int) -> dict[int, Decision]:
    """The latest decision on each KPI that has one."""
    query = (
        select(Decision)
        .where(Decision.scorecard_id == scorecard_id, col(Decision.kpi_id).is_not(None))
        .order_by(col(Decision.decided_at), col(Decision.id))
    )
    return {decision.kpi_id: decision for decision in session.exec(query).all() if decision.kpi_id}


def forecast_questions_asked(session: Session, scorecard_id: int, kind: str) -> dict[int, datetime]:
    """When each KPI's forecast question (nudge item `kind`) was last put to its owner."""
    query = (
        select(Nudge.item_id, func.max(Nudge.sent_at))
        .where(Nudge.scorecard_id == scorecard_id, Nudge.item_kind == kind)
        .group_by(col(Nudge.item_id))
    )
    return {row[0]: row[1] for row in session.exec(query).all()}


# Schedules


def schedule_review(
    session: Session, scorecard_id: int, channel: str, schedule: str, user: str, now: datetime
) -> tuple[ReviewSchedule, bool]:
    """Set the channel's review schedule; (row, whether it is new)."""
    found = session.exec(
        select(ReviewSchedule).where(
            ReviewSchedule.scorecard_id == scorecard_id, ReviewSchedule.channel == channel
        )
    ).first()
    if found is not None:
        found.schedule = schedule
        session.add(found)
        return found, False
    row = ReviewSchedule(
        scorecard_id=scorecard_id,
        channel=channel,
        schedule=schedule,
        created_by=user,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, True


def unschedule_review(session: Session, scorecard_id: int, channel: str) -> ReviewSchedule | None:
    found = session.exec(
        select(ReviewSchedule).where(
            ReviewSchedule.scorecard_id == scorecard_id, ReviewSchedule.channel == channel
        )
    ).first()
    if found is not None:
        session.delete(found)
    return found


def review_schedules(session: Session) -> list[tuple[Scorecard, ReviewSchedule]]:
    """Every channel's review schedule, leaving out workspaces that removed the app."""
    query = (
        select(Scorecard, ReviewSchedule)
        .join(ReviewSchedule, col(ReviewSchedule.scorecard_id) == Scorecard.id)
        .outerjoin(WorkspaceUninstall, col(WorkspaceUninstall.workspace) == Scorecard.workspace)
        .where(col(WorkspaceUninstall.workspace).is_(None))
    )
    return [(row[0], row[1]) for row in session.exec(query).all()]
