"""Where the team hears of changes: the scorecard's updates channel, or an objective's own.

A reading that moves a KPI to another status, and an action done or stopped, are news: one short
line in the channel named by the objective they serve (`updates_channel:` on the objective in the
scorecard file), else by the scorecard (`settings: {updates_channel: C0123}`), else nowhere.
"""

from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.workspace import require_scorecard
from storage.models import Objective, Scorecard

ADMINS_ONLY = (
    "Only a workspace admin or owner can choose the scorecard's updates channel. "
    "Nothing was changed."
)


def news_channel(scorecard: Scorecard, objective: Objective | None) -> str | None:
    """The channel news about an item serving `objective` (None: serving none) goes to."""
    if objective is not None and not objective.archived and objective.updates_channel:
        return objective.updates_channel
    return scorecard.updates_channel


def set_updates_channel(caller: Caller, channel: str | None) -> Scorecard:
    """Name the scorecard's updates channel (None: no channel). For workspace admins and owners
    (`caller.is_workspace_admin`); anyone else gets a UserError and nothing changes."""
    if not caller.is_workspace_admin:
        raise UserError(ADMINS_ONLY)
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        scorecard.updates_channel = channel or None
        session.add(scorecard)
        return scorecard
