"""Shortcuts: the global "Log a KPI reading" and the message shortcut "Make this an action".

Each opens a modal; its submission is answered in handlers/modals.py.
"""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.forms import reading_modal
from handlers.services import services_of
from handlers.slack_plumbing import caller_of_shortcut, click_summary, open_modal


def on_log_reading_shortcut(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_shortcut(body, services_of(context))
    build = lambda: reading_modal(caller, None)  # noqa: E731
    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def register(app: App) -> None:
    app.shortcut("log_reading_shortcut")(on_log_reading_shortcut)
