"""Where the team hears of changes: the scorecard's updates channel, or an objective's own.

A reading that moves a KPI to another status, and an action done or stopped, are news: one short
line in the channel named by the objective they serve (`updates_channel:` on the objective in the
scorecard file), else by the scorecard (`settings: {updates_channel: C0123}`), else nowhere.
"""

from scorecard.caller import Caller
from scorecard.permissions import require_admin
from scorecard.workspace import require_scorecard
from storage.models import Objective, Scorecard


def news_channel(scorecard: Scorecard, objective: Objective | None) -> str | None:
    """The channel news about an item serving `objective` (None: serving none) goes to."""
    if objective is not None and not objective.archived and objective.updates_channel:
        return objective.updates_channel
    return scorecard.updates_channel


def set_updates_channel(caller: Caller, channel: str | None) -> Scorecard:
    """Name the scorecard's updates channel (None: no channel). For admins (the workspace's admins
    and owners, and the scorecard admins: scorecard/permissions.py); anyone else gets NotAllowed
    naming them, and nothing changes."""
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        check = caller.confirmed_workspace_admin
        require_admin(session, scorecard, caller.user, check, "choose the updates channel")
        scorecard.updates_channel = channel or None
        session.add(scorecard)
        return scorecard
