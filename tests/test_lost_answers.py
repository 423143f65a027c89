"""Slack got the post but its answer was lost (a 5xx, a dropped connection), and failures that
go on: never a second digest or nudge, and never a silent give-up.

The stand-in keeps the message and answers 500, or keeps it and drops the connection, exactly as
Slack does when the answer is lost on the way back; a real WebClient with the app's retry
handlers talks to it.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.app import create_web_client
from bot.config import Settings
from bot.digest_delivery import (
    ANSWER_LOST,
    DIGEST_EVENT,
    POSTED,
    RECOVERED,
    post_digest_now,
)
from bot.nudging import run_nudge_sweep
from bot.plain_text import message_to_text
from bot.slack_standin import SlackStandIn
from scorecard.digest_runs import GRACE, MAX_ATTEMPTS, next_attempt_at
from storage.db import Database
from storage.digests import GAVE_UP, MANUAL_PREFIX, UNCONFIRMED, claim_digest
from tests.conftest import TEST_NOW
from tests.digest_setup import scorecard_of
from tests.test_digest_delivery import (
    CHANNEL,
    FIRST_DIGEST,
    deliver_due_digests,
    digests_in,
    runs,
    subscribe_sample,
)
from tests.test_nudge_sweep import nudges, plant_scorecard

# The ways an answer goes missing: (HTTP status or None for a dropped connection).
LOST = [pytest.param(500, id="500"), pytest.param(503, id="503"), pytest.param(None, id="drop")]


@pytest.fixture
def api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def client(api: SlackStandIn) -> WebClient:
    """The app's own client: its retry handlers are part of what is tested."""
    return create_web_client(Settings(bot_token="xoxb-test", slack_api_url=api.api_url))


@pytest.fixture
def subscribed(database: Database) -> Database:
    return subscribe_sample(database)


def top_level_posts(api: SlackStandIn, channel: str = CHANNEL) -> list:
    return [
        call
        for call in api.calls("chat.postMessage")
        if call.params.get("channel") == channel and not call.params.get("thread_ts")
    ]


def thread_replies(api: SlackStandIn, ts: str) -> list:
    return [c for c in api.calls("chat.postMessage") if c.params.get("thread_ts") == ts]


@pytest.mark.parametrize("status", LOST)
def test_a_digest_slack_kept_but_did_not_confirm_is_found_not_posted_again(
    subscribed: Database, api: SlackStandIn, client: WebClient, status: int | None
) -> None:
    api.lose_answer_next("chat.postMessage", status=status, kept=True)

    report = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")
    later = deliver_due_digests(subscribed, client, FIRST_DIGEST + timedelta(hours=1), "clock-a")

    assert [outcome.result for outcome in report.outcomes] == [RECOVERED]
    assert later.outcomes == []
    assert len(top_level_posts(api)) == 1  # no resend by the client, none by the rules
    [digest] = digests_in(api)
    [run] = runs(subscribed)
    assert (run.status, run.message_ts) == ("posted", digest["ts"])
    [reply] = thread_replies(api, digest["ts"])  # the recovered digest gets its detail
    assert "Every KPI in detail" in message_to_text(reply.params)


@pytest.mark.parametrize("status", LOST)
def test_a_digest_that_never_reached_slack_is_looked_for_then_posted_once(
    subscribed: Database, api: SlackStandIn, client: WebClient, status: int | None
) -> None:
    api.lose_answer_next("chat.postMessage", status=status, kept=False)

    report = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")

    assert [outcome.result for outcome in report.outcomes] == [POSTED]
    assert len(api.calls("conversations.history")) == 1  # asked before posting again
    [digest] = digests_in(api)
    [run] = runs(subscribed)
    assert (run.status, run.message_ts, run.attempts) == ("posted", digest["ts"], 2)
    assert len(thread_replies(api, digest["ts"])) == 1


