"""Strategy reviews on Slack: posting the agenda as a thread, the minutes (and the channel
canvas), and opening scheduled reviews exactly once.

The agenda is a short parent message and a thread: open decisions and exceptions first, then one
reply per perspective in map order, each objective with its owner asked by mention and the
decision buttons (handlers/reviews.py answers them).

Minutes go in the thread, always. Where the workspace allows channel canvases they also go to the
channel's canvas: `conversations.canvases.create` the first time, `canvases.edit` (insert at the
end) after that. Free workspaces, missing scopes and other refusals (`not_allowed`,
`free_team_not_allowed`, `missing_scope`, …) leave the thread as the record; nothing fails.

Scheduled reviews use the digests' claim: the review row's unique (channel, period) key is
inserted before anything is posted, so two clocks never open the same review. A review due
while the clock was down opens if the clock is back within GRACE; a channel whose last review
is still open is skipped for that period.
"""

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from scorecard.review_requests import open_scheduled_review
from scorecard.reviews import Agenda, Minutes, PublishAgenda, PublishedMinutes, PublishMinutes
from scorecard.schedules import occurrences, parse_schedule, period_key
from scorecard.workspace import local_today
from storage.db import Database
from storage.reviews import review_schedules
from templates import render
from templates.review_markdown import canvas_mention, minutes_markdown

logger = logging.getLogger(__name__)

# A scheduled review missed while the clock was down still opens within this.
GRACE = timedelta(hours=6)
# Slack's answer when the channel has a canvas this app did not record: edit that one.
CANVAS_EXISTS = "channel_canvas_already_exists"


def agenda_publisher(client: WebClient, channel: str) -> PublishAgenda:
    """Posts an agenda in `channel`; returns the parent message's ts."""

    def publish(agenda: Agenda) -> str:
        today = agenda.today
        parent = client.chat_postMessage(
            channel=channel, **render("review_opened", agenda=agenda, today=today)
        )
        thread_ts = str(parent["ts"])
        replies: list[dict[str, Any]] = [render("review_agenda_start", agenda=agenda, today=today)]
        replies += [
            render("review_perspective", perspective=p, review_id=agenda.review_id, today=today)
            for p in agenda.perspectives
            if p.objectives
        ]
        for reply in replies:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, **reply)
        return thread_ts

    return publish


def minutes_publisher(client: WebClient) -> PublishMinutes:
    """Posts minutes in their review's thread and, where allowed, to the channel canvas."""

    def publish(minutes: Minutes, known_canvas: str | None) -> PublishedMinutes:
        canvas = put_on_canvas(client, minutes, known_canvas)
        message = render(
            "review_minutes", minutes=minutes, canvas=canvas is not None, today=minutes.today
        )
        client.chat_postMessage(
            channel=minutes.channel, thread_ts=minutes.thread_ts, reply_broadcast=True, **message
        )
        return PublishedMinutes(minutes_markdown(minutes), canvas)

    return publish


def put_on_canvas(client: WebClient, minutes: Minutes, known_canvas: str | None) -> str | None:
    """The canvas the minutes went to, or None where the workspace keeps none for them."""
    content = {"type": "markdown", "markdown": minutes_markdown(minutes, canvas_mention)}
    try:
        if known_canvas is None:
            try:
                created = client.conversations_canvases_create(
                    channel_id=minutes.channel, document_content=content
                )
                return str(created["canvas_id"])
            except SlackApiError as error:
                if error.response.get("error") != CANVAS_EXISTS:
                    raise
                known_canvas = _channel_canvas(client, minutes.channel)
                if known_canvas is None:
                    raise
        client.canvases_edit(
            canvas_id=known_canvas,
            changes=[{"operation": "insert_at_end", "document_content": content}],
        )
        return known_canvas
    except SlackApiError as error:
        logger.info(
            "Minutes of review %s stay in the thread: canvases refused (%s)",
            minutes.review_id,
            error.response.get("error"),
        )
        return None


def _channel_canvas(client: WebClient, channel: str) -> str | None:
    info = client.conversations_info(channel=channel)["channel"]
    return ((info.get("properties") or {}).get("canvas") or {}).get("file_id")


# Scheduled reviews


def open_due_reviews(
    database: Database, client: WebClient, now: datetime, grace: timedelta = GRACE
) -> list[Agenda]:
    """Open every scheduled review due at `now` that no clock has opened yet."""
    opened: list[Agenda] = []
    with database.reading() as session:
        schedules = review_schedules(session)
    for scorecard, row in schedules:
        try:
            schedule = parse_schedule(row.schedule)
            zone = ZoneInfo(scorecard.timezone)
            anchor = local_today(scorecard, row.created_at)
            due = occurrences(schedule, zone, max(row.created_at, now - grace), now, anchor)
            if not due:
                continue
            agenda = open_scheduled_review(
                database,
                scorecard.workspace,
                row.channel,
                period_key(due[-1]),
                now,
                agenda_publisher(client, row.channel),
            )
            if agenda is not None:
                opened.append(agenda)
        except Exception:  # one workspace's trouble never stops the others
            logger.exception("Scheduled review for %s %s failed", scorecard.workspace, row.channel)
    return opened
