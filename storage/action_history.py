"""When actions started and finished, read from their history of updates."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from scorecard.vocabulary import DONE, STOPPED
from storage.models import Action, ActionUpdate


@dataclass(frozen=True)
class ActionMoments:
    """One action with the first moment of each kind of update it has (None: never)."""

    id: int
    title: str
    status: str
    last_update_at: datetime
    first_update_at: datetime | None  # kind "update": the first news of work on it
    done_at: datetime | None
    stopped_at: datetime | None


def action_moments(session: Session, objective_id: int) -> list[ActionMoments]:
    """The live actions serving one objective, with when each was first updated, done, stopped."""

    def first(kind: str):  # noqa: ANN202 (a SQL expression)
        return (
            select(func.min(ActionUpdate.created_at))
            .where(ActionUpdate.action_id == Action.id, ActionUpdate.kind == kind)
            .scalar_subquery()
        )

    query = (
        select(
            Action.id,
            Action.title,
            Action.status,
            Action.last_update_at,
            first("update"),
            first(DONE),
            first(STOPPED),
        )
        .where(Action.objective_id == objective_id, col(Action.archived).is_(False))
        .order_by(Action.position, Action.id)
    )
    return [ActionMoments(*row) for row in session.exec(query).all()]