def test_when_slack_cannot_be_asked_either_the_digest_waits_and_is_asked_about_again(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    api.lose_answer_next("chat.postMessage", status=500, kept=True)
    api.lose_answer_next("conversations.history", status=503, kept=True)

    first = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")
    [unsure] = runs(subscribed)
    too_soon = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")
    later = deliver_due_digests(subscribed, client, next_attempt_at(unsure), "clock-a")

    assert [outcome.result for outcome in first.outcomes] == [ANSWER_LOST]
    assert unsure.status == "unknown"
    assert too_soon.outcomes == []
    assert [outcome.result for outcome in later.outcomes] == [RECOVERED]
    assert len(top_level_posts(api)) == 1
    assert [run.status for run in runs(subscribed)] == ["posted"]


def test_a_refused_digest_is_retried_with_backoff_then_given_up_and_the_subscriber_told(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    api.fail_next("chat.postMessage", "restricted_action", times=MAX_ATTEMPTS)
    minutes = [0, 1, 2, 3, 6, 7, 15, 31, 63, 127, 128, 200]

    results = {
        m: [
            o.result
            for o in deliver_due_digests(
                subscribed, client, FIRST_DIGEST + timedelta(minutes=m), "clock-a"
            ).outcomes
        ]
        for m in minutes
    }

    # Attempts 1, 2 and 3 a minute, then 2 minutes apart; then 4, 8, … minutes apart.
    assert [m for m, result in results.items() if result == ["failed"]] == [
        0, 1, 3, 7, 15, 31, 63, 127,
    ]  # fmt: skip
    assert results[2] == results[6] == []  # waiting for the backoff
    assert results[128] == [GAVE_UP] and results[200] == []
    assert len(top_level_posts(api)) == MAX_ATTEMPTS and digests_in(api) == []
    [dm] = [c for c in api.calls("chat.postMessage") if c.params["channel"] == "D0LEAD"]
    told = message_to_text(dm.params)
    assert "couldn't post the scorecard digest" in told and "restricted_action" in told
    [run] = runs(subscribed)
    assert run.status == GAVE_UP and run.attempts == MAX_ATTEMPTS


def test_a_digest_failing_past_the_grace_window_is_given_up_and_told_once(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    api.fail_next("chat.postMessage", "restricted_action")
    deliver_due_digests(subscribed, client, FIRST_DIGEST + GRACE - timedelta(seconds=30), "a")

    # Its next try would fall after the grace window: given up, whoever subscribed is told.
    past = FIRST_DIGEST + GRACE + timedelta(minutes=1)
    gave_up = deliver_due_digests(subscribed, client, past, "clock-a")
    again = deliver_due_digests(subscribed, client, past, "clock-b")

    assert [outcome.result for outcome in gave_up.outcomes] == [GAVE_UP]
    assert again.outcomes == []
    assert len([c for c in api.calls("chat.postMessage") if c.params["channel"] == "D0LEAD"]) == 1


def manual_claim(database: Database, minutes_ago: int = 1) -> str:
    """What a killed `scorecard digest --now` leaves: a manual claim, never recorded."""
    moment = FIRST_DIGEST - timedelta(minutes=minutes_ago)
    key = f"{MANUAL_PREFIX}{moment.isoformat(timespec='microseconds')}"
    with database.writing() as session:
        claim_digest(
            session,
            scorecard_id=scorecard_of(database).id or 0,
            channel=CHANNEL,
            period_key=key,
            scheduled_for=moment,
            clock_id="killed-cli",
            now=moment,
        )
    return key


def test_digest_now_after_a_killed_run_that_had_posted_does_not_post_again(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    key = manual_claim(subscribed)
    before = client.chat_postMessage(  # what the killed run managed
        channel=CHANNEL,
        text="digest",
        metadata={"event_type": DIGEST_EVENT, "event_payload": {"period": key}},
    )

    outcome = post_digest_now(subscribed, client, CHANNEL, FIRST_DIGEST, "cli-again")

    assert (outcome.result, outcome.message_ts) == (RECOVERED, before["ts"])
    assert len(digests_in(api)) == 1
    assert len(thread_replies(api, before["ts"])) == 1
    assert [(run.period_key, run.status) for run in runs(subscribed)] == [(key, "posted")]


def test_digest_now_after_a_killed_run_that_had_not_posted_posts_once(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    manual_claim(subscribed)

    outcome = post_digest_now(subscribed, client, CHANNEL, FIRST_DIGEST, "cli-again")

    assert outcome.result == POSTED
    assert len(digests_in(api)) == 1
    assert [run.status for run in runs(subscribed)] == ["failed", "posted"]


def test_digest_now_says_so_when_slack_cannot_tell_about_a_killed_run(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    manual_claim(subscribed)
    api.fail_next("conversations.history", "missing_scope")

    outcome = post_digest_now(subscribed, client, CHANNEL, FIRST_DIGEST, "cli-again")
    rerun = post_digest_now(subscribed, client, CHANNEL, FIRST_DIGEST, "cli-third")

    assert outcome.result == UNCONFIRMED and "run again" in outcome.reason
    assert rerun.result == POSTED  # the person saw the warning and ran it again
    assert len(digests_in(api)) == 1


@pytest.mark.parametrize("status", LOST)
def test_a_nudge_slack_kept_but_did_not_confirm_is_found_in_the_dm(
    database: Database, api: SlackStandIn, client: WebClient, status: int | None
) -> None:
    plant_scorecard(database)
    api.lose_answer_next("chat.postMessage", status=status, kept=True, times=2)

    report = run_nudge_sweep(database, client, TEST_NOW, respect_working_hours=False)

    assert sorted(sent.recipient for sent in report.sent) == ["U0COMMUNITY", "U0SOCIAL"]
    assert len(api.calls("chat.postMessage")) == 2  # one DM each, never resent
    assert len(api.calls("conversations.history")) == 2
    recorded = {(row.recipient, row.message_ts) for row in nudges(database)}
    assert recorded == {(sent.recipient, sent.ts) for sent in report.sent}
    assert all(ts for _, ts in recorded)


def test_a_nudge_that_never_reached_slack_is_looked_for_then_sent_once(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    plant_scorecard(database)
    api.lose_answer_next("chat.postMessage", status=None, kept=False)

    report = run_nudge_sweep(database, client, TEST_NOW, respect_working_hours=False)

    assert len(report.sent) == 2
    assert sorted(call.params["channel"] for call in api.calls("chat.postMessage")) == [
        "D0COMMUNITY",
        "D0COMMUNITY",  # looked for, not there, sent again
        "D0SOCIAL",
    ]
    assert len(api.history("D0COMMUNITY")) == 1


def test_a_nudge_slack_cannot_confirm_keeps_its_claims_and_is_never_resent(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    plant_scorecard(database)
    api.lose_answer_next("chat.postMessage", status=500, kept=True)
    api.fail_next("conversations.history", "missing_scope")

    first = run_nudge_sweep(database, client, TEST_NOW, respect_working_hours=False)
    again = run_nudge_sweep(
        database, client, TEST_NOW + timedelta(hours=1), respect_working_hours=False
    )

    assert [sent.recipient for sent in first.sent] == ["U0SOCIAL"]
    assert any("never sent twice" in skipped.reason for skipped in first.skipped)
    assert again.sent == []
    assert len(api.history("D0COMMUNITY")) == 1
