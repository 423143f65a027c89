"""When an action counts as stalled: the rule /action mine, digests and nudges share."""

from datetime import date, datetime, timedelta
from typing import Protocol

from scorecard.vocabulary import ACTIVE, OPEN_ACTION_STATUSES
from storage.models import Scorecard


class ActionProgress(Protocol):
    """What the stall rule reads of an action: a model object or a light row alike."""

    @property
    def status(self) -> str: ...

    @property
    def due(self) -> date | None: ...

    @property
    def stall_after_days(self) -> int | None: ...

    @property
    def last_update_at(self) -> datetime: ...


def stall_after(action: ActionProgress, scorecard: Scorecard) -> timedelta:
    days = action.stall_after_days or scorecard.stall_after_days
    return timedelta(days=days)


def is_overdue(action: ActionProgress, today: date) -> bool:
    return action.status in OPEN_ACTION_STATUSES and action.due is not None and action.due < today


def is_stalled(action: ActionProgress, scorecard: Scorecard, now: datetime, today: date) -> bool:
    """Active with no update for the stall period, or open and past its due date."""
    if is_overdue(action, today):
        return True
    return action.status == ACTIVE and now - action.last_update_at >= stall_after(action, scorecard)
