"""What a caller can do with actions, each in its own short session.

The entry points handlers call for `/action`, the nudge buttons and the action modals: each
opens the session it needs, so no listener holds a transaction.
"""

from dataclasses import dataclass

from scorecard.actions import (
    ActionChanged,
    MyAction,
    find_action_by_id,
    mark_done,
    mark_done_by_id,
    my_actions,
    open_actions_for,
    post_update,
    post_update_to,
    reassign_action,
    reopen_action,
    stop_action,
)
from scorecard.caller import Caller
from scorecard.errors import UserError
from storage.models import Action


@dataclass(frozen=True)
class ActionForm:
    """What the Post-update modal shows: one action chosen already, or the actions to pick from."""

    action: Action | None
    choices: list[Action]


def update_typed(caller: Caller, text: str) -> ActionChanged:
    """`/action update <action> <text>`."""
    with caller.database.writing() as session:
        return post_update(
            session,
            caller.workspace,
            text,
            caller.user,
            caller.now,
            caller.confirmed_workspace_admin,
        )


def finish_typed(caller: Caller, text: str) -> ActionChanged:
    """`/action done <action>`."""
    with caller.database.writing() as session:
        return mark_done(
            session,
            caller.workspace,
            text,
            caller.user,
            caller.now,
            caller.confirmed_workspace_admin,
        )


def stop_typed(caller: Caller, text: str) -> ActionChanged:
    """`/action stop <action> [reason]`."""
    with caller.database.writing() as session:
        return stop_action(
            session,
            caller.workspace,
            text,
            caller.user,
            caller.now,
            caller.confirmed_workspace_admin,
        )


def open_actions_of_caller(caller: Caller) -> list[MyAction]:
    """`/action mine`."""
    with caller.database.reading() as session:
        return my_actions(session, caller.workspace, caller.user, caller.now)


def action_update_form(caller: Caller, action_id: int | None) -> ActionForm:
    """The Post-update modal for one action, or (no id) with open actions to pick from."""
    with caller.database.reading() as session:
        if action_id is not None:
            return ActionForm(find_action_by_id(session, caller.workspace, action_id), [])
        choices = open_actions_for(session, caller.workspace, caller.user)
    if not choices:
        raise UserError("There are no open actions on the scorecard to update.")
    return ActionForm(None, choices)


def action_by_id(caller: Caller, action_id: int) -> Action:
    with caller.database.reading() as session:
        return find_action_by_id(session, caller.workspace, action_id)


def update_from_form(caller: Caller, action_id: int, text: str) -> ActionChanged:
    """The Post-update modal submitted."""
    with caller.database.writing() as session:
        return post_update_to(
            session,
            caller.workspace,
            action_id,
            text,
            caller.user,
            caller.now,
            caller.confirmed_workspace_admin,
        )


def finish_by_id(caller: Caller, action_id: int) -> ActionChanged:
    """The "Mark done" button."""
    with caller.database.writing() as session:
        return mark_done_by_id(
            session,
            caller.workspace,
            action_id,
            caller.user,
            caller.now,
            caller.confirmed_workspace_admin,
        )


def hand_over(caller: Caller, action_id: int, new_owner: str) -> ActionChanged:
    """The "Not mine" modal submitted: the action goes to `new_owner`."""
    with caller.database.writing() as session:
        return reassign_action(
            session,
            caller.workspace,
            action_id,
            new_owner,
            caller.user,
            caller.now,
            caller.confirmed_workspace_admin,
        )


def reopen_typed(caller: Caller, text: str) -> ActionChanged:
    """`/action reopen <action> [why]`: for its owner, its objective's owner or an admin."""
    with caller.database.writing() as session:
        return reopen_action(
            session,
            caller.workspace,
            text,
            caller.user,
            caller.confirmed_workspace_admin,
            caller.now,
        )
