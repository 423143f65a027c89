"""Nudges to Slack: the sender the sweep uses, and the clock's and CLI's entry point.

The rules (plan, claim, send, confirm, record) are in scorecard.nudge_sweep; this module only
looks people up, renders and sends. Per-workspace tokens belong in `SlackNudgeSender.client_for`.
"""

import logging
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.acting_client import ClientSource, client_to_post_with
from bot.direct_messages import send_direct_message
from bot.slack_outcomes import find_marked_message, slack_call
from scorecard import nudge_sweep
from scorecard.nudge_sweep import (  # noqa: F401 (the names callers and tests know them by)
    Delivered,
    SentNudge,
    SkippedNudge,
    SweepReport,
)
from scorecard.nudges import NudgeLimits, NudgeMessage, Person, is_away
from scorecard.posting import CannotConfirm, MaybePosted, NotPosted
from storage.db import Database
from templates import render

# Message metadata on every nudge: how a sweep whose answer was lost finds what it sent.
NUDGE_EVENT = "scorecard_nudge"
HISTORY_PAGE = 100

logger = logging.getLogger(__name__)


class SlackNudgeSender:
    """Sends nudges with a WebClient (see nudge_sweep.NudgeSender for what each method owes)."""

    def __init__(self, clients: ClientSource) -> None:
        self._clients = clients

    def client_for(self, workspace: str) -> WebClient:
        """The client that acts for `workspace`; NotPosted when the app is not installed there."""
        return client_to_post_with(self._clients, workspace)

    def look_up(self, workspace: str, user_id: str) -> Person:
        client = self.client_for(workspace)
        try:
            user = client.users_info(user=user_id)["user"]
            if user.get("deleted"):
                return Person(user_id, unreachable="deactivated in Slack")
            presence = client.users_getPresence(user=user_id).get("presence")
        except SlackApiError as error:
            logger.warning(
                "Could not look up %s in Slack: %s", user_id, error.response.get("error")
            )
            return Person(user_id, unreachable="could not be looked up in Slack")
        profile = user.get("profile") or {}
        away = is_away(
            presence, profile.get("status_text") or "", profile.get("status_emoji") or ""
        )
        return Person(user_id, timezone=user.get("tz"), away=away)

    def send(self, workspace: str, message: NudgeMessage, *, mark: str, today: date) -> Delivered:
        client = self.client_for(workspace)
        rendered = nudge_message(message, today)
        marked = {
            **rendered,
            "metadata": {"event_type": NUDGE_EVENT, "event_payload": {"sweep": mark}},
        }
        posted = slack_call(lambda: send_direct_message(client, message.recipient, marked))
        return Delivered(posted.channel, posted.ts)

    def find_sent(
        self, workspace: str, recipient: str, mark: str, since: datetime
    ) -> Delivered | None:
        """Reads the DM's history: the im:history scope."""
        client = self.client_for(workspace)
        try:
            channel = self._direct_channel(client, recipient)
            found = find_marked_message(
                client,
                channel,
                since,
                NUDGE_EVENT,
                lambda payload: payload.get("sweep") == mark,
                HISTORY_PAGE,
            )
        except NotPosted as refusal:
            raise CannotConfirm(refusal.code, lasting=True) from refusal
        except MaybePosted as lost:
            raise CannotConfirm(lost.reason, lasting=False) from lost
        return Delivered(channel, str(found["ts"])) if found is not None else None

    def _direct_channel(self, client: WebClient, user_id: str) -> str:
        opened = slack_call(lambda: client.conversations_open(users=user_id))
        return str(opened["channel"]["id"])


def run_nudge_sweep(
    database: Database,
    client: ClientSource | None,
    now: datetime,
    *,
    dry_run: bool = False,
    respect_working_hours: bool = True,
    limits: NudgeLimits | None = None,
    workspaces: list[str] | None = None,
) -> SweepReport:
    """The clock's nudge job (see nudge_sweep.run_nudge_sweep). A dry run needs no client."""
    return nudge_sweep.run_nudge_sweep(
        database,
        SlackNudgeSender(client) if client is not None and not dry_run else None,
        now,
        dry_run=dry_run,
        respect_working_hours=respect_working_hours,
        limits=limits,
        workspaces=workspaces,
    )


def nudge_message(message: NudgeMessage, today: date) -> dict[str, Any]:
    return render("nudge", message=message, today=today)
