"""Finding the scorecard a Slack workspace asks about, and what day it is there."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.errors import UserError
from storage.models import Scorecard
from storage.scorecards import all_scorecards, find_scorecard

HOW_TO_IMPORT = "Load one with `scorecard import my-scorecard.yaml` (see `examples/`)."
NO_SCORECARD = (
    "This workspace has no scorecard yet. Someone with access to the server can load one with "
    "`scorecard import scorecard.yaml` (the `examples/` folder has two to start from)."
)


def require_scorecard(session: Session, workspace: str) -> Scorecard:
    scorecard = find_scorecard(session, workspace)
    if scorecard is None:
        raise UserError(NO_SCORECARD)
    return scorecard


def choose_scorecard(session: Session, workspace: str | None) -> Scorecard:
    """The scorecard a command-line task means: the one named, or the only one there is."""
    if workspace:
        scorecard = find_scorecard(session, workspace)
        if scorecard is None:
            raise UserError(f"There is no scorecard for workspace {workspace}. {HOW_TO_IMPORT}")
        return scorecard
    scorecards = all_scorecards(session)
    if not scorecards:
        raise UserError(f"The database has no scorecard yet. {HOW_TO_IMPORT}")
    if len(scorecards) > 1:
        workspaces = ", ".join(scorecard.workspace for scorecard in scorecards)
        raise UserError(
            f"The database holds several scorecards ({workspaces}): pick one with `--workspace T…`."
        )
    return scorecards[0]


def local_now(scorecard: Scorecard, now: datetime) -> datetime:
    """`now` (or any moment) in the scorecard's time zone: how a moment is shown as a day."""
    return now.astimezone(ZoneInfo(scorecard.timezone))


def local_today(scorecard: Scorecard, now: datetime) -> date:
    """The date it is in the scorecard's time zone: readings are for the team's day, not UTC's."""
    return local_now(scorecard, now).date()
