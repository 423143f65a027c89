"""Slack plumbing shared by the button and modal listeners: who clicked, what they entered, and
how an answer reaches them.

A modal remembers where it was opened from (channel and message) in its private_metadata, so its
submission can answer in the same place. Every answer goes through `replies.settle`, so a
person's mistake gets its message and a bug an apology, whatever the surface.
"""

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.direct_messages import tell_privately
from handlers.commands import Message
from handlers.replies import Built, Outcome, error_message, settle
from handlers.services import Services
from handlers.workspace_admins import is_workspace_admin as is_workspace_admin  # re-exported
from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.nudge_answers import nudge_clicked
from templates import render

logger = logging.getLogger(__name__)

# Slack allows 3 seconds between a click and the views.open that answers it.
MODAL_TOO_LATE = "That took too long on Slack's side, so the form could not open. Click again."
MODAL_REFUSED = "Slack would not open the form just now ({error}). Click again in a moment."


# Who is asking


def caller_of_click(body: dict[str, Any], services: Services) -> Caller:
    """The person who pressed a button, in the channel and on the message they pressed it in."""
    container = body.get("container") or {}
    return services.caller(
        workspace=team_of(body),
        user=(body.get("user") or {}).get("id", ""),
        channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
        message_ts=container.get("message_ts") or (body.get("message") or {}).get("ts"),
    )


def caller_of_shortcut(body: dict[str, Any], services: Services) -> Caller:
    """The person who used a shortcut: a global one (from anywhere, so no channel) or a message
    shortcut (in the channel of the message)."""
    return services.caller(
        workspace=team_of(body),
        user=(body.get("user") or {}).get("id", ""),
        channel=(body.get("channel") or {}).get("id"),
    )


def caller_of_submission(body: dict[str, Any], services: Services) -> Caller:
    """The person who submitted a modal, where the modal was opened from (its metadata)."""
    metadata = metadata_of(body["view"])
    return services.caller(
        workspace=team_of(body),
        user=(body.get("user") or {}).get("id", ""),
        channel=metadata.get("channel"),
        message_ts=metadata.get("ts"),
    )


def team_of(body: dict[str, Any]) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", "")


def click_summary(body: dict[str, Any]) -> dict[str, Any]:
    """What to log about a click or submission: enough to reproduce it, nothing secret."""
    actions = body.get("actions") or [{}]
    return {
        "team_id": team_of(body),
        "user_id": (body.get("user") or {}).get("id"),
        "type": body.get("type"),
        "action_id": actions[0].get("action_id"),
        "value": actions[0].get("value"),
        "callback_id": (body.get("view") or {}).get("callback_id") or body.get("callback_id"),
    }


# What they entered


def modal_metadata(caller: Caller, item: int | None) -> dict[str, Any]:
    """What a modal remembers: the item it is about and where it was opened from."""
    return {"item": item, "channel": caller.channel, "ts": caller.message_ts}


def metadata_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def field(view: dict[str, Any], block: str, action: str) -> str | None:
    """What the person entered in one input of a submitted modal, whatever its kind."""
    entry = ((view.get("state") or {}).get("values") or {}).get(block, {}).get(action) or {}
    option = entry.get("selected_option") or {}
    return (
        entry.get("value")
        or entry.get("selected_date")
        or entry.get("selected_user")
        or option.get("value")
    )


def chosen(view: dict[str, Any], block: str, action: str) -> list[str]:
    """The values picked in a multi-select input of a submitted modal."""
    entry = ((view.get("state") or {}).get("values") or {}).get(block, {}).get(action) or {}
    return [str(option.get("value")) for option in entry.get("selected_options") or []]


def as_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def item_id(action: dict[str, Any]) -> int | None:
    """The item a button is about (its value), or None for a button about no item in particular."""
    return as_id(str(action.get("value") or ""))


def required_id(action: dict[str, Any]) -> int:
    item = item_id(action)
    if item is None:
        raise UserError("That button has lost track of its item. Try `/action mine`.")
    return item


# How the answer reaches them


def open_modal(
    client: WebClient,
    trigger_id: str,
    caller: Caller,
    build: Callable[[], Message],
    about: dict[str, Any],
) -> None:
    """Open the modal `build` returns; its mistake, a bug, or Slack refusing is told instead."""
    outcome = settle(build, about)
    if not outcome.succeeded:
        tell(client, caller, outcome.message)
        return
    try:
        client.views_open(trigger_id=trigger_id, view=outcome.message)
    except SlackApiError as error:
        code = str(error.response.get("error"))
        logger.warning("views.open refused (%s): %s", code, about)
        problem = MODAL_TOO_LATE if code == "expired_trigger_id" else MODAL_REFUSED
        tell(client, caller, error_message(problem.format(error=code)))


def answer_click(
    client: WebClient, caller: Caller, build: Callable[[], Built], about: dict[str, Any]
) -> Outcome:
    """Record what a button does; confirm it (redrawing a nudge), or tell what went wrong."""
    outcome = settle(build, about)
    if outcome.succeeded:
        show_answer(client, caller, outcome.message)
        outcome.send_notices(client)
    else:
        tell(client, caller, outcome.message)
    return outcome


def answer_options(ack: Ack, build: Callable[[], Message], about: dict[str, Any]) -> None:
    """A select menu asked for options (`block_suggestion`): the options `build` returns, or none
    (a menu can show no message, so a mistake or a bug leaves it empty; a bug is logged)."""
    outcome = settle(build, about)
    ack(options=outcome.message["options"] if outcome.succeeded else [])


def answer_submission(
    ack: Ack,
    client: WebClient,
    caller: Caller,
    build: Callable[[], Built],
    about: dict[str, Any],
    block_for: Callable[[UserError], str],
) -> Outcome:
    """A modal submitted: a mistake shows on the field `block_for` names and the modal stays open;
    otherwise the modal closes and the result (or, for a bug, the apology) is shown."""
    outcome = settle(build, about)
    if outcome.mistake is not None:
        mistake = outcome.mistake
        # A mistake about several fields (`by_field`: {block id: message}) shows on each of them.
        errors = getattr(mistake, "by_field", None) or {block_for(mistake): mistake.message}
        ack(response_action="errors", errors=errors)
        return outcome
    ack()
    if outcome.succeeded:
        show_answer(client, caller, outcome.message)
        outcome.send_notices(client)
    else:
        tell(client, caller, outcome.message)
    return outcome


def show_answer(client: WebClient, caller: Caller, confirmation: Message) -> None:
    """Redraw the nudge the person answered; anywhere else, confirm to them privately."""
    nudge = nudge_clicked(caller)
    if nudge is not None:
        assert caller.channel and caller.message_ts
        redrawn = render("nudge", message=nudge, today=caller.now.date())
        try:
            client.chat_update(channel=caller.channel, ts=caller.message_ts, **redrawn)
            return
        except SlackApiError as error:  # the nudge is gone or cannot be edited: confirm instead
            logger.warning("Could not redraw a nudge: %s", error.response.get("error"))
    tell(client, caller, confirmation)


def tell(client: WebClient, caller: Caller, message: Message) -> None:
    """Say something only the caller sees: in the channel they are in, else (or when Slack will not
    post there, say the bot is not in it) in a DM."""
    if not caller.channel:
        tell_privately(client, caller.user, message)
        return
    try:
        client.chat_postEphemeral(channel=caller.channel, user=caller.user, **message)
    except SlackApiError as error:
        logger.warning("Could not answer %s: %s", caller.user, error.response.get("error"))
        tell_privately(client, caller.user, message)
