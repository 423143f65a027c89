"""Shortcuts: the global "Log a KPI reading" and the message shortcut "Make this an action".

Each opens a modal; its submission is answered in handlers/modals.py.
"""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.commands import Message
from handlers.forms import reading_modal, structure_modal
from handlers.services import services_of
from handlers.slack_plumbing import caller_of_shortcut, click_summary, open_modal
from handlers.slack_text import decode_command_text as message_text_of
from scorecard.structure_edits import action_from_message


def message_text(message: dict[str, Any]) -> str:
    """A message's text as plain text: Slack encodes it like slash-command text."""
    return message_text_of(str(message.get("text") or ""))


def on_log_reading_shortcut(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_shortcut(body, services_of(context))
    build = lambda: reading_modal(caller, None)  # noqa: E731
    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def on_make_action_shortcut(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """ "Make this an action" on a message: a planned action, owned by the message's author."""
    ack()
    caller = caller_of_shortcut(body, services_of(context))
    message = body.get("message") or {}
    text, author = message_text(message), message.get("user")

    def build() -> Message:
        return structure_modal(caller, action_from_message(caller, text, author))

    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def register(app: App) -> None:
    app.shortcut("log_reading_shortcut")(on_log_reading_shortcut)
    app.message_shortcut("make_action_shortcut")(on_make_action_shortcut)
