"""Buttons in nudges and digests, and the modals they open: parse, call the domain, render.

Buttons record through the same domain functions as /action and /kpi log, then mark the nudge
answered and redraw the nudge message to show what was done. A modal remembers where it was
opened from (channel and message) in its private_metadata, so its submission can do the same.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.commands import Message
from handlers.replies import apology, error_message
from handlers.services import services_of
from scorecard.actions import (
    find_action_by_id,
    mark_done_by_id,
    open_actions_for,
    post_update_to,
    reassign_action,
)
from scorecard.errors import UserError
from scorecard.kpi_log import InvalidReading, find_kpi_by_id, kpis_for, log_reading_for
from scorecard.nudges import (
    nudge_as_it_stands,
    snooze_action,
)
from scorecard.workspace import local_today, require_scorecard
from storage.db import Database
from templates import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Who clicked or submitted, in which workspace, and on which message (if any)."""

    workspace: str
    user: str
    channel: str | None
    ts: str | None
    now: datetime
    database: Database

    @classmethod
    def of_click(cls, body: dict[str, Any], context: BoltContext) -> "Origin":
        container = body.get("container") or {}
        services = services_of(context)
        return cls(
            workspace=_team(body),
            user=(body.get("user") or {}).get("id", ""),
            channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
            ts=container.get("message_ts") or (body.get("message") or {}).get("ts"),
            now=services.clock(),
            database=services.database,
        )

    @classmethod
    def of_submission(cls, body: dict[str, Any], context: BoltContext) -> "Origin":
        metadata = _metadata(body["view"])
        services = services_of(context)
        return cls(
            workspace=_team(body),
            user=(body.get("user") or {}).get("id", ""),
            channel=metadata.get("channel"),
            ts=metadata.get("ts"),
            now=services.clock(),
            database=services.database,
        )

    def metadata(self, item: int | None) -> dict[str, Any]:
        return {"item": item, "channel": self.channel, "ts": self.ts}


# Buttons


