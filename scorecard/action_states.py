"""The life of an action: which changes are allowed from which status, in one place.

    planned ──update──▶ active ──done──▶ done
       │                  │  ▲             │
       ├──done──▶ done    │  └──reopen─────┤
       └──stop──▶ stopped ◀──stop──┘       │
                     └──────reopen─────────┘ (back to active)

An update starts a planned action. Done and stopped are closed: nothing more is posted on them
until someone reopens the action. Handing an action over keeps its status. Anything else is
refused with the reason. Who may make each change is scorecard/permissions.py's to say.
"""

from scorecard.errors import UserError
from scorecard.vocabulary import ACTIVE, DONE, PLANNED, STOPPED
from storage.models import Action

UPDATE, FINISH, STOP, REOPEN, HAND_OVER = "update", "done", "stop", "reopen", "hand over"

# (status now, change) -> status after it. Whatever is not here is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (PLANNED, UPDATE): ACTIVE,
    (ACTIVE, UPDATE): ACTIVE,
    (PLANNED, FINISH): DONE,
    (ACTIVE, FINISH): DONE,
    (PLANNED, STOP): STOPPED,
    (ACTIVE, STOP): STOPPED,
    (DONE, REOPEN): ACTIVE,
    (STOPPED, REOPEN): ACTIVE,
    (PLANNED, HAND_OVER): PLANNED,
    (ACTIVE, HAND_OVER): ACTIVE,
}


def next_status(action: Action, change: str) -> str:
    """The status `change` leads to from the action's status, or a UserError saying why not."""
    allowed = TRANSITIONS.get((action.status, change))
    if allowed is None:
        raise UserError(_refusal(action, change))
    return allowed


def _refusal(action: Action, change: str) -> str:
    title, status, key = action.title, action.status, action.key
    reopen = f"`/action reopen {key}` first if the work has started again."
    if change == REOPEN:
        return f"*{title}* is still {status}, so there is nothing to reopen."
    if (status, change) == (DONE, FINISH):
        return f"*{title}* is already done. Nice."
    if (status, change) == (STOPPED, STOP):
        return f"*{title}* is already stopped."
    if (status, change) == (STOPPED, FINISH):
        return f"*{title}* was stopped, so it can't be marked done. {reopen}"
    if (status, change) == (DONE, STOP):
        return f"*{title}* is already done, so there is nothing left to stop."
    return f"*{title}* is {status}, so there is nothing to {change}. {reopen}"
