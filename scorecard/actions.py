"""Progress on actions: updates, done, stopped, and what is on someone's plate."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from scorecard.action_states import FINISH, HAND_OVER, REOPEN, STOP, UPDATE, may_reopen, next_status
from scorecard.errors import UserError
from scorecard.finding import action_names
from scorecard.leading_item import leading_item
from scorecard.stalling import is_stalled
from scorecard.team_updates import news_channel
from scorecard.vocabulary import DONE, OPEN_ACTION_STATUSES, STOPPED
from scorecard.workspace import local_today, require_scorecard
from storage.models import Action, ActionUpdate, Objective, Scorecard
from storage.nudges import (
    ACTION_ITEM,
    ANSWERED_DONE,
    ANSWERED_REASSIGNED,
    ANSWERED_UPDATE,
    mark_responded,
)
from storage.scorecards import actions_of, objectives_of

LIST_ACTIONS = "/action mine"
# The kinds of history entry written when an action changes hands, and when it is reopened.
REASSIGNED = "reassigned"
REOPENED = "reopened"


@dataclass(frozen=True)
class ActionChanged:
    action: Action
    objective: Objective | None  # None: the action serves no objective
    update: ActionUpdate  # its author is who made the change
    owner_before: str | None = None  # who owned the action when it was changed
    news_channel: str | None = None  # where the team hears it is done or stopped, if anywhere

    @property
    def is_news(self) -> bool:
        """Done or stopped: worth one line in the updates channel."""
        return self.update.kind in (DONE, STOPPED)

    @property
    def owner_to_tell(self) -> str | None:
        """The owner, when someone else changed their action: they should hear of it."""
        owner = self.owner_before
        return owner if owner and owner != self.update.author else None


@dataclass(frozen=True)
class MyAction:
    action: Action
    objective: Objective | None
    stalled: bool


def post_update(
    session: Session, workspace: str, text: str, user: str, now: datetime
) -> ActionChanged:
    """`/action update <action> <text>`: a progress note; it also restarts the stall clock."""
    action, note = _action_and_text(session, workspace, text, UPDATE)
    if not note:
        raise UserError(
            f"What's the news on *{action.title}*? "
            f"Try `/action update {action.key} briefed the agency`."
        )
    return _post(session, action, note, user, now)


def mark_done(
    session: Session, workspace: str, text: str, user: str, now: datetime
) -> ActionChanged:
    action, note = _action_and_text(session, workspace, text, FINISH)
    return _mark_done(session, action, user, now, note)


def stop_action(
    session: Session, workspace: str, text: str, user: str, now: datetime
) -> ActionChanged:
    """Stopping work that serves nothing is a good outcome, so it is one command away."""
    action, reason = _action_and_text(session, workspace, text, STOP)
    action.status = next_status(action, STOP)
    return _record(session, action, user, now, STOPPED, reason or "Stopped", action.owner)


def reopen_action(
    session: Session, workspace: str, text: str, user: str, is_admin: bool, now: datetime
) -> ActionChanged:
    """`/action reopen <action> [why]`: a done or stopped action is open again (active).

    Only its owner, the owner of its objective or a workspace admin (`is_admin`) may."""
    action, why = _action_and_text(session, workspace, text, REOPEN)
    status = next_status(action, REOPEN)
    objective = session.get(Objective, action.objective_id) if action.objective_id else None
    if not may_reopen(action, objective, user, is_admin):
        raise UserError(
            f"Only the owner of *{action.title}*, the owner of the objective it serves, or a "
            "workspace admin can reopen it. Nothing was changed."
        )
    action.status = status
    return _record(session, action, user, now, REOPENED, why or "Reopened", action.owner)


def post_update_to(
    session: Session, workspace: str, action_id: int, text: str, user: str, now: datetime
) -> ActionChanged:
    """The "Post update" modal: like `/action update`, for an action already chosen."""
    action = find_action_by_id(session, workspace, action_id)
    if not text.strip():
        raise UserError(f"What's the news on *{action.title}*? A line is enough.")
    changed = _post(session, action, text.strip(), user, now)
    _answers_nudges(session, action, ANSWERED_UPDATE, now)
    return changed


def mark_done_by_id(
    session: Session, workspace: str, action_id: int, user: str, now: datetime
) -> ActionChanged:
    """The "Mark done" button: like `/action done`, for an action already chosen."""
    action = find_action_by_id(session, workspace, action_id)
    changed = _mark_done(session, action, user, now, "")
    _answers_nudges(session, action, ANSWERED_DONE, now)
    return changed


def reassign_action(
    session: Session, workspace: str, action_id: int, new_owner: str, user: str, now: datetime
) -> ActionChanged:
    """The "Not mine" button: hand an action to someone else, with a fresh stall period."""
    action = find_action_by_id(session, workspace, action_id)
    next_status(action, HAND_OVER)
    if action.owner == new_owner:
        raise UserError(f"*{action.title}* already belongs to them.")
    previous = action.owner
    action.owner = new_owner
    changed = _record(
        session,
        action,
        user,
        now,
        REASSIGNED,
        f"Handed from {previous or 'nobody'} to {new_owner}",
        previous,
    )
    _answers_nudges(session, action, ANSWERED_REASSIGNED, now)
    return changed


def open_actions_for(session: Session, workspace: str, user: str) -> list[Action]:
    """Open actions for a picker: the person's own first, then everyone else's."""
    scorecard = require_scorecard(session, workspace)
    actions = list(actions_of(session, scorecard.id, OPEN_ACTION_STATUSES))
    return sorted(actions, key=lambda action: action.owner != user)


def find_action_by_id(session: Session, workspace: str, action_id: int) -> Action:
    scorecard = require_scorecard(session, workspace)
    action = session.get(Action, action_id)
    if action is None or action.scorecard_id != scorecard.id or action.archived:
        raise UserError("That action is no longer on the scorecard.")
    return action


def my_actions(session: Session, workspace: str, user: str, now: datetime) -> list[MyAction]:
    scorecard = require_scorecard(session, workspace)
    today = local_today(scorecard, now)
    objectives = {o.id: o for o in objectives_of(session, scorecard.id)}
    return [
        MyAction(
            action, objectives.get(action.objective_id), is_stalled(action, scorecard, now, today)
        )
        for action in actions_of(session, scorecard.id, OPEN_ACTION_STATUSES)
        if action.owner == user
    ]


def _action_and_text(
    session: Session, workspace: str, text: str, change: str
) -> tuple[Action, str]:
    """The action `text` surely starts with, and the rest; a Question when unsure."""
    scorecard = require_scorecard(session, workspace)
    actions = list(actions_of(session, scorecard.id))
    if not actions:
        raise UserError("This scorecard has no actions yet: add them to its file, then import it.")
    action, rest = leading_item(
        text, actions, action_names, "action", "/action", change, LIST_ACTIONS
    )
    return action, rest.strip()


def _post(session: Session, action: Action, note: str, user: str, now: datetime) -> ActionChanged:
    action.status = next_status(action, UPDATE)
    return _record(session, action, user, now, "update", note, action.owner)


def _mark_done(
    session: Session, action: Action, user: str, now: datetime, note: str
) -> ActionChanged:
    action.status = next_status(action, FINISH)
    return _record(session, action, user, now, DONE, note or "Marked done", action.owner)


def _answers_nudges(session: Session, action: Action, answer: str, now: datetime) -> None:
    """A button or modal on a nudge answered it: no escalation for this action."""
    assert action.id is not None
    mark_responded(session, action.scorecard_id, ACTION_ITEM, action.id, answer, now)


def _record(
    session: Session,
    action: Action,
    user: str,
    now: datetime,
    kind: str,
    text: str,
    owner_before: str | None,
) -> ActionChanged:
    """Write the change into the action's history (`owner_before`: who owned it until now)."""
    action.last_update_at = now
    update = ActionUpdate(action_id=action.id, author=user, kind=kind, text=text, created_at=now)
    session.add(action)
    session.add(update)
    session.flush()
    objective = session.get(Objective, action.objective_id) if action.objective_id else None
    scorecard = session.get(Scorecard, action.scorecard_id)
    channel = news_channel(scorecard, objective) if scorecard is not None else None
    return ActionChanged(action, objective, update, owner_before, channel)
