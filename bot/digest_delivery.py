"""Posting scheduled digests exactly once, however many clocks run and however often they crash.

Each scheduled digest is one (workspace, channel, period). A clock claims it by inserting a
`DigestRun` row with that unique key and commits the claim *before* posting; a second clock, or
a rerun, finds the row and does not post. After posting, the message's ts is recorded.

What happens when things go wrong, in order of how often they do:
- The clock was down when a digest was due. Back within GRACE (6 hours), it posts the digest
  once, marked late. Older misses are recorded as skipped and logged: a digest is a snapshot
  of now, and a pile of stale ones helps nobody.
- Slack refuses the post with an error (nothing was posted). Channel trouble
  (`channel_not_found`, `not_in_channel`, `is_archived`) pauses the subscription and tells its
  creator in a DM; anything else is retried by later runs, up to MAX_ATTEMPTS, within GRACE.
  HTTP 429 never gets here: the WebClient's retry handler waits and retries first.
- A clock stopped between claiming and recording the post (a crash, a lost connection), so
  nobody knows whether Slack has the message. Once the claim is STALE_CLAIM_AFTER old, a later
  run asks Slack: every digest carries message metadata naming its period, so
  conversations.history tells. Found: the run is recorded as posted. Not found, within GRACE:
  it is posted (late). If Slack can't be asked (no history scope), the run is marked failed as
  unconfirmed and logged, never reposted blindly: at most once, and never silently.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.direct_messages import tell_privately
from scorecard.digest import Digest, detail_pages
from scorecard.digest_subscriptions import digest_for_channel, subscription_anchor
from scorecard.schedules import occurrences, parse_schedule, period_key
from scorecard.workspace import choose_scorecard
from storage.db import Database
from storage.digests import (
    CLAIMED,
    FAILED,
    MANUAL_PREFIX,
    SKIPPED,
    UNCONFIRMED,
    active_subscriptions,
    claim_digest,
    latest_scheduled_run,
    mark_failed,
    mark_posted,
    note_error,
    pause_subscription,
    reclaim_run,
)
from storage.models import DigestRun, DigestSubscription, Scorecard
from templates import render

logger = logging.getLogger(__name__)

# A digest due while the clock was down is still posted (late) if the clock is back within this.
GRACE = timedelta(hours=6)
# Posted more than this after its time, a digest says it is late.
LATE_AFTER = timedelta(minutes=15)
# A claim this old without a recorded post belongs to a clock that stopped mid-way.
STALE_CLAIM_AFTER = timedelta(minutes=10)
# Posts Slack refused (other than for channel trouble) are tried this many times in all.
MAX_ATTEMPTS = 3
# Missed periods further back than this are not looked at (nor recorded) at all.
MISSED_LOOKBACK = timedelta(days=31)
# Slack errors that mean the channel can't take the digest until a person fixes something.
CHANNEL_PROBLEMS = ("channel_not_found", "not_in_channel", "is_archived")
# Message metadata on every digest: how a later run tells whether a digest reached Slack.
DIGEST_EVENT = "scorecard_digest"
HISTORY_PAGE = 200

POSTED, LATE, RECOVERED = "posted", "posted late", "recovered"
ALREADY_CLAIMED, IN_PROGRESS, PAUSED = "already claimed", "in progress", "paused"


@dataclass(frozen=True)
class Outcome:
    workspace: str
    channel: str
    period: str
    result: str  # POSTED, LATE, RECOVERED, SKIPPED, ALREADY_CLAIMED, IN_PROGRESS, FAILED, ...
    reason: str = ""
    message_ts: str | None = None


@dataclass
class RunReport:
    """What one run did, for the log and for tests."""

    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        level = logging.WARNING if outcome.result in (FAILED, PAUSED, UNCONFIRMED) else logging.INFO
        logger.log(
            level,
            "Digest %s %s %s: %s%s",
            outcome.workspace,
            outcome.channel,
            outcome.period,
            outcome.result,
            f" ({outcome.reason})" if outcome.reason else "",
        )

    def summary(self) -> str:
        counts: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes:
            counts[outcome.result] += 1
        parts = [f"{count} {result}" for result, count in sorted(counts.items())]
        parts += [f"{len(self.errors)} workspace errors"] if self.errors else []
        return "Digest run: " + (", ".join(parts) or "nothing due")


@dataclass(frozen=True)
class _Target:
    """Where one digest goes."""

    scorecard: Scorecard
    channel: str
    subscription: DigestSubscription | None = None

    @property
    def workspace(self) -> str:
        return self.scorecard.workspace

    @property
    def scorecard_id(self) -> int:
        assert self.scorecard.id is not None
        return self.scorecard.id


def deliver_due_digests(
    database: Database,
    client: WebClient,
    now: datetime,
    clock_id: str,
    grace: timedelta = GRACE,
) -> RunReport:
    """Post every digest that is due at `now`, once. One bad workspace never stops the rest."""
    report = RunReport()
    with database.reading() as session:
        subscriptions = active_subscriptions(session)
    for scorecard, subscription in subscriptions:
        target = _Target(scorecard, subscription.channel, subscription)
        try:
            _deliver(database, client, target, now, clock_id, grace, report)
        except Exception as error:  # a bug or an outage for one workspace: log, carry on
            logger.exception("Digest for %s %s failed", target.workspace, target.channel)
            report.errors.append(f"{target.workspace} {target.channel}: {error}")
    if report.outcomes or report.errors:
        logger.info(report.summary())
    return report


def post_digest_now(
    database: Database,
    client: WebClient,
    channel: str,
    now: datetime,
    clock_id: str,
    workspace: str | None = None,
) -> Outcome:
    """`scorecard digest --channel C --now`: post a digest right away, outside the schedule."""
    with database.reading() as session:
        target = _Target(choose_scorecard(session, workspace), channel)
    key = f"{MANUAL_PREFIX}{now.isoformat(timespec='microseconds')}"
    run = _claim(database, target, now, now, clock_id, key=key)
    if run is None:
        return Outcome(target.workspace, channel, key, ALREADY_CLAIMED)
    report = RunReport()
    _post(database, client, target, run, now, late=False, report=report)
    return report.outcomes[-1]


def preview_message(
    database: Database, channel: str, now: datetime, workspace: str | None = None
) -> list[dict[str, Any]]:
    """The digest and its thread replies as they would be posted (for --dry-run)."""
    with database.reading() as session:
        digest = digest_for_channel(session, choose_scorecard(session, workspace), channel, now)
    return [_main_message(digest, late=False), *_detail_messages(digest)]


# One subscription


def _deliver(
    database: Database,
    client: WebClient,
    target: _Target,
    now: datetime,
    clock_id: str,
    grace: timedelta,
    report: RunReport,
) -> None:
    subscription = target.subscription
    assert subscription is not None
    schedule = parse_schedule(subscription.schedule)
    zone = ZoneInfo(target.scorecard.timezone)
    with database.reading() as session:
        latest = latest_scheduled_run(session, target.scorecard_id, target.channel)
    if latest is not None and latest.posted_at is None and latest.status in (CLAIMED, FAILED):
        _follow_up(database, client, target, latest, now, clock_id, grace, report)

    start = subscription.created_at
    if latest is not None:
        start = max(start, latest.scheduled_for + timedelta(microseconds=1))
    start = max(start, now - MISSED_LOOKBACK)
    due = occurrences(
        schedule, zone, start, now, subscription_anchor(target.scorecard, subscription)
    )
    if not due:
        return
    *missed, newest = due
    for moment in missed:
        _skip(database, target, moment, now, clock_id, "superseded by a later digest", report)
    if now - newest > grace:
        reason = f"due {now - newest} ago, more than the {grace} grace window"
        _skip(database, target, newest, now, clock_id, reason, report)
        return
    run = _claim(database, target, newest, now, clock_id, late=now - newest > LATE_AFTER)
    if run is None:
        report.add(Outcome(target.workspace, target.channel, period_key(newest), ALREADY_CLAIMED))
        return
    _post(database, client, target, run, now, late=run.late, report=report)


def _claim(
    database: Database,
    target: _Target,
    moment: datetime,
    now: datetime,
    clock_id: str,
    *,
    key: str | None = None,
    late: bool = False,
    status: str = CLAIMED,
    error: str | None = None,
) -> DigestRun | None:
    """Claim the digest due at `moment` (under `key`, by default the moment's period); None when
    another clock (or an earlier run) has it."""
    with database.writing() as session:
        return claim_digest(
            session,
            scorecard_id=target.scorecard_id,
            channel=target.channel,
            period_key=key or period_key(moment),
            scheduled_for=moment,
            clock_id=clock_id,
            now=now,
            late=late,
            status=status,
            error=error,
        )


def _skip(
    database: Database,
    target: _Target,
    moment: datetime,
    now: datetime,
    clock_id: str,
    reason: str,
    report: RunReport,
) -> None:
    run = _claim(database, target, moment, now, clock_id, status=SKIPPED, error=reason)
    if run is not None:
        report.add(Outcome(target.workspace, target.channel, period_key(moment), SKIPPED, reason))


def _follow_up(
    database: Database,
    client: WebClient,
    target: _Target,
    run: DigestRun,
    now: datetime,
    clock_id: str,
    grace: timedelta,
    report: RunReport,
) -> None:
    """Finish a run an earlier attempt left unposted: a refused post, or an unconfirmed one."""
    too_old = now - run.scheduled_for > grace
    if run.status == FAILED:
        if too_old or run.attempts >= MAX_ATTEMPTS:
            return  # given up on; the failure was logged when it happened
        _retake_and_post(database, client, target, run, now, clock_id, report)
        return
    if now - run.claimed_at < STALE_CLAIM_AFTER:
        reason = f"claimed by {run.claimed_by}"
        report.add(Outcome(target.workspace, target.channel, run.period_key, IN_PROGRESS, reason))
        return
    try:
        found_ts = _find_posted(client, target.channel, run)
    except SlackApiError as error:
        reason = (
            f"{run.claimed_by} stopped between claiming and confirming; Slack's history "
            f"could not say whether it was posted ({_slack_error(error)}), so it is not "
            "posted again"
        )
        with database.writing() as session:
            mark_failed(session, _id(run), reason, status=UNCONFIRMED)
        report.add(Outcome(target.workspace, target.channel, run.period_key, UNCONFIRMED, reason))
        return
    if found_ts is not None:
        with database.writing() as session:
            mark_posted(session, _id(run), found_ts, now)
        report.add(
            Outcome(
                target.workspace,
                target.channel,
                run.period_key,
                RECOVERED,
                f"{run.claimed_by} had posted it before stopping",
                found_ts,
            )
        )
        return
    if too_old:
        reason = f"{run.claimed_by} stopped before posting, and the grace window has passed"
        with database.writing() as session:
            mark_failed(session, _id(run), reason, status=SKIPPED)
        report.add(Outcome(target.workspace, target.channel, run.period_key, SKIPPED, reason))
        return
    _retake_and_post(database, client, target, run, now, clock_id, report)


def _retake_and_post(
    database: Database,
    client: WebClient,
    target: _Target,
    run: DigestRun,
    now: datetime,
    clock_id: str,
    report: RunReport,
) -> None:
    late = now - run.scheduled_for > LATE_AFTER
    with database.writing() as session:
        won = reclaim_run(session, run, clock_id, now, late=late)
    if not won:
        report.add(Outcome(target.workspace, target.channel, run.period_key, ALREADY_CLAIMED))
        return
    _post(database, client, target, run, now, late=late, report=report)


def _find_posted(client: WebClient, channel: str, run: DigestRun) -> str | None:
    """The ts of the digest for `run` if Slack has it (by its message metadata), else None."""
    oldest = (run.scheduled_for - timedelta(minutes=1)).timestamp()
    cursor = None
    while True:
        response = client.conversations_history(
            channel=channel,
            oldest=f"{oldest:.6f}",
            include_all_metadata=True,
            limit=HISTORY_PAGE,
            cursor=cursor,
        )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == DIGEST_EVENT
                and payload.get("period") == run.period_key
            ):
                return message.get("ts")
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


# Posting


def _post(
    database: Database,
    client: WebClient,
    target: _Target,
    run: DigestRun,
    now: datetime,
    *,
    late: bool,
    report: RunReport,
) -> None:
    """Post a claimed digest and its thread reply, and record what happened."""

    def outcome(result: str, reason: str = "", ts: str | None = None) -> None:
        report.add(Outcome(target.workspace, target.channel, run.period_key, result, reason, ts))

    try:
        with database.reading() as session:
            digest = digest_for_channel(session, target.scorecard, target.channel, now)
        message = _main_message(digest, late)
    except Exception as error:
        logger.exception("Building the digest for %s failed", target.workspace)
        with database.writing() as session:
            mark_failed(session, _id(run), f"could not build the digest: {error!r}")
        outcome(FAILED, "could not build the digest")
        return
    try:
        response = client.chat_postMessage(
            channel=target.channel,
            text=message["text"],
            blocks=message["blocks"],
            metadata={"event_type": DIGEST_EVENT, "event_payload": {"period": run.period_key}},
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as error:
        code = _slack_error(error)
        _refused(database, client, target, run, code)
        outcome(PAUSED if code in CHANNEL_PROBLEMS else FAILED, code)
        return
    except Exception as error:  # no answer: Slack may or may not have the message
        with database.writing() as session:
            note_error(session, _id(run), f"no answer from Slack: {error!r}")
        outcome(UNCONFIRMED, f"no answer from Slack ({error!r}); checked on a later run")
        return
    ts = str(response["ts"])
    with database.writing() as session:
        mark_posted(session, _id(run), ts, now)
    _post_detail(client, target.channel, ts, digest)
    outcome(LATE if late else POSTED, "", ts)


def _post_detail(client: WebClient, channel: str, thread_ts: str, digest: Digest) -> None:
    """The thread reply. The digest itself is posted by now, so a failure here is only logged."""
    for message in _detail_messages(digest):
        try:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=message["text"],
                blocks=message["blocks"],
                unfurl_links=False,
            )
        except Exception:
            logger.exception("The digest's detail for %s could not be posted", channel)
            return


def _refused(
    database: Database,
    client: WebClient,
    target: _Target,
    run: DigestRun,
    code: str,
) -> None:
    """Slack said no (`code`), so nothing was posted. Channel trouble pauses the subscription."""
    subscription = target.subscription
    pause = code in CHANNEL_PROBLEMS and subscription is not None
    with database.writing() as session:
        mark_failed(session, _id(run), f"Slack refused the post: {code}")
        if pause:
            assert subscription is not None and subscription.id is not None
            pause_subscription(session, subscription.id, code)
    if pause:
        _tell_creator(client, target, code)


def _tell_creator(client: WebClient, target: _Target, code: str) -> None:
    subscription = target.subscription
    if subscription is None or not subscription.created_by:
        logger.warning(
            "Paused digest %s %s (%s); nobody to tell", target.workspace, target.channel, code
        )
        return
    message = render("digest_paused", channel=target.channel, problem=code)
    tell_privately(client, subscription.created_by, message)


def _main_message(digest: Digest, late: bool) -> dict[str, Any]:
    return render("digest", digest=digest, late=late, today=digest.today)


def _detail_messages(digest: Digest) -> list[dict[str, Any]]:
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


def _slack_error(error: SlackApiError) -> str:
    return str(error.response.get("error"))


def _id(run: DigestRun) -> int:
    assert run.id is not None
    return run.id
