"""What a digest says, and that it fits Slack's limits for any size of scorecard."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlmodel import select

from bot.digest_delivery import preview_message
from bot.plain_text import message_to_text
from scorecard.digest import DETAIL_MESSAGES, build_digest
from storage.db import Database
from storage.models import Action, Kpi, Objective, Perspective, Reading, Scorecard
from storage.nudges import Escalation
from templates import render
from templates.limits import problems
from tests.conftest import TEST_NOW
from tests.digest_setup import TODAY, add_reading, load_sample, moment, scorecard_of


def digest_text(database: Database, since: Any = None) -> tuple[str, str]:
    """The channel message and the thread reply as a person reads them."""
    main, *details = preview_message(database, "C0DIGEST", TEST_NOW)
    for message in (main, *details):
        assert problems(message) == []
    return message_to_text(main), "\n".join(message_to_text(d) for d in details)


def test_the_digest_covers_every_perspective_and_puts_exceptions_first(database: Database) -> None:
    load_sample(database)

    text, detail = digest_text(database)

    for perspective in ("Financial", "Customer", "Community", "Learning & growth"):
        assert perspective in text
    assert text.index("Off track or at risk") < text.index("Financial")
    exceptions = text.split("Off track or at risk")[1].split("\n\n")[0]
    assert "Response time" in exceptions  # 6 h -> 5.5 h in a month: 2 h is half a year away
    # No target date, 20k -> 21k in 20 days: the 30k target is 180 days away, within its year.
    assert "Repeat revenue" not in exceptions


def test_the_digest_names_the_action_that_serves_no_objective(database: Database) -> None:
    load_sample(database)

    text, _ = digest_text(database)

    why = text[text.index("Why are we doing this?") :]
    assert "Daily meme posts" in why.split("\n\n")[0]
    assert "@U0SOCIAL" in why


def test_an_overdue_reading_mentions_the_kpi_owner(database: Database) -> None:
    load_sample(database)

    text, _ = digest_text(database)

    overdue = text[text.index("Readings overdue") :].split("\n")[:3]
    assert any("Response time" in line and "@U0COMMUNITY" in line for line in overdue)


def test_a_stalled_action_is_shown_with_owner_and_objective(database: Database) -> None:
    load_sample(database)

    text, _ = digest_text(database)

    stalled = text[text.index("Stalled actions") :].split("\n")[1]
    assert "Weekly live Q&A" in stalled
    assert "@U0COMMUNITY" in stalled
    assert "Answer product questions within 2 hours" in stalled
    assert "no update for 20 days" in stalled


def test_movers_and_changes_are_measured_from_the_previous_digest(database: Database) -> None:
    load_sample(database)
    scorecard = scorecard_of(database)

    with database.reading() as session:
        digest = build_digest(session, scorecard, TEST_NOW, moment(TODAY - timedelta(days=6)))
    [followers] = [line for line in digest.movers if line.kpi.key == "instagram_followers"]

    assert (followers.previous, followers.view.value, followers.change) == (12000, 13500, 1500)
    assert followers.improved
    text, detail = digest_text(database)
    assert "Instagram followers" in text[text.index("Biggest movers") :]
    assert "+1,500" in detail


def test_the_thread_reply_lists_every_objectives_kpis_with_a_sparkline(database: Database) -> None:
    load_sample(database)

    _, detail = digest_text(database)

    for objective in ("Grow repeat revenue", "Keep members loyal", "Product managers fluent"):
        assert objective in detail
    followers = next(line for line in detail.splitlines() if "Instagram followers" in line)
    assert "13,500" in followers and "15,000" in followers
    assert any(bar in followers for bar in "▁▂▃▄▅▆▇█")


def test_an_on_track_objective_whose_supported_objective_stands_still_is_questioned(
    database: Database,
) -> None:
    load_sample(database)
    # Members stay loyal (both KPIs on target for weeks) but repeat revenue does not move.
    for weeks_ago in (3, 2, 1, 0):
        day = TODAY - timedelta(days=7 * weeks_ago)
        add_reading(database, "instagram_followers", 15100 + weeks_ago, day)
        add_reading(database, "engagement_rate", 4.2, day)
        # Still at its 20k baseline: without a target date, status follows the pace since it.
        add_reading(database, "repeat_revenue", 20000, day)

    text, _ = digest_text(database)

    doubt = text[text.index("The link may not hold") :].split("\n")[1]
    assert "Keep members loyal" in doubt
    assert "Grow repeat revenue" in doubt


def test_no_doubt_when_the_supported_objective_moves(database: Database) -> None:
    load_sample(database)
    for weeks_ago, revenue in ((3, 21000), (2, 23000), (1, 25000), (0, 27000)):
        day = TODAY - timedelta(days=7 * weeks_ago)
        add_reading(database, "instagram_followers", 15100, day)
        add_reading(database, "engagement_rate", 4.2, day)
        add_reading(database, "repeat_revenue", revenue, day)

    text, _ = digest_text(database)

    assert "The link may not hold" not in text


def test_items_nudged_twice_are_raised_to_the_objective_owner(database: Database) -> None:
    load_sample(database)
    with database.reading() as session:
        digest = build_digest(session, scorecard_of(database), TEST_NOW, None)
    digest.escalations.append(
        Escalation("action", "weekly_qa", "Weekly live Q&A", "U0COMMUNITY", "U0LEAD")
    )

    text = message_to_text(render("digest", digest=digest, late=False, today=TODAY))

    line = text[text.index("Nudged twice, no answer") :].split("\n")[1]
    assert "Weekly live Q&A" in line and "@U0COMMUNITY" in line and "@U0LEAD" in line


def test_buttons_open_the_log_and_update_flows(database: Database) -> None:
    load_sample(database)

    main, *_ = preview_message(database, "C0DIGEST", TEST_NOW)

    [buttons] = [block for block in main["blocks"] if block["type"] == "actions"]
    assert [element["action_id"] for element in buttons["elements"]] == [
        "open_log_reading",
        "open_action_update",
    ]


def test_names_from_the_scorecard_cannot_ping_a_channel(database: Database) -> None:
    load_sample(database)
    with database.writing() as session:
        action = session.exec(select(Action).where(Action.key == "daily_memes")).one()
        action.title = '<!channel> memes & "jokes"'
        session.add(action)

    main, *_ = preview_message(database, "C0DIGEST", TEST_NOW)

    raw = str(main)
    assert "<!channel>" not in raw
    assert '&lt;!channel&gt; memes &amp; "jokes"' in raw


@contextmanager
def counting_queries(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def big_scorecard(database: Database, kpis: int = 5000, objectives: int = 150) -> Scorecard:
    """Thousands of KPIs with some history, hundreds of actions, many without an objective."""
    with database.writing() as session:
        scorecard = Scorecard(workspace="T0BIG", name="Big", timezone="Europe/Amsterdam")
        session.add(scorecard)
        session.flush()
        perspectives = [
            Perspective(scorecard_id=scorecard.id, key=f"p{n}", name=f"Perspective {n}", position=n)
            for n in range(4)
        ]
        session.add_all(perspectives)
        session.flush()
        goals = [
            Objective(
                scorecard_id=scorecard.id,
                perspective_id=perspectives[n % 4].id,
                key=f"o{n}",
                title=f"Objective number {n} with a rather long title to fill the message",
                owner=f"U{n:05d}",
                position=n,
            )
            for n in range(objectives)
        ]
        session.add_all(goals)
        session.flush()
        created = TEST_NOW - timedelta(days=60)
        session.execute(
            insert(Kpi),
            [
                {
                    "scorecard_id": scorecard.id,
                    "objective_id": goals[n % objectives].id,
                    "key": f"k{n}",
                    "name": f"KPI number {n} <with> & odd characters",
                    "unit": "%",
                    "baseline": 0.0,
                    "target": 100.0,
                    "direction": "up",
                    "frequency": "daily" if n % 2 else "weekly",
                    "owner": f"U{n:05d}",
                    "weight": 1.0,
                    "position": n,
                    "archived": False,
                    "created_at": created,
                }
                for n in range(kpis)
            ],
        )
        kpi_ids = session.exec(select(Kpi.id).where(Kpi.scorecard_id == scorecard.id)).all()
        session.execute(
            insert(Reading),
            [
                {
                    "scorecard_id": scorecard.id,
                    "kpi_id": kpi_id,
                    "period": TODAY - timedelta(days=days_ago),
                    "value": float((kpi_id * 7 + days_ago * 13) % 100),
                    "logged_by": "U0",
                    "logged_at": moment(TODAY - timedelta(days=days_ago)),
                }
                for kpi_id in kpi_ids
                for days_ago in (9, 3, 1)
            ],
        )
        session.execute(
            insert(Action),
            [
                {
                    "scorecard_id": scorecard.id,
                    "objective_id": goals[n].id if n % 2 else None,
                    "key": f"a{n}",
                    "title": f"Action {n}",
                    "owner": f"U{n:05d}",
                    "status": "active",
                    "position": n,
                    "archived": False,
                    "created_at": created,
                    "last_update_at": created,
                }
                for n in range(objectives)
            ],
        )
    with database.reading() as session:
        return session.exec(select(Scorecard).where(Scorecard.workspace == "T0BIG")).one()


def test_a_5000_kpi_digest_fits_slacks_limits_in_a_handful_of_queries(database: Database) -> None:
    big_scorecard(database)

    with counting_queries(database) as statements:
        messages = preview_message(database, "C0DIGEST", TEST_NOW, "T0BIG")

    main, *details = messages
    assert len(statements) <= 15, statements
    assert 1 <= len(details) <= DETAIL_MESSAGES
    for message in messages:
        assert problems(message) == []
        assert len(json.dumps(message)) < 40_000  # Slack refuses very long messages
    text = message_to_text(main)
    assert "more" in text
    for number in range(4):
        assert f"Perspective {number}" in text
    assert "more objectives" in message_to_text(details[-1])


def test_an_empty_scorecard_gets_a_calm_digest(database: Database) -> None:
    with database.writing() as session:
        session.add(Scorecard(workspace="T0EMPTY", name="Empty"))

    main, *details = preview_message(database, "C0DIGEST", TEST_NOW, "T0EMPTY")

    assert problems(main) == [] and all(problems(d) == [] for d in details)
    assert "Nothing needs attention" in message_to_text(main)
    assert date(2026, 11, 24).strftime("%a") in message_to_text(main)


def test_sparklines_show_the_last_eight_days_with_a_reading_and_a_days_last_value(
    database: Database,
) -> None:
    load_sample(database)
    # A weekly KPI logged every day, with a correction two days ago: the last eight days show.
    for days_ago in range(20):
        add_reading(database, "engagement_rate", 100 + days_ago, TODAY - timedelta(days=days_ago))
    add_reading(database, "engagement_rate", 9.9, TODAY - timedelta(days=2))
    # A monthly KPI: readings older than its ten months of history stay out.
    for days_ago, revenue in ((400, 1000), (200, 2000), (100, 3000)):
        add_reading(database, "repeat_revenue", revenue, TODAY - timedelta(days=days_ago))
    # A daily KPI: a reading twelve days back is too old; the last of three on one day counts.
    add_reading(database, "response_time", 9.0, TODAY - timedelta(days=12))
    for hours in (4.0, 3.5, 3.0):
        add_reading(database, "response_time", hours, TODAY - timedelta(days=1))

    with database.reading() as session:
        digest = build_digest(session, scorecard_of(database), TEST_NOW, None)
    history = {
        line.kpi.key: line.history for objective in digest.objectives for line in objective.kpis
    }

    assert history["engagement_rate"] == (107, 106, 105, 104, 103, 9.9, 101, 100)
    assert history["repeat_revenue"] == (2000, 3000, 21000)
    assert history["response_time"] == (5.5, 3.0)
    assert history["instagram_followers"] == (11000, 11500, 12000, 13500)