def on_open_action_update(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    origin = Origin.of_click(body, context)

    def build() -> Message:
        item = _item_id(action)
        with origin.database.reading() as session:
            if item is None:
                choices = open_actions_for(session, origin.workspace, origin.user)
                if not choices:
                    raise UserError("There are no open actions on the scorecard to update.")
                chosen = None
            else:
                chosen, choices = find_action_by_id(session, origin.workspace, item), []
        return render(
            "modal_action_update", action=chosen, choices=choices, metadata=origin.metadata(item)
        )

    _open_modal(client, body, origin, build)


def on_open_log_reading(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    origin = Origin.of_click(body, context)

    def build() -> Message:
        item = _item_id(action)
        with origin.database.reading() as session:
            today = local_today(require_scorecard(session, origin.workspace), origin.now)
            if item is None:
                kpi, choices = None, kpis_for(session, origin.workspace, origin.user)
            else:
                kpi, choices = find_kpi_by_id(session, origin.workspace, item), []
        return render(
            "modal_log_reading",
            kpi=kpi,
            choices=choices,
            metadata=origin.metadata(item),
            today=today,
        )

    _open_modal(client, body, origin, build)


def on_not_mine(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    origin = Origin.of_click(body, context)

    def build() -> Message:
        item = _required_id(action)
        with origin.database.reading() as session:
            chosen = find_action_by_id(session, origin.workspace, item)
        return render("modal_reassign", action=chosen, metadata=origin.metadata(item))

    _open_modal(client, body, origin, build)


def on_mark_done(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    origin = Origin.of_click(body, context)

    def record() -> Message:
        item = _required_id(action)
        with origin.database.writing() as session:
            changed = mark_done_by_id(session, origin.workspace, item, origin.user, origin.now)
        return render("action_changed", changed=changed)

    _answer_click(client, origin, record)


def on_snooze(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    origin = Origin.of_click(body, context)

    def record() -> Message:
        item = _required_id(action)
        with origin.database.writing() as session:
            snoozed = snooze_action(session, origin.workspace, item, origin.user, origin.now)
        return render("action_snoozed", snoozed=snoozed, today=origin.now.date())

    _answer_click(client, origin, record)


# Modal submissions


def on_action_update_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    origin = Origin.of_submission(body, context)
    item = _metadata(view).get("item") or _as_id(_field(view, "action", "action"))
    if item is None:
        ack(response_action="errors", errors={"action": "Which action is this about?"})
        return
    text = _field(view, "update", "text") or ""
    try:
        with origin.database.writing() as session:
            changed = post_update_to(session, origin.workspace, item, text, origin.user, origin.now)
    except UserError as error:
        ack(response_action="errors", errors={"update": error.message})
        return
    ack()
    _show_answer(client, origin, render("action_changed", changed=changed))


def on_log_reading_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    origin = Origin.of_submission(body, context)
    preset = _metadata(view).get("item")
    item = preset or _as_id(_field(view, "kpi", "kpi"))
    if item is None:
        ack(response_action="errors", errors={"kpi": "Which KPI is this reading for?"})
        return
    value_text = _field(view, "value", "value") or ""
    day_text = _field(view, "day", "day")
    note = _field(view, "note", "note") or ""
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        ack(response_action="errors", errors={"day": "That isn't a date I can read."})
        return
    try:
        with origin.database.writing() as session:
            logged = log_reading_for(
                session, origin.workspace, item, value_text, day, note, origin.user, origin.now
            )
    except InvalidReading as error:
        block = "value" if error.field == "kpi" and preset else error.field
        ack(response_action="errors", errors={block: error.message})
        return
    except UserError as error:
        ack(response_action="errors", errors={"value": error.message})
        return
    ack()
    _show_answer(client, origin, render("kpi_logged", logged=logged))


def on_reassign_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    origin = Origin.of_submission(body, context)
    item = _metadata(view).get("item")
    new_owner = _field(view, "owner", "owner")
    if item is None or not new_owner:
        ack(response_action="errors", errors={"owner": "Who should own it?"})
        return
    try:
        with origin.database.writing() as session:
            changed = reassign_action(
                session, origin.workspace, item, new_owner, origin.user, origin.now
            )
    except UserError as error:
        ack(response_action="errors", errors={"owner": error.message})
        return
    ack()
    handed = render("action_handed_over", changed=changed, by=origin.user)
    _direct_message(client, new_owner, handed)
    _show_answer(client, origin, handed)


# Slack plumbing shared by the listeners above


def _open_modal(
    client: WebClient, body: dict[str, Any], origin: Origin, build: Callable[[], Message]
) -> None:
    view = _guarded(client, origin, build)
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _answer_click(client: WebClient, origin: Origin, record: Callable[[], Message]) -> None:
    confirmation = _guarded(client, origin, record)
    if confirmation is not None:
        _show_answer(client, origin, confirmation)


def _guarded(client: WebClient, origin: Origin, build: Callable[[], Message]) -> Message | None:
    """Run `build`; a UserError or a bug is told to the person instead (the bug also logged)."""
    try:
        return build()
    except UserError as error:
        _tell(client, origin, error_message(error.message))
    except Exception:
        _tell(client, origin, apology({"user": origin.user, "workspace": origin.workspace}))
    return None


def _show_answer(client: WebClient, origin: Origin, confirmation: Message) -> None:
    """Redraw the nudge the person answered; anywhere else, confirm to them privately."""
    if origin.channel and origin.ts:
        with origin.database.reading() as session:
            nudge = nudge_as_it_stands(
                session, origin.workspace, origin.channel, origin.ts, origin.now
            )
        if nudge is not None:
            redrawn = render("nudge", message=nudge, today=origin.now.date())
            client.chat_update(channel=origin.channel, ts=origin.ts, **redrawn)
            return
    _tell(client, origin, confirmation)


def _tell(client: WebClient, origin: Origin, message: Message) -> None:
    if origin.channel:
        client.chat_postEphemeral(channel=origin.channel, user=origin.user, **message)
    else:
        _direct_message(client, origin.user, message)


def _direct_message(client: WebClient, user: str, message: Message) -> None:
    try:
        channel = client.conversations_open(users=user)["channel"]["id"]
        client.chat_postMessage(channel=channel, **message)
    except SlackApiError as error:
        logger.warning("Could not message %s: %s", user, error.response.get("error"))


def _team(body: dict[str, Any]) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", "")


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def _field(view: dict[str, Any], block: str, action: str) -> str | None:
    """What the person entered in one input of a submitted modal, whatever its kind."""
    entry = ((view.get("state") or {}).get("values") or {}).get(block, {}).get(action) or {}
    option = entry.get("selected_option") or {}
    return (
        entry.get("value")
        or entry.get("selected_date")
        or entry.get("selected_user")
        or option.get("value")
    )


def _as_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _item_id(action: dict[str, Any]) -> int | None:
    return _as_id(str(action.get("value") or ""))


def _required_id(action: dict[str, Any]) -> int:
    item = _item_id(action)
    if item is None:
        raise UserError("That button has lost track of its item. Try `/action mine`.")
    return item


def register(app: App) -> None:
    app.action("open_action_update")(on_open_action_update)
    app.action("open_log_reading")(on_open_log_reading)
    app.action("mark_action_done")(on_mark_done)
    app.action("snooze_action")(on_snooze)
    app.action("not_mine_action")(on_not_mine)
    app.view("action_update_modal")(on_action_update_submitted)
    app.view("log_reading_modal")(on_log_reading_submitted)
    app.view("reassign_modal")(on_reassign_submitted)
