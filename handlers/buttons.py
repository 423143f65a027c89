"""Buttons in nudges and digests: open a modal, or record what the button says.

Buttons record through the same domain functions as /action and /kpi log, then mark the nudge
answered and redraw the nudge message to show what was done.
"""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.commands import Message
from handlers.replies import Reply
from handlers.services import services_of
from handlers.sharing import changed_reply
from handlers.slack_plumbing import (
    answer_click,
    caller_of_click,
    click_summary,
    item_id,
    modal_metadata,
    open_modal,
    required_id,
)
from scorecard.action_requests import action_by_id, action_update_form, finish_by_id
from scorecard.kpi_requests import reading_form
from scorecard.nudge_answers import snooze
from templates import render


def on_open_action_update(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))

    def build() -> Message:
        item = item_id(action)
        form = action_update_form(caller, item)
        return render(
            "modal_action_update",
            action=form.action,
            choices=form.choices,
            metadata=modal_metadata(caller, item),
        )

    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def on_open_log_reading(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))

    def build() -> Message:
        item = item_id(action)
        form = reading_form(caller, item)
        return render(
            "modal_log_reading",
            kpi=form.kpi,
            choices=form.choices,
            metadata=modal_metadata(caller, item),
            today=form.today,
        )

    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def on_not_mine(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))

    def build() -> Message:
        item = required_id(action)
        chosen = action_by_id(caller, item)
        return render("modal_reassign", action=chosen, metadata=modal_metadata(caller, item))

    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def on_mark_done(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))

    def record() -> Reply:
        return changed_reply(caller, finish_by_id(caller, required_id(action)))

    answer_click(client, caller, record, click_summary(body))


def on_snooze(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))

    def record() -> Message:
        snoozed = snooze(caller, required_id(action))
        return render("action_snoozed", snoozed=snoozed, today=caller.now.date())

    answer_click(client, caller, record, click_summary(body))


def register(app: App) -> None:
    app.action("open_action_update")(on_open_action_update)
    app.action("open_log_reading")(on_open_log_reading)
    app.action("mark_action_done")(on_mark_done)
    app.action("snooze_action")(on_snooze)
    app.action("not_mine_action")(on_not_mine)
