"""Scheduled digests happen exactly once: two clocks, crashes, downtime and Slack saying no.

Time is a parameter (`now`), never the wall clock, so a week passes in a line. Slack is the local
stand-in, reached by a real WebClient with the app's retry handlers.
"""

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from slack_sdk import WebClient
from sqlmodel import select

from bot.app import create_web_client
from bot.config import Settings
from bot.digest_delivery import (
    ALREADY_CLAIMED,
    DIGEST_EVENT,
    GRACE,
    IN_PROGRESS,
    LATE,
    POSTED,
    RECOVERED,
    STALE_CLAIM_AFTER,
    UNCONFIRMED,
    deliver_due_digests,
)
from bot.plain_text import message_to_text
from bot.scheduler import (
    DIGEST_CHECK_EVERY,
    DIGEST_JOB,
    NUDGE_JOB,
    NUDGE_SWEEP_EVERY,
    build_scheduler,
    clock_id,
)
from bot.slack_standin import SlackStandIn
from scorecard.exporting import export_scorecard
from scorecard.importing import import_scorecard
from scorecard.schedules import period_key
from scorecard.scorecard_file import ScorecardFileError
from storage.db import Database
from storage.digests import FAILED, SKIPPED, claim_digest, subscribe
from storage.models import DigestRun, DigestSubscription, Scorecard
from tests.conftest import POSTGRES_URL, TEST_NOW
from tests.digest_setup import load_sample, scorecard_of
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD

CHANNEL = "C0DIGEST"
# Weekly on Monday 09:00 in Amsterdam: 08:00 UTC on Monday 30 November 2026.
FIRST_DIGEST = datetime(2026, 11, 30, 8, 0, tzinfo=TEST_NOW.tzinfo)
WEEK = timedelta(days=7)


@pytest.fixture
def api() -> Iterator[SlackStandIn]:
    standin = SlackStandIn()
    standin.start()
    yield standin
    standin.stop()


@pytest.fixture
def client(api: SlackStandIn) -> WebClient:
    return create_web_client(Settings(bot_token="xoxb-test", slack_api_url=api.api_url))


@pytest.fixture
def subscribed(database: Database) -> Database:
    return subscribe_sample(database)


def subscribe_sample(database: Database) -> Database:
    """The sample scorecard, with CHANNEL subscribed (weekly Monday 09:00) on Tuesday morning."""
    load_sample(database)
    with database.writing() as session:
        subscribe(
            session, _id(scorecard_of(database)), CHANNEL, "weekly mon 09:00", "U0LEAD", TEST_NOW
        )
    return database


