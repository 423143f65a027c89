"""Digests to Slack: the poster the delivery rules use, and the clock's and CLI's entry points.

The rules (claim, skip, late, retry, confirm, recover) are in scorecard.digest_runs; this module
only renders and posts. Per-workspace tokens belong in `SlackDigestPoster.client_for`.
"""

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.acting_client import ClientSource, client_to_post_with
from bot.direct_messages import send_direct_message
from bot.slack_outcomes import find_marked_message, slack_call
from scorecard import digest_runs
from scorecard.digest import Digest, detail_pages
from scorecard.digest_runs import (  # noqa: F401 (the names callers and tests know them by)
    ALREADY_CLAIMED,
    ANSWER_LOST,
    GRACE,
    IN_PROGRESS,
    LATE,
    PAUSED,
    POSTED,
    RECOVERED,
    STALE_CLAIM_AFTER,
    WORKSPACES_AT_ONCE,
    Outcome,
    RunReport,
)
from scorecard.digest_subscriptions import digest_for_channel
from scorecard.posting import CannotConfirm, MaybePosted, NotPosted
from scorecard.workspace import choose_scorecard
from storage.db import Database
from storage.digests import GAVE_UP, UNCONFIRMED  # noqa: F401
from templates import SlackText, render

# Message metadata on every digest: how a later run tells whether a digest reached Slack.
DIGEST_EVENT = "scorecard_digest"
HISTORY_PAGE = 200


class SlackDigestPoster:
    """Posts digests with a WebClient (see digest_runs.DigestPoster for what each method owes)."""

    def __init__(self, clients: ClientSource) -> None:
        self._clients = clients

    def client_for(self, workspace: str) -> WebClient:
        """The client that acts for `workspace`; NotPosted when the app is not installed there."""
        return client_to_post_with(self._clients, workspace)

    def post_digest(
        self, workspace: str, channel: str, digest: Digest, *, period: str, late: bool
    ) -> str:
        message = main_message(digest, late)
        client = self.client_for(workspace)
        response = slack_call(
            lambda: client.chat_postMessage(
                channel=channel,
                text=message["text"],
                blocks=message["blocks"],
                metadata={"event_type": DIGEST_EVENT, "event_payload": {"period": period}},
                unfurl_links=False,
                unfurl_media=False,
            )
        )
        return str(response["ts"])

    def post_detail(self, workspace: str, channel: str, thread_ts: str, digest: Digest) -> None:
        client = self.client_for(workspace)
        for message in detail_messages(digest):
            slack_call(
                lambda message=message: client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread_ts,
                    text=message["text"],
                    blocks=message["blocks"],
                    unfurl_links=False,
                )
            )

    def find_digest(self, workspace: str, channel: str, period: str, since: datetime) -> str | None:
        """Pages through conversations.history (channels:history, groups:history scopes)."""
        client = self.client_for(workspace)
        try:
            found = find_marked_message(
                client,
                channel,
                since,
                DIGEST_EVENT,
                lambda payload: payload.get("period") == period,
                HISTORY_PAGE,
            )
        except NotPosted as refusal:
            raise CannotConfirm(refusal.code, lasting=True) from refusal
        except MaybePosted as lost:
            raise CannotConfirm(lost.reason, lasting=False) from lost
        return found.get("ts") if found is not None else None

    def tell_paused(self, workspace: str, user: str, channel: str, problem: str) -> None:
        message = render("digest_paused", channel=channel, problem=problem)
        client = self.client_for(workspace)
        slack_call(lambda: send_direct_message(client, user, message))

    def tell_given_up(
        self, workspace: str, user: str, channel: str, problem: str, due: datetime
    ) -> None:
        message = render("digest_given_up", channel=channel, problem=problem, due=_slack_date(due))
        client = self.client_for(workspace)
        slack_call(lambda: send_direct_message(client, user, message))


def deliver_due_digests(
    database: Database,
    client: ClientSource,
    now: datetime,
    clock_id: str,
    grace: timedelta = GRACE,
    *,
    workers: int = WORKSPACES_AT_ONCE,
) -> RunReport:
    """The clock's digest job: every digest due at `now`, posted once (see digest_runs)."""
    return digest_runs.deliver_due_digests(
        database, SlackDigestPoster(client), now, clock_id, grace, workers=workers
    )


def post_digest_now(
    database: Database,
    client: ClientSource,
    channel: str,
    now: datetime,
    clock_id: str,
    workspace: str | None = None,
) -> Outcome:
    """`scorecard digest --channel C --now` (see digest_runs.post_digest_now)."""
    return digest_runs.post_digest_now(
        database, SlackDigestPoster(client), channel, now, clock_id, workspace
    )


def preview_message(
    database: Database, channel: str, now: datetime, workspace: str | None = None
) -> list[dict[str, Any]]:
    """The digest and its thread replies as they would be posted (for --dry-run)."""
    with database.reading() as session:
        digest = digest_for_channel(session, choose_scorecard(session, workspace), channel, now)
    return [main_message(digest, late=False), *detail_messages(digest)]


def main_message(digest: Digest, late: bool) -> dict[str, Any]:
    return render("digest", digest=digest, late=late, today=digest.today)


def detail_messages(digest: Digest) -> list[dict[str, Any]]:
    return [
        render(
            "digest_detail",
            digest=digest,
            objectives=page.objectives,
            unmeasured=page.unmeasured,
            hidden=page.hidden,
            page=page.page,
            pages=page.pages,
            today=digest.today,
        )
        for page in detail_pages(digest)
    ]


def _slack_date(moment: datetime) -> SlackText:
    """A Slack date token: each reader sees the moment in their own time zone."""
    seconds = int(moment.timestamp())
    return SlackText(
        f"<!date^{seconds}^{{date_short_pretty}} at {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"
    )
