"""The team sees the same numbers: replies to a change, "Share in channel", the updates channel.

A logged reading or an action change is confirmed to the person privately, with a *Share in
channel* button (in a channel, not a DM) that posts the same result as one message everyone
there sees, attributed to them; the private reply is then replaced, so it is shared once. A
reading that moves its KPI to another status, and an action done or stopped, also go as one
short line to the updates channel (scorecard/team_updates.py), once per change. A channel the app
can't post in is logged; the person's command has already succeeded.
"""

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.commands import Message
from handlers.home import HomeRefresh
from handlers.replies import EPHEMERAL, FollowUp, Notice, Reply, settle
from handlers.services import services_of
from handlers.slack_plumbing import caller_of_click, click_summary, required_id, tell
from scorecard.actions import ActionChanged
from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.kpi_log import ReadingLogged
from scorecard.sharing import action_update_to_share, reading_to_share
from templates import render

logger = logging.getLogger(__name__)

SHARE_READING = "share_reading"
SHARE_ACTION_UPDATE = "share_action_update"
CANNOT_POST = (
    "I can't post in this channel ({error}), so it was not shared. "
    "Invite me with `/invite @Scorecard` and press the button again."
)


@dataclass(frozen=True)
class ChannelPost:
    """A follow-up: one message in a channel (the updates channel)."""

    channel: str
    message: Message

    def send(self, client: WebClient) -> None:
        try:
            client.chat_postMessage(channel=self.channel, **self.message)
        except SlackApiError as error:
            logger.warning(
                "Could not post in the updates channel %s: %s",
                self.channel,
                error.response.get("error"),
            )


def may_share(caller: Caller) -> bool:
    """A reply in a channel can be shared there; one in a DM or in no channel cannot."""
    return bool(caller.channel) and not str(caller.channel).startswith("D")


def logged_reply(caller: Caller, logged: ReadingLogged) -> Reply:
    """A reading's confirmation, the line for the updates channel if its status changed, and the
    person's Home tab redrawn."""
    message = render("kpi_logged", logged=logged, share=may_share(caller))
    follow_ups: list[FollowUp] = [HomeRefresh(caller)]
    if logged.is_current and logged.changed_status and logged.news_channel:
        line = render("team_update", logged=logged, changed=None, by=caller.user)
        follow_ups.append(ChannelPost(logged.news_channel, line))
    return Reply(message, tuple(follow_ups))


def changed_reply(caller: Caller, changed: ActionChanged) -> Reply:
    """An action change's confirmation, a DM to the owner when someone else changed their action,
    the line for the updates channel when it is done or stopped, and the Home tab redrawn."""
    message = render("action_changed", changed=changed, share=may_share(caller))
    follow_ups: list[FollowUp] = [*owner_notices(changed), HomeRefresh(caller)]
    if changed.is_news and changed.news_channel:
        line = render("team_update", logged=None, changed=changed, by=caller.user)
        follow_ups.append(ChannelPost(changed.news_channel, line))
    return Reply(message, tuple(follow_ups))


def owner_notices(changed: ActionChanged) -> tuple[Notice, ...]:
    owner = changed.owner_to_tell
    if owner is None:
        return ()
    return (Notice(owner, render("action_changed_for_owner", changed=changed)),)


# "Share in channel"


def shared_reading(caller: Caller, reading_id: int) -> Message:
    return render("reading_shared", shared=reading_to_share(caller, reading_id), by=caller.user)


def shared_action_update(caller: Caller, update_id: int) -> Message:
    changed = action_update_to_share(caller, update_id)
    return render("action_changed", changed=changed, share=False, by=caller.user)


def on_share(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    """Post the result in the channel for everyone, then turn the private reply into a note
    that it was shared (no button left to press twice)."""
    ack()
    caller = caller_of_click(body, services_of(context))
    build = shared_reading if action.get("action_id") == SHARE_READING else shared_action_update

    def post() -> Message:
        if not caller.channel or not may_share(caller):
            raise UserError("There is no channel here to share it in.")
        message = build(caller, required_id(action))
        try:
            client.chat_postMessage(channel=caller.channel, **message)
        except SlackApiError as error:
            raise UserError(CANNOT_POST.format(error=error.response.get("error"))) from error
        return render("shared", channel=caller.channel)

    outcome = settle(post, click_summary(body))
    if outcome.succeeded and body.get("response_url"):
        respond(response_type=EPHEMERAL, replace_original=True, **outcome.message)
    else:
        tell(client, caller, outcome.message)


def register(app: App) -> None:
    app.action(SHARE_READING)(on_share)
    app.action(SHARE_ACTION_UPDATE)(on_share)
