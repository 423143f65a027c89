"""Open actions as light rows: the ones that may have stalled, and the ones serving nothing.

Digests and nudge sweeps read these on scorecards with 100,000 actions, so the database does the
filtering and rows come back as plain data, not model objects. The exact stall rule is the
domain's (scorecard/stalling.py); these queries return a superset it cuts down.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from scorecard.vocabulary import ACTIVE, OPEN_ACTION_STATUSES
from storage.models import Action, Objective, Scorecard


@dataclass(frozen=True)
class ActionFacts:
    id: int
    key: str
    title: str
    owner: str | None
    status: str
    due: date | None
    stall_after_days: int | None
    last_update_at: datetime
    objective_title: str | None
    objective_id: int | None = None  # None too when its objective was taken off the scorecard
    theme: str | None = None


def action_fact_columns() -> tuple:
    return (
        Action.id,
        Action.key,
        Action.title,
        Action.owner,
        Action.status,
        Action.due,
        Action.stall_after_days,
        Action.last_update_at,
        # An objective taken off the scorecard no longer explains the action.
        case((col(Objective.archived).is_(False), Objective.title)).label("objective_title"),
        case((col(Objective.archived).is_(False), Objective.id)).label("objective_id"),
        Action.theme,
    )


def as_action_facts(rows: Iterable) -> list[ActionFacts]:
    return [ActionFacts(*row) for row in rows]


def actions_that_may_have_stalled(
    session: Session, scorecard: Scorecard, now: datetime, today: date, owner: str | None = None
) -> list[ActionFacts]:
    """Open actions (of one owner, if given) past their due date or quiet for at least the
    shortest stall period.

    A superset of the stalled ones, cut down by the database; the exact rule is the domain's.
    """
    shortest = session.exec(
        select(func.min(Action.stall_after_days)).where(
            Action.scorecard_id == scorecard.id, col(Action.stall_after_days).is_not(None)
        )
    ).one()
    days = min(scorecard.stall_after_days, shortest or scorecard.stall_after_days)
    quiet_since = now - timedelta(days=days)
    query = (
        select(*action_fact_columns())
        .outerjoin(Objective, col(Objective.id) == Action.objective_id)
        .where(
            Action.scorecard_id == scorecard.id,
            col(Action.archived).is_(False),
            col(Action.status).in_(OPEN_ACTION_STATUSES),
            or_(
                and_(col(Action.due).is_not(None), col(Action.due) < today),
                and_(Action.status == ACTIVE, col(Action.last_update_at) <= quiet_since),
            ),
        )
        .order_by(Action.id)
    )
    if owner is not None:
        query = query.where(Action.owner == owner)
    return as_action_facts(session.exec(query).all())


def actions_serving_no_objective(session: Session, scorecard_id: int) -> list[ActionFacts]:
    """Open actions linked to no objective, or to one no longer on the scorecard."""
    query = (
        select(*action_fact_columns())
        .outerjoin(Objective, col(Objective.id) == Action.objective_id)
        .where(
            Action.scorecard_id == scorecard_id,
            col(Action.archived).is_(False),
            col(Action.status).in_(OPEN_ACTION_STATUSES),
            or_(col(Action.objective_id).is_(None), col(Objective.archived).is_(True)),
        )
        .order_by(Action.position, Action.id)
    )
    return as_action_facts(session.exec(query).all())


def actions_by_theme(session: Session, scorecard_id: int) -> list[tuple[str, str, datetime]]:
    """(theme key, status, last update) of every live action with a theme: its own, else its
    objective's."""
    theme = func.coalesce(Action.theme, Objective.theme)
    query = (
        select(theme, Action.status, Action.last_update_at)
        .outerjoin(Objective, col(Objective.id) == Action.objective_id)
        .where(
            Action.scorecard_id == scorecard_id,
            col(Action.archived).is_(False),
            theme.is_not(None),
        )
    )
    return [(row[0], row[1], row[2]) for row in session.exec(query).all()]
