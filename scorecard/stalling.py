"""When an action counts as stalled: the rule /action mine, digests and nudges share."""

from datetime import date, datetime, timedelta

from scorecard.vocabulary import ACTIVE, OPEN_ACTION_STATUSES
from storage.models import Action, Scorecard


def stall_after(action: Action, scorecard: Scorecard) -> timedelta:
    days = action.stall_after_days or scorecard.stall_after_days
    return timedelta(days=days)


def is_overdue(action: Action, today: date) -> bool:
    return action.status in OPEN_ACTION_STATUSES and action.due is not None and action.due < today


def is_stalled(action: Action, scorecard: Scorecard, now: datetime, today: date) -> bool:
    """Active with no update for the stall period, or open and past its due date."""
    if is_overdue(action, today):
        return True
    return action.status == ACTIVE and now - action.last_update_at >= stall_after(action, scorecard)
