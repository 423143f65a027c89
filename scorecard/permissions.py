"""Who may change what: the one place every surface (slash commands, buttons, modals, shortcuts)
asks before changing the scorecard.

- The structure (objectives, KPIs, actions, targets, links, channels, the admin list itself) is
  changed by admins: the workspace's admins and owners (Slack's `users.info` `is_admin` /
  `is_owner`) and the scorecard admins listed per workspace (`/kpi admins add @someone`).
- Readings are logged by anyone, or, when the scorecard says `settings: {readings_by: owners}`,
  only by the KPI's owner and admins.
- Updates, done, stop and hand-over of an action come from its owner or an admin; work nobody
  owns yet may be picked up by anyone. Reopening is also for the owner of the objective it serves.

A refusal is a `NotAllowed` (a UserError) that names who may do it; the caller changes nothing.
Asking Slack whether someone is a workspace admin is a web call, so it is passed in as
`is_workspace_admin` and asked only when nothing else allows the change.
"""

from collections.abc import Callable, Iterable

from sqlmodel import Session

from scorecard.action_states import FINISH, HAND_OVER, REOPEN, STOP, UPDATE
from scorecard.errors import UserError
from scorecard.scorecard_spec import READINGS_BY_ANYONE
from storage.admins import admins_of
from storage.models import Action, Kpi, Objective, Scorecard

AdminCheck = Callable[[], bool]  # whether the person is a workspace admin or owner
NOTHING_CHANGED = "Nothing was changed."
# How a refusal names each change to an action.
CHANGE_WORDS = {
    UPDATE: "post updates on",
    FINISH: "mark done",
    STOP: "stop",
    REOPEN: "reopen",
    HAND_OVER: "hand over",
}


class NotAllowed(UserError):
    """The person may not make this change; the message names who may."""


def not_a_workspace_admin() -> bool:
    """The AdminCheck for callers Slack cannot vouch for (the console, scheduled jobs)."""
    return False


def is_admin(session: Session, scorecard: Scorecard, user: str, check: AdminCheck) -> bool:
    """A listed scorecard admin, or (asked only if not) a workspace admin or owner."""
    assert scorecard.id is not None
    return user in admins_of(session, scorecard.id) or check()


def require_admin(
    session: Session, scorecard: Scorecard, user: str, check: AdminCheck, what: str
) -> None:
    """Structure changes: `what` says what was asked, "add an objective"."""
    if not is_admin(session, scorecard, user, check):
        raise NotAllowed(f"Only {admins_named(session, scorecard)} may {what}. {NOTHING_CHANGED}")


def require_reading_allowed(
    session: Session, scorecard: Scorecard, kpi: Kpi, user: str, check: AdminCheck
) -> None:
    """Anyone, unless the scorecard's `readings_by` is owners: then the KPI's owner or an admin."""
    if scorecard.readings_by == READINGS_BY_ANYONE or user == kpi.owner:
        return
    if is_admin(session, scorecard, user, check):
        return
    owner = f"its owner {_mention(kpi.owner)} or " if kpi.owner else ""
    raise NotAllowed(
        f"On this scorecard readings of *{kpi.name}* are logged by {owner}"
        f"{admins_named(session, scorecard)}. Nothing was logged."
    )


def require_action_change(
    session: Session,
    scorecard: Scorecard,
    action: Action,
    objective: Objective | None,
    user: str,
    check: AdminCheck,
    change: str,
) -> None:
    """`change` is one of action_states' changes (update, done, stop, reopen, hand over)."""
    owners = [action.owner] if action.owner else []
    if change == REOPEN and objective is not None and objective.owner:
        owners.append(objective.owner)
    if not owners and change != REOPEN:
        return  # nobody owns it yet: anyone may pick it up
    if user in owners or is_admin(session, scorecard, user, check):
        return
    who = "the owner" if action.owner else ""
    if action.owner:
        who += f" {_mention(action.owner)}"
    if len(owners) > 1:
        who += f", the owner of the objective it serves {_mention(owners[1])}"
    elif owners and owners[0] != action.owner:
        who = f"the owner of the objective it serves {_mention(owners[0])}"
    lead = f"{who.strip()} or " if who.strip() else ""
    admins = admins_named(session, scorecard)
    raise NotAllowed(
        f"Only {lead}{admins} may {CHANGE_WORDS[change]} *{action.title}*. {NOTHING_CHANGED}"
    )


def admins_named(session: Session, scorecard: Scorecard) -> str:
    """ "a scorecard admin (<@U1>, <@U2>) or a workspace admin or owner"."""
    assert scorecard.id is not None
    listed = admins_of(session, scorecard.id)
    if not listed:
        return "a workspace admin or owner (no scorecard admins are listed yet)"
    return f"a scorecard admin ({_mentions(listed)}) or a workspace admin or owner"


def _mentions(users: Iterable[str]) -> str:
    return ", ".join(_mention(user) for user in users)


def _mention(user: str | None) -> str:
    return f"<@{user}>" if user else "nobody"
