"""Modal submissions: the Post-update, Log-reading and Not-mine forms.

A person's mistake shows on the field that is wrong (`response_action: errors`) and the modal
stays open; a result closes it and is shown where the modal was opened from; a bug closes it
with an apology (see `slack_plumbing.answer_submission`).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.home import HomeRefresh
from handlers.replies import Notice, Reply
from handlers.services import services_of
from handlers.sharing import changed_reply, logged_reply, owner_notices
from handlers.slack_plumbing import (
    answer_submission,
    as_id,
    caller_of_submission,
    click_summary,
    field,
    metadata_of,
)
from scorecard.action_requests import hand_over, update_from_form
from scorecard.errors import UserError
from scorecard.kpi_requests import log_reading_from_form
from templates import render


class FieldError(UserError):
    """A mistake in one input of a modal: `block` is the input's block id."""

    def __init__(self, message: str, block: str) -> None:
        super().__init__(message)
        self.block = block


def block_of(default: str) -> Callable[[UserError], str]:
    """Where a mistake shows: the field it names (`block`, or the domain's `field`) or `default`."""

    def block_for(error: UserError) -> str:
        return getattr(error, "block", None) or getattr(error, "field", None) or default

    return block_for


def on_action_update_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    caller = caller_of_submission(body, services_of(context))

    def record() -> Reply:
        item = metadata_of(view).get("item") or as_id(field(view, "action", "action"))
        if item is None:
            raise FieldError("Which action is this about?", "action")
        changed = update_from_form(caller, item, field(view, "update", "text") or "")
        return changed_reply(caller, changed)

    answer_submission(ack, client, caller, record, click_summary(body), block_of("update"))


def on_log_reading_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    caller = caller_of_submission(body, services_of(context))
    preset = metadata_of(view).get("item")

    def record() -> Reply:
        item = preset or as_id(field(view, "kpi", "kpi"))
        if item is None:
            raise FieldError("Which KPI is this reading for?", "kpi")
        day_text = field(view, "day", "day")
        try:
            day = date.fromisoformat(day_text) if day_text else None
        except ValueError:
            raise FieldError("That isn't a date I can read.", "day") from None
        value_text = field(view, "value", "value") or ""
        note = field(view, "note", "note") or ""
        logged = log_reading_from_form(caller, item, value_text, day, note)
        return logged_reply(caller, logged)

    def block_for(error: UserError) -> str:
        block = block_of("value")(error)
        # A KPI chosen before the modal opened has no picker: its problem shows on the value.
        return "value" if block == "kpi" and preset else block

    answer_submission(ack, client, caller, record, click_summary(body), block_for)


def on_reassign_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    caller = caller_of_submission(body, services_of(context))
    item = metadata_of(view).get("item")
    new_owner = field(view, "owner", "owner")

    def record() -> Reply:
        if item is None or not new_owner:
            raise FieldError("Who should own it?", "owner")
        changed = hand_over(caller, item, new_owner)
        handed = render("action_handed_over", changed=changed, by=caller.user)
        notices = (Notice(new_owner, handed), *owner_notices(changed), HomeRefresh(caller))
        return Reply(handed, notices)

    answer_submission(ack, client, caller, record, click_summary(body), block_of("owner"))


def register(app: App) -> None:
    app.view("action_update_modal")(on_action_update_submitted)
    app.view("log_reading_modal")(on_log_reading_submitted)
    app.view("reassign_modal")(on_reassign_submitted)