def digests_in(api: SlackStandIn, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """Digests Slack accepted in the channel itself (thread replies and DMs left out)."""
    return [message for message in api.history(channel) if message.get("metadata")]


def runs(database: Database, channel: str = CHANNEL) -> list[DigestRun]:
    with database.reading() as session:
        return list(
            session.exec(
                select(DigestRun)
                .where(DigestRun.channel == channel)
                .order_by(DigestRun.scheduled_for)
            ).all()
        )


def _id(scorecard: Scorecard) -> int:
    assert scorecard.id is not None
    return scorecard.id


def test_a_digest_is_posted_once_at_its_time_with_the_detail_in_a_thread(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    early = deliver_due_digests(subscribed, client, FIRST_DIGEST - timedelta(minutes=1), "clock-a")
    on_time = deliver_due_digests(
        subscribed, client, FIRST_DIGEST + timedelta(seconds=30), "clock-a"
    )
    again = deliver_due_digests(subscribed, client, FIRST_DIGEST + timedelta(minutes=1), "clock-a")

    assert early.outcomes == [] and again.outcomes == []
    assert [outcome.result for outcome in on_time.outcomes] == [POSTED]
    [digest] = digests_in(api)
    assert digest["metadata"]["event_type"] == DIGEST_EVENT
    assert "Daily meme posts" in message_to_text({"blocks": digest["blocks"]})
    [run] = runs(subscribed)
    assert (run.status, run.period_key, run.late) == ("posted", period_key(FIRST_DIGEST), False)
    assert run.message_ts == on_time.outcomes[0].message_ts
    thread = [
        c for c in api.calls("chat.postMessage") if c.params.get("thread_ts") == run.message_ts
    ]
    assert thread and "Every KPI in detail" in message_to_text(
        {"blocks": thread[0].params["blocks"]}
    )


def two_clocks(database: Database, other: Database, client: WebClient, now: datetime) -> list[str]:
    """Run two clocks at the same moment in two threads; the results of both."""
    start = threading.Barrier(2)
    results: list[str] = []

    def clock(db: Database, name: str) -> None:
        start.wait()
        report = deliver_due_digests(db, client, now, name)
        results.extend(outcome.result for outcome in report.outcomes)

    threads = [
        threading.Thread(target=clock, args=(database, "clock-a")),
        threading.Thread(target=clock, args=(other, "clock-b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_clocks_at_once_post_each_digest_once(
    backend: str,
    request: pytest.FixtureRequest,
    api: SlackStandIn,
    client: WebClient,
) -> None:
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    fixture = "database" if backend == "postgresql" else "sqlite_database"
    database: Database = request.getfixturevalue(fixture)
    assert database.engine.dialect.name == backend
    subscribe_sample(database)
    other = Database(database.url)  # the second clock: its own engine and connections
    try:
        for week in range(4):
            results = two_clocks(database, other, client, FIRST_DIGEST + week * WEEK)
            # The other clock finds the claim (or the posted run): never a second post.
            assert results.count(POSTED) == 1, results
            assert set(results) <= {POSTED, ALREADY_CLAIMED, IN_PROGRESS}, results
    finally:
        other.dispose()

    assert len(digests_in(api)) == 4
    assert [run.status for run in runs(database)] == ["posted"] * 4


def test_a_clock_that_crashed_before_posting_is_covered_once_its_claim_is_stale(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    dead_claim(subscribed)

    soon = deliver_due_digests(subscribed, client, FIRST_DIGEST + timedelta(minutes=5), "clock-b")
    later = FIRST_DIGEST + STALE_CLAIM_AFTER + timedelta(minutes=1)
    recovered = deliver_due_digests(subscribed, client, later, "clock-b")
    after = deliver_due_digests(subscribed, client, later + timedelta(minutes=1), "clock-b")

    assert [outcome.result for outcome in soon.outcomes] == [IN_PROGRESS]
    assert [outcome.result for outcome in recovered.outcomes] == [POSTED]
    assert after.outcomes == []
    assert len(digests_in(api)) == 1
    [run] = runs(subscribed)
    assert (run.status, run.claimed_by, run.attempts) == ("posted", "clock-b", 2)


def test_a_clock_that_crashed_after_posting_is_not_posted_again(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    dead_claim(subscribed)
    posted = client.chat_postMessage(  # what the dead clock managed before it died
        channel=CHANNEL,
        text="digest",
        metadata={
            "event_type": DIGEST_EVENT,
            "event_payload": {"period": period_key(FIRST_DIGEST)},
        },
    )

    later = FIRST_DIGEST + STALE_CLAIM_AFTER + timedelta(minutes=1)
    report = deliver_due_digests(subscribed, client, later, "clock-b")

    assert [outcome.result for outcome in report.outcomes] == [RECOVERED]
    assert len(digests_in(api)) == 1
    [run] = runs(subscribed)
    assert (run.status, run.message_ts) == ("posted", posted["ts"])


def test_without_slacks_history_an_unconfirmed_claim_is_reported_not_reposted(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    api.fail_next("conversations.history", "missing_scope", times=5)  # the bot can't check
    dead_claim(subscribed)

    later = FIRST_DIGEST + STALE_CLAIM_AFTER + timedelta(minutes=1)
    report = deliver_due_digests(subscribed, client, later, "clock-b")
    again = deliver_due_digests(subscribed, client, later + timedelta(hours=1), "clock-b")

    assert [outcome.result for outcome in report.outcomes] == [UNCONFIRMED]
    assert again.outcomes == []
    [dm] = api.calls("chat.postMessage")  # nothing in the channel; whoever subscribed is told
    assert dm.params["channel"] == "D0LEAD"
    assert "could not say whether it was posted (missing_scope)" in message_to_text(dm.params)
    [run] = runs(subscribed)
    assert run.status == "unconfirmed" and "not posted again" in (run.error or "")


def dead_claim(database: Database) -> None:
    """A claim left by a clock that died before it recorded a post."""
    with database.writing() as session:
        claim_digest(
            session,
            scorecard_id=_id(scorecard_of(database)),
            channel=CHANNEL,
            period_key=period_key(FIRST_DIGEST),
            scheduled_for=FIRST_DIGEST,
            clock_id="clock-dead",
            now=FIRST_DIGEST,
        )


def test_a_restart_within_the_grace_window_posts_one_late_digest(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    back = FIRST_DIGEST + timedelta(hours=3)

    report = deliver_due_digests(subscribed, client, back, "clock-a")
    again = deliver_due_digests(subscribed, client, back + timedelta(minutes=1), "clock-a")

    assert [outcome.result for outcome in report.outcomes] == [LATE]
    assert again.outcomes == []
    [digest] = digests_in(api)
    assert "posted late" in message_to_text({"blocks": digest["blocks"]})
    [run] = runs(subscribed)
    assert run.late and run.status == "posted"


def test_misses_beyond_the_grace_window_are_skipped_and_recorded(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    too_late = FIRST_DIGEST + GRACE + timedelta(minutes=1)

    report = deliver_due_digests(subscribed, client, too_late, "clock-a")

    assert [outcome.result for outcome in report.outcomes] == [SKIPPED]
    assert "grace" in report.outcomes[0].reason
    assert digests_in(api) == []
    [run] = runs(subscribed)
    assert run.status == SKIPPED


def test_after_weeks_down_only_the_latest_digest_is_posted(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    back = FIRST_DIGEST + 2 * WEEK + timedelta(hours=1)

    report = deliver_due_digests(subscribed, client, back, "clock-a")

    assert [outcome.result for outcome in report.outcomes] == [SKIPPED, SKIPPED, LATE]
    assert len(digests_in(api)) == 1
    assert [run.status for run in runs(subscribed)] == ["skipped", "skipped", "posted"]


def test_a_missing_channel_pauses_its_subscription_and_tells_whoever_subscribed(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    with subscribed.writing() as session:
        subscribe(session, _id(scorecard_of(subscribed)), "C0OTHER", "", "U0EXEC", TEST_NOW)
    api.fail_next("chat.postMessage", "channel_not_found")  # CHANNEL comes first

    report = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")
    next_week = deliver_due_digests(subscribed, client, FIRST_DIGEST + WEEK, "clock-a")

    assert {(o.channel, o.result) for o in report.outcomes} == {
        (CHANNEL, "paused"),
        ("C0OTHER", POSTED),
    }
    assert [(o.channel, o.result) for o in next_week.outcomes] == [("C0OTHER", POSTED)]
    with subscribed.reading() as session:
        subscription = session.exec(
            select(DigestSubscription).where(DigestSubscription.channel == CHANNEL)
        ).one()
    assert subscription.paused and subscription.paused_reason == "channel_not_found"
    [dm] = [c for c in api.calls("chat.postMessage") if c.params.get("channel") == "D0LEAD"]
    assert "channel_not_found" in message_to_text({"blocks": dm.params["blocks"]})
    assert "/kpi digest here" in message_to_text({"blocks": dm.params["blocks"]})


def test_a_refused_post_is_retried_by_the_next_run(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    api.fail_next("chat.postMessage", "restricted_action")  # a plain no: nothing was posted

    first = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")
    second = deliver_due_digests(subscribed, client, FIRST_DIGEST + timedelta(minutes=1), "clock-a")

    assert [outcome.result for outcome in first.outcomes] == [FAILED]
    assert [outcome.result for outcome in second.outcomes] == [POSTED]
    assert len(digests_in(api)) == 1
    [run] = runs(subscribed)
    assert (run.status, run.attempts) == ("posted", 2)


def test_a_rate_limited_post_is_retried_after_slacks_wait(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    api.rate_limit_next("chat.postMessage", retry_after=1)

    report = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")

    assert [outcome.result for outcome in report.outcomes] == [POSTED]
    attempts = [c for c in api.calls("chat.postMessage") if c.params.get("channel") == CHANNEL]
    assert len([c for c in attempts if not c.params.get("thread_ts")]) == 2  # the 429, then ok
    assert len(digests_in(api)) == 1
    [run] = runs(subscribed)
    assert run.status == "posted"


def test_one_broken_workspace_does_not_stop_the_others(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    with subscribed.writing() as session:
        broken = Scorecard(workspace="T0BROKEN", name="Broken", timezone="Mars/Olympus_Mons")
        session.add(broken)
        session.flush()
        subscribe(session, _id(broken), "C0BROKEN", "weekly mon 09:00", "U0X", TEST_NOW)

    report = deliver_due_digests(subscribed, client, FIRST_DIGEST, "clock-a")

    assert [(o.workspace, o.result) for o in report.outcomes] == [("T0DEMO", POSTED)]
    assert len(report.errors) == 1 and "T0BROKEN" in report.errors[0]
    assert len(digests_in(api)) == 1


def test_kpi_digest_here_subscribes_the_channel_end_to_end(slack: SlackHarness) -> None:
    load_sample(slack.database)

    reply = slack.command("/kpi", "digest here weekly mon 9:00", channel="C0TEAM")
    listed = slack.command("/kpi", "digest list", channel="C0ELSEWHERE")
    client = create_web_client(Settings(bot_token="xoxb-test", slack_api_url=slack.api.api_url))
    report = deliver_due_digests(slack.database, client, FIRST_DIGEST, "clock-a")

    assert reply.status == 200 and reply.ephemeral
    assert "every Monday at 09:00" in reply.text and "Mon 30 Nov" in reply.text
    assert "C0TEAM" in listed.text and "every Monday at 09:00" in listed.text
    assert [(o.channel, o.result) for o in report.outcomes] == [("C0TEAM", POSTED)]
    assert len(digests_in(slack.api, "C0TEAM")) == 1


def test_kpi_digest_off_preview_and_a_bad_schedule(slack: SlackHarness) -> None:
    load_sample(slack.database)
    slack.command("/kpi", "digest here", channel="C0TEAM")

    bad = slack.command("/kpi", "digest here sometimes", channel="C0TEAM")
    preview = slack.command("/kpi", "digest preview", channel="C0TEAM")
    off = slack.command("/kpi", "digest off", channel="C0TEAM")
    off_again = slack.command("/kpi", "digest off", channel="C0TEAM")

    assert "I can't read “sometimes” as a schedule" in bad.text
    assert preview.ephemeral and "Working on the digest preview" in preview.text
    [later] = slack.api.wait_for("response_url")  # built after the ack, by a lazy listener
    assert later.params["response_type"] == "ephemeral" and later.params["replace_original"]
    assert "Daily meme posts" in message_to_text(later.params)
    assert "no longer gets the digest" in off.text
    assert "nothing to turn off" in off_again.text
    assert slack.api.calls("chat.postMessage") == []  # the preview went to the caller only
    with slack.database.reading() as session:
        assert session.exec(select(DigestSubscription)).all() == []


def test_digest_subscriptions_come_from_the_scorecard_file_and_go_back_out(
    database: Database,
) -> None:
    digests = '\ndigests:\n  - {channel: C0123, schedule: "every 2 weeks on friday at 16:00"}\n'
    import_scorecard(database, SAMPLE_SCORECARD + digests + "  - {channel: C0456}\n")

    exported = yaml.safe_load(export_scorecard(database, "T0DEMO"))
    import_scorecard(database, yaml.safe_dump(exported))  # and the export imports unchanged

    assert exported["digests"] == [
        {"channel": "C0123", "schedule": "every 2 weeks fri 16:00"},
        {"channel": "C0456", "schedule": "weekly mon 09:00"},
    ]
    with database.reading() as session:
        stored = session.exec(select(DigestSubscription).order_by(DigestSubscription.channel))
        assert [(s.channel, s.schedule) for s in stored] == [
            ("C0123", "every 2 weeks fri 16:00"),
            ("C0456", "weekly mon 09:00"),
        ]


def test_a_bad_digest_in_the_scorecard_file_is_reported_with_the_rest(database: Database) -> None:
    digests = "\ndigests:\n  - {channel: general, schedule: sometimes}\n"

    with pytest.raises(ScorecardFileError) as raised:
        import_scorecard(database, SAMPLE_SCORECARD + digests)

    [channel, schedule] = raised.value.problems
    assert channel.startswith("digests[1]") and "not a channel id" in channel
    assert "“sometimes”" in schedule
    with database.reading() as session:
        assert session.exec(select(Scorecard)).all() == []


def test_the_clock_runs_both_jobs_in_utc_once_at_a_time(
    subscribed: Database, api: SlackStandIn, client: WebClient
) -> None:
    scheduler = build_scheduler(subscribed, client, clock=lambda: FIRST_DIGEST)

    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.start()
    try:
        api.wait_for("chat.postMessage", count=2)  # the digest and its thread reply
    finally:
        scheduler.shutdown(wait=True)

    assert str(scheduler.timezone) == "UTC"
    assert jobs[DIGEST_JOB].trigger.interval == DIGEST_CHECK_EVERY
    assert jobs[NUDGE_JOB].trigger.interval == NUDGE_SWEEP_EVERY
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    assert len(digests_in(api)) == 1
    [run] = runs(subscribed)
    assert run.status == "posted" and run.claimed_by == clock_id()


@pytest.mark.parametrize("action_id", ["open_log_reading", "open_action_update"])
def test_the_digests_buttons_open_their_modals(slack: SlackHarness, action_id: str) -> None:
    load_sample(slack.database)
    slack.command("/kpi", "digest here", channel="C0TEAM")
    client = create_web_client(Settings(bot_token="xoxb-test", slack_api_url=slack.api.api_url))
    deliver_due_digests(slack.database, client, FIRST_DIGEST, "clock-a")
    [digest] = digests_in(slack.api, "C0TEAM")
    [button] = [
        element
        for block in digest["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    ]

    clicked = slack.interact(
        {
            "type": "block_actions",
            "team": {"id": "T0DEMO", "domain": "demo"},
            "user": {"id": "U0COMMUNITY", "team_id": "T0DEMO"},
            "api_app_id": "A0SCORECARD",
            "token": "unused",
            "trigger_id": "trigger.digest",
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0TEAM"},
            "channel": {"id": "C0TEAM"},
            "message": {"type": "message", "ts": "1.2"},
            "response_url": slack.api.response_url(),
            "actions": [{**button, "block_id": "b"}],
        }
    )

    assert clicked.status == 200
    [opened] = slack.api.calls("views.open")
    assert opened.params["view"]["type"] == "modal"
