"""Nudge sweeps against a stand-in Slack: the right owners, once, even with two clocks."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import text
from sqlmodel import select

from bot.nudging import SweepReport, nudge_message, run_nudge_sweep
from bot.slack_standin import SlackStandIn
from scorecard.actions import post_update_to
from scorecard.nudges import ITEMS_PER_MESSAGE, NudgeLimits, nudge_as_it_stands
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
from templates import render
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


def add_stalled_actions(
    database: Database, scorecard_id: int, owner: str, count: int, now: datetime = TEST_NOW
) -> list[str]:
    """`count` stalled actions for `owner`, quiet for 15 to 14 + count days: the keys, the
    longest silent first."""
    with database.writing() as session:
        objective = session.exec(
            select(Objective).where(Objective.scorecard_id == scorecard_id)
        ).first()
        assert objective is not None
        for n in range(count):
            session.add(
                Action(
                    scorecard_id=scorecard_id,
                    objective_id=objective.id,
                    key=f"many_{n:02}",
                    title=f"Many {n:02}",
                    owner=owner,
                    last_update_at=now - timedelta(days=15 + n),
                    created_at=now - timedelta(days=60),
                )
            )
    return [f"many_{n:02}" for n in reversed(range(count))]


def actions_named(message: dict, key_of: dict[int, str]) -> list[str]:
    """The keys of the actions a posted nudge names, in its order."""
    prefix = "nudge-action-"
    block_ids = [block.get("block_id", "") for block in message["blocks"]]
    return [
        key_of[int(block_id.removeprefix(prefix))]
        for block_id in block_ids
        if block_id.startswith(prefix) and block_id.removeprefix(prefix).isdigit()
    ]


def action_keys(database: Database) -> dict[int, str]:
    with database.reading() as session:
        return {a.id: a.key for a in session.exec(select(Action)).all()}


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
    assert report.sent[0].message is not None
    assert "Weekly live Q&amp;A" in str(nudge_message(report.sent[0].message, TEST_NOW.date()))
    assert api.calls() == []  # nobody looked up, nothing sent
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
        raise RuntimeError("the clock died before it recorded the message")

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


def test_a_sweep_over_100000_actions_names_and_claims_only_the_most_urgent(
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

    report = sweep(database, client)  # how fast: `python -m bench --only sweep`

    # Owners 0, 50, 100 and 150 have 500 stalled ones each: a message names the most urgent.
    assert len(report.sent) == 4 + 2
    assert sum(len(sent.items) for sent in report.sent) == 4 * ITEMS_PER_MESSAGE + 3
    assert len(nudges(database)) == 4 * ITEMS_PER_MESSAGE + 3  # the rest stay free for later
    bulk = [c.params for c in api.calls("chat.postMessage") if c.params["channel"] == "D0BULK0"]
    assert "and 490 more" in str(bulk[0]["blocks"])


def test_a_message_names_the_most_urgent_few_and_claims_only_those(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    planted = plant_scorecard(database)
    by_silence = add_stalled_actions(database, planted.scorecard_id, "U0MANY", 25)
    key_of = action_keys(database)

    first = sweep(database, client)

    many = next(sent for sent in first.sent if sent.recipient == "U0MANY")
    assert [item.key for item in many.items] == by_silence[:10]  # the longest silent first
    posted = [c.params for c in api.calls("chat.postMessage")]
    message = next(p for p in posted if p["channel"] == "D0MANY")
    assert "and 15 more" in str(message["blocks"]) and "/action mine" in str(message["blocks"])
    assert actions_named(message, key_of) == by_silence[:10]
    claimed = [key_of[n.item_id] for n in nudges(database) if n.recipient == "U0MANY"]
    assert sorted(claimed) == sorted(by_silence[:10])
    # The button redraw still says how many more wait.
    row = next(n for n in nudges(database) if n.recipient == "U0MANY")
    with database.reading() as session:
        standing = nudge_as_it_stands(
            session, WORKSPACE, row.channel, row.message_ts, TEST_NOW + timedelta(minutes=5)
        )
    assert standing is not None and standing.more == 15 and len(standing.items) == 10
    assert "and 15 more" in str(render("nudge", message=standing, today=TEST_NOW.date()))

    # The next sweeps (3 messages a week at most) list the others, the most urgent first.
    second = sweep(database, client, TEST_NOW + timedelta(hours=1))
    third = sweep(database, client, TEST_NOW + timedelta(hours=2))
    fourth = sweep(database, client, TEST_NOW + timedelta(hours=3))

    assert [[i.key for i in s.items] for s in second.sent] == [by_silence[10:20]]
    assert [[i.key for i in s.items] for s in third.sent] == [by_silence[20:]]
    later = [c.params for c in api.calls("chat.postMessage")][-2:]
    assert [p["channel"] for p in later] == ["D0MANY", "D0MANY"]
    assert "and 5 more" in str(later[0]["blocks"])
    assert "more —" not in str(later[1]["blocks"])  # all of the last five named
    assert fourth.sent == []
    claimed = [key_of[n.item_id] for n in nudges(database) if n.recipient == "U0MANY"]
    assert sorted(claimed) == sorted(by_silence)  # each exactly once


def test_items_left_out_wait_for_the_weekly_cap(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    planted = plant_scorecard(database)
    by_silence = add_stalled_actions(database, planted.scorecard_id, "U0MANY", 25)
    limits = NudgeLimits(messages_per_week=1)
    sweep(database, client, limits=limits)

    again = sweep(database, client, TEST_NOW + timedelta(hours=1), limits=limits)

    assert again.sent == []
    capped = next(s for s in again.skipped if "already had 1 nudge messages" in s.reason)
    assert capped.recipient == "U0MANY"
    assert sorted(i.key for i in capped.items) == sorted(by_silence[10:])
    assert len([n for n in nudges(database) if n.recipient == "U0MANY"]) == 10
    # A week on, urgency alone ranks: the ten longest silent may be nudged again, and lead.
    a_week_on = sweep(database, client, TEST_NOW + timedelta(days=7, hours=1), limits=limits)
    many = next(s for s in a_week_on.sent if s.recipient == "U0MANY")
    assert [i.key for i in many.items] == by_silence[:10]
    assert len([n for n in nudges(database) if n.recipient == "U0MANY"]) == 20


def test_a_scorecards_own_nudge_limits_apply(
    database: Database, api: SlackStandIn, client: WebClient
) -> None:
    planted = plant_scorecard(database)
    with database.writing() as session:
        scorecard = session.get(Scorecard, planted.scorecard_id)
        assert scorecard is not None
        scorecard.nudge_interval_days = 2  # as `settings: {nudge_interval_days: 2}` imports it
        session.add(scorecard)
    sweep(database, client)

    next_day = sweep(database, client, TEST_NOW + timedelta(days=1))
    two_days_on = sweep(database, client, TEST_NOW + timedelta(days=2, hours=1))

    assert next_day.sent == []
    assert {sent.recipient for sent in two_days_on.sent} == {"U0COMMUNITY", "U0SOCIAL"}
