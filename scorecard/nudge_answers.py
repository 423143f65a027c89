"""A caller answering a nudge: snoozing an item, and the nudge redrawn as it stands now."""

from scorecard.caller import Caller
from scorecard.nudges import NudgeMessage, Snoozed, nudge_as_it_stands, snooze_action


def snooze(caller: Caller, action_id: int) -> Snoozed:
    """The "Snooze a week" button."""
    with caller.database.writing() as session:
        return snooze_action(session, caller.workspace, action_id, caller.user, caller.now)


def nudge_clicked(caller: Caller) -> NudgeMessage | None:
    """The nudge the caller clicked on, with today's state of its items; None if not a nudge."""
    if not caller.channel or not caller.message_ts:
        return None
    with caller.database.reading() as session:
        return nudge_as_it_stands(
            session, caller.workspace, caller.channel, caller.message_ts, caller.now
        )
