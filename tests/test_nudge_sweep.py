"""Nudge sweeps against a stand-in Slack: the right owners, once, even with two clocks."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import text
from sqlmodel import select

from bot.nudging import SweepReport, run_nudge_sweep
from bot.slack_standin import SlackStandIn
from scorecard.actions import post_update_to
from storage.db import Database
from storage.models import (
    Action,
    ActionUpdate,
    Kpi,
    Nudge,
    Objective,
    Perspective,
    Reading,
    Scorecard,
)
from storage.nudges import escalated_items
from tests.conftest import TEST_NOW

WORKSPACE = "T0DEMO"


@dataclass(frozen=True)
class Planted:
    scorecard_id: int
    stalled: int  # action ids
    past_due: int
    fresh: int
    overdue_kpi: int
    fresh_kpi: int


def plant_scorecard(
    database: Database, now: datetime = TEST_NOW, workspace: str = WORKSPACE, tz: str = "UTC"
) -> Planted:
    """A stalled and a past-due action (U0COMMUNITY), a fresh one (U0LEAD), an overdue KPI
    reading (U0SOCIAL) and a fresh one (U0LEAD). Objectives are owned by U0EXEC."""
    with database.writing() as session:
        scorecard = Scorecard(workspace=workspace, name="Vitality", timezone=tz)
        session.add(scorecard)
        session.flush()
        perspective = Perspective(scorecard_id=scorecard.id, key="customer", name="Customer")
        session.add(perspective)
        session.flush()
        objective = Objective(
            scorecard_id=scorecard.id,
            perspective_id=perspective.id,
            key="fast_answers",
            title="Answer product questions within 2 hours",
            owner="U0EXEC",
        )
        session.add(objective)
        session.flush()

        def action(key: str, title: str, owner: str, quiet_days: int, **more: object) -> Action:
            row = Action(
                scorecard_id=scorecard.id,
                objective_id=objective.id,
                key=key,
                title=title,
                owner=owner,
                last_update_at=now - timedelta(days=quiet_days),
                created_at=now - timedelta(days=60),
                **more,
            )
            session.add(row)
            return row

        stalled = action("weekly_qa", "Weekly live Q&A", "U0COMMUNITY", 20)
        past_due = action(
            "faq_page",
            "FAQ page <!channel>",
            "U0COMMUNITY",
            1,
            status="planned",
            due=(now - timedelta(days=3)).date(),
        )
        fresh = action("pm_training", "Train product managers", "U0LEAD", 1)

        def kpi(key: str, name: str, owner: str, last_reading_days_ago: int) -> Kpi:
            row = Kpi(
                scorecard_id=scorecard.id,
                objective_id=objective.id,
                key=key,
                name=name,
                owner=owner,
                frequency="weekly",
                created_at=now - timedelta(days=60),
            )
            session.add(row)
            session.flush()
            session.add(
                Reading(
                    scorecard_id=scorecard.id,
                    kpi_id=row.id,
                    period=(now - timedelta(days=last_reading_days_ago)).date(),
                    value=10.0,
                    logged_by=owner,
                    logged_at=now - timedelta(days=last_reading_days_ago),
                )
            )
            return row

        overdue_kpi = kpi("response_time", "Response time", "U0SOCIAL", 12)
        fresh_kpi = kpi("followers", "Instagram followers", "U0LEAD", 2)
        session.flush()
        session.add(
            ActionUpdate(
                action_id=stalled.id,
                author="U0COMMUNITY",
                text="Booked guests",
                created_at=now - timedelta(days=20),
            )
        )
        return Planted(
            scorecard.id, stalled.id, past_due.id, fresh.id, overdue_kpi.id, fresh_kpi.id
        )


@pytest.fixture
def api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def client(api: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=api.api_url)


def sweep(
    database: Database, client: WebClient, now: datetime = TEST_NOW, **options
) -> SweepReport:
    options.setdefault("respect_working_hours", False)
    return run_nudge_sweep(database, client, now, **options)


def posted_to(api: SlackStandIn) -> list[str]:
    return sorted(call.params["channel"] for call in api.calls("chat.postMessage"))


def nudges(database: Database) -> list[Nudge]:
    with database.reading() as session:
        return list(session.exec(select(Nudge).order_by(Nudge.id)).all())


def test_each_owner_gets_one_message_with_all_their_items(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    planted = plant_scorecard(database)

    report = sweep(database, client)

    assert [call.params["users"] for call in api.calls("conversations.open")] == [
        "U0COMMUNITY",
        "U0SOCIAL",
    ]
    assert posted_to(api) == ["D0COMMUNITY", "D0SOCIAL"]
    community = api.calls("chat.postMessage")[0].params
    text = str(community["blocks"])
    assert "Weekly live Q&amp;A" in text
    assert "FAQ page &lt;!channel&gt;" in text  # escaped: pings nobody
    assert "Answer product questions within 2 hours" in text  # the why
    assert "Booked guests" in text  # the last update
    assert "Post update" in text and "Snooze a week" in text and "Not mine" in text
    kpi_message = str(api.calls("chat.postMessage")[1].params["blocks"])
    assert "Response time" in kpi_message and "open_log_reading" in kpi_message
    assert {(n.item_kind, n.item_id) for n in nudges(database)} == {
        ("action", planted.stalled),
        ("action", planted.past_due),
        ("kpi", planted.overdue_kpi),
    }
    assert all(n.message_ts and n.channel for n in nudges(database))
    assert len(report.sent) == 2 and report.failed == []


def test_a_second_sweep_sends_nothing(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    plant_scorecard(database)
    sweep(database, client)

    again = sweep(database, client, TEST_NOW + timedelta(hours=3))

    assert again.sent == []
    assert len(api.calls("chat.postMessage")) == 2
    assert all("already nudged" in skipped.reason for skipped in again.skipped)
    # A week on, the items are due again (and U0LEAD's weekly reading has fallen due too).
    week_later = sweep(database, client, TEST_NOW + timedelta(days=7, minutes=1))
    assert sorted(sent.recipient for sent in week_later.sent) == [
        "U0COMMUNITY",
        "U0LEAD",
        "U0SOCIAL",
    ]


def test_two_concurrent_sweeps_nudge_each_owner_once(database: Database, api: SlackStandIn) -> None:
    plant_scorecard(database)
    clocks = [Database(database.url), Database(database.url)]
    start = threading.Barrier(len(clocks))
    reports: list[SweepReport] = []

    def clock(db: Database) -> None:
        start.wait()
        reports.append(sweep(db, WebClient(token="xoxb-test", base_url=api.api_url)))

    threads = [threading.Thread(target=clock, args=(db,)) for db in clocks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    for db in clocks:
        db.dispose()

    assert posted_to(api) == ["D0COMMUNITY", "D0SOCIAL"]
    assert sorted(len(report.sent) for report in reports) == [0, 2]
    assert len(nudges(database)) == 3


def test_a_dry_run_sends_and_stores_nothing(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    plant_scorecard(database)

    report = sweep(database, client, dry_run=True)

    assert [sent.recipient for sent in report.sent] == ["U0COMMUNITY", "U0SOCIAL"]
    assert "Weekly live Q&amp;A" in str(report.sent[0].message)
    assert api.calls("chat.postMessage") == [] and api.calls("conversations.open") == []
    assert nudges(database) == []
    assert len(sweep(database, client).sent) == 2  # the real sweep still sends


def test_working_hours_and_away_people_in_a_real_sweep(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    plant_scorecard(database)
    api.add_user("U0COMMUNITY", tz="America/Los_Angeles")  # 02:00 there
    api.add_user("U0SOCIAL", tz="Europe/Amsterdam", status_text="On holiday :palm_tree:")

    report = sweep(database, client, respect_working_hours=True)

    assert report.sent == []
    reasons = {skipped.recipient: skipped.reason for skipped in report.skipped}
    assert reasons["U0COMMUNITY"].startswith("outside working hours")
    assert reasons["U0SOCIAL"] == "away in Slack"
    assert nudges(database) == []  # nothing claimed: they get it when they are back
    later = sweep(database, client, TEST_NOW + timedelta(hours=8), respect_working_hours=True)
    assert [sent.recipient for sent in later.sent] == ["U0COMMUNITY"]  # 10:00 in LA


def test_a_message_slack_refuses_is_tried_again_next_sweep(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    plant_scorecard(database)
    api.fail_next("chat.postMessage", "user_not_found")

    first = sweep(database, client)
    second = sweep(database, client, TEST_NOW + timedelta(hours=1))

    assert len(first.sent) == 1
    assert any("user_not_found" in skipped.reason for skipped in first.skipped)
    assert len(second.sent) == 1
    assert len(nudges(database)) == 3


def test_a_crash_between_claim_and_post_never_sends_twice(
    database: Database, api: SlackStandIn, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant_scorecard(database)
    real_post = client.chat_postMessage
    delivered: list[str] = []

    def post_then_crash(**message: object) -> None:
        real_post(**message)
        delivered.append(str(message["channel"]))
        raise ConnectionResetError("the line went dead before Slack's answer arrived")

    monkeypatch.setattr(client, "chat_postMessage", post_then_crash)
    first = sweep(database, client)
    monkeypatch.undo()
    again = sweep(database, client, TEST_NOW + timedelta(minutes=5))

    assert delivered == ["D0COMMUNITY", "D0SOCIAL"]  # both reached Slack, unrecorded
    assert first.sent == [] and again.sent == []
    assert len(api.calls("chat.postMessage")) == 2


def test_one_broken_workspace_does_not_stop_the_others(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    plant_scorecard(database, workspace="T0BROKEN", tz="Mars/Olympus_Mons")
    plant_scorecard(database)

    report = sweep(database, client)

    assert report.failed == ["T0BROKEN"]
    assert len(report.sent) == 2


def test_items_nudged_twice_without_an_answer_are_escalated(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    planted = plant_scorecard(database)
    sweep(database, client)
    with database.reading() as session:
        assert escalated_items(session, planted.scorecard_id) == []

    sweep(database, client, TEST_NOW + timedelta(days=8))

    with database.reading() as session:
        escalated = escalated_items(session, planted.scorecard_id)
    assert sorted((e.kind, e.key, e.owner, e.objective_owner) for e in escalated) == [
        ("action", "faq_page", "U0COMMUNITY", "U0EXEC"),
        ("action", "weekly_qa", "U0COMMUNITY", "U0EXEC"),
        ("kpi", "response_time", "U0SOCIAL", "U0EXEC"),
    ]
    # An update on the action (from a slash command, a button or a modal) is an answer.
    with database.writing() as session:
        post_update_to(
            session,
            WORKSPACE,
            planted.stalled,
            "Guests booked",
            "U0COMMUNITY",
            TEST_NOW + timedelta(days=9),
        )
    with database.reading() as session:
        keys = {e.key for e in escalated_items(session, planted.scorecard_id)}
    assert keys == {"faq_page", "response_time"}


def test_a_sweep_over_100000_actions_takes_under_two_seconds(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    planted = plant_scorecard(database)
    # Generated inside the database: one action in fifty has stalled, 200 owners.
    generate = text(
        """
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
        INSERT INTO actions (scorecard_id, key, title, owner, status, position, archived,
                             created_at, last_update_at)
        SELECT :scorecard, 'bulk_' || CAST(i AS TEXT), 'Bulk action ' || CAST(i AS TEXT),
               'U0BULK' || CAST(i % 200 AS TEXT), 'active', i, false, :created,
               CASE WHEN i % 50 = 0 THEN :stalled ELSE :recent END
        FROM n
        """
    )
    naive = TEST_NOW.replace(tzinfo=None)
    with database.writing() as session:
        session.execute(
            generate,
            {
                "scorecard": planted.scorecard_id,
                "created": naive - timedelta(days=60),
                "stalled": naive - timedelta(days=30),
                "recent": naive - timedelta(days=2),
            },
        )

    started = time.perf_counter()
    report = sweep(database, client)
    elapsed = time.perf_counter() - started

    assert sum(len(sent.items) for sent in report.sent) == 2_000 + 3
    assert len(report.sent) == 4 + 2  # owners 0, 50, 100 and 150 have the stalled ones
    assert elapsed < 2.0, f"took {elapsed:.2f}s"
