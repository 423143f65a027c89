"""Scorecard admins: the people listed per workspace who may change the scorecard's structure."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from storage.models import ScorecardAdmin


def admins_of(session: Session, scorecard_id: int) -> Sequence[str]:
    """The listed admins' user ids, in the order they were added."""
    query = select(ScorecardAdmin.user).where(ScorecardAdmin.scorecard_id == scorecard_id)
    return session.exec(query.order_by(ScorecardAdmin.added_at, ScorecardAdmin.user)).all()


def add_admin(session: Session, scorecard_id: int, user: str, by: str, at: datetime) -> bool:
    """List `user` as an admin; False when they already were."""
    if session.get(ScorecardAdmin, (scorecard_id, user)) is not None:
        return False
    session.add(ScorecardAdmin(scorecard_id=scorecard_id, user=user, added_by=by, added_at=at))
    session.flush()
    return True


def remove_admin(session: Session, scorecard_id: int, user: str) -> bool:
    """Take `user` off the list; False when they were not on it."""
    row = session.get(ScorecardAdmin, (scorecard_id, user))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
