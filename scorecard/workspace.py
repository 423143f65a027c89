"""Finding the scorecard a Slack workspace asks about, and what day it is there."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.errors import UserError
from storage.models import Scorecard
from storage.scorecards import find_scorecard

NO_SCORECARD = (
    "This workspace has no scorecard yet. Someone with access to the server can load one with "
    "`scorecard import scorecard.yaml` (the `examples/` folder has two to start from)."
)


def require_scorecard(session: Session, workspace: str) -> Scorecard:
    scorecard = find_scorecard(session, workspace)
    if scorecard is None:
        raise UserError(NO_SCORECARD)
    return scorecard


def local_now(scorecard: Scorecard, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(scorecard.timezone))


def local_today(scorecard: Scorecard, now: datetime) -> date:
    """The date it is in the scorecard's time zone: readings are for the team's day, not UTC's."""
    return local_now(scorecard, now).date()
