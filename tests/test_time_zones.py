"""Days shown to people are the scorecard's days, east and west of UTC (issue 7, item 5).

A moment (an update, a snooze, the previous digest) falls on a different day in Auckland, in
Los Angeles and in UTC. Every reply shows it as the scorecard's day; a moment that reaches a
template without being put in the scorecard's zone is refused, so no new reply can slip back.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.nudging import run_nudge_sweep
from bot.plain_text import message_to_text
from bot.slack_standin import SlackStandIn
from scorecard.digest import build_digest
from scorecard.importing import import_scorecard
from scorecard.nudges import NudgeItem, NudgeMessage, snooze_action
from storage.db import Database
from storage.models import Action, Scorecard
from templates import render
from templates.formatting import MomentWithoutZone, day

WORKSPACE = "T0ZONES"
# 20:00 UTC on Tuesday 24 Nov is already Wednesday 09:00 in Auckland, and 12:00 in Los Angeles.
NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def scorecard_yaml(zone: str, last_update: str = "2026-09-15") -> str:
    return f"""\
workspace: {WORKSPACE}
name: Zones
timezone: {zone}
objectives:
  - {{key: answers, title: Answer fast, perspective: customer, owner: U0LEAD}}
kpis:
  - {{key: response_time, name: Response time, objective: answers, unit: h, baseline: 6,
     target: 2, direction: down, frequency: weekly, owner: U0LEAD}}
actions:
  - {{key: faq, title: FAQ page, objective: answers, owner: U0OWNER, status: active,
     last_update: {last_update}}}
"""


@pytest.fixture
def api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


def nudge_text(database: Database, api: SlackStandIn) -> str:
    client = WebClient(token="xoxb-test", base_url=api.api_url)
    run_nudge_sweep(database, client, NOW, respect_working_hours=False)
    [posted] = [call.params for call in api.calls("chat.postMessage")]
    return message_to_text(posted)


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles", "UTC"])
def test_a_nudge_shows_the_day_the_file_gave_as_the_last_update(
    database: Database, api: SlackStandIn, zone: str
) -> None:
    """`last_update: 2026-09-15` is stored as local midnight: still Tuesday 15 Sep anywhere."""
    import_scorecard(database, scorecard_yaml(zone))

    text = nudge_text(database, api)

    assert "No update since Tue 15 Sep" in text
    assert "14 Sep" not in text


@pytest.mark.parametrize(
    ("zone", "local_moment", "shown"),
    [
        # 00:30 on Tuesday in Auckland is 11:30 on Monday in UTC.
        ("Pacific/Auckland", datetime(2026, 9, 15, 0, 30), "Tue 15 Sep"),
        ("Pacific/Auckland", datetime(2026, 9, 14, 23, 30), "Mon 14 Sep"),
        # 23:30 on Monday in Los Angeles is 06:30 on Tuesday in UTC.
        ("America/Los_Angeles", datetime(2026, 9, 14, 23, 30), "Mon 14 Sep"),
        ("America/Los_Angeles", datetime(2026, 9, 15, 0, 30), "Tue 15 Sep"),
    ],
)
def test_an_update_around_local_midnight_shows_the_local_day(
    database: Database, api: SlackStandIn, zone: str, local_moment: datetime, shown: str
) -> None:
    import_scorecard(database, scorecard_yaml(zone))
    with database.writing() as session:
        action = session.exec(select(Action).where(Action.key == "faq")).one()
        action.last_update_at = local_moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        session.add(action)

    assert f"No update since {shown}" in nudge_text(database, api)


@pytest.mark.parametrize(
    ("zone", "until"),
    [
        ("Pacific/Auckland", "Wed 2 Dec"),  # 20:00 UTC on 1 Dec is 09:00 on 2 Dec there
        ("America/Los_Angeles", "Tue 1 Dec"),
        ("UTC", "Tue 1 Dec"),
    ],
)
def test_a_snooze_says_until_the_local_day(database: Database, zone: str, until: str) -> None:
    import_scorecard(database, scorecard_yaml(zone))
    with database.writing() as session:
        action = session.exec(select(Action).where(Action.key == "faq")).one()
        snoozed = snooze_action(session, WORKSPACE, action.id, "U0OWNER", NOW)

    assert f"until {until}" in message_to_text(render("action_snoozed", snoozed=snoozed))


@pytest.mark.parametrize(
    ("zone", "today", "since"),
    [
        ("Pacific/Auckland", "Wed 25 Nov", "Wed 18 Nov"),
        ("America/Los_Angeles", "Tue 24 Nov", "Tue 17 Nov"),
        ("UTC", "Tue 24 Nov", "Tue 17 Nov"),
    ],
)
def test_the_digest_dates_are_the_scorecards_days(
    database: Database, zone: str, today: str, since: str
) -> None:
    import_scorecard(database, scorecard_yaml(zone))
    with database.reading() as session:
        scorecard = session.exec(select(Scorecard)).one()
        digest = build_digest(session, scorecard, NOW, None)
        text = message_to_text(render("digest", digest=digest, late=False, today=digest.today))

    assert f"{today} · changes since {since}" in text


def test_a_moment_still_in_utc_is_refused_rather_than_shown_as_the_utc_day() -> None:
    with pytest.raises(MomentWithoutZone):
        day(NOW)
    with pytest.raises(MomentWithoutZone):
        day(NOW.replace(tzinfo=None))
    assert day(NOW.astimezone(ZoneInfo("Pacific/Auckland"))) == "Wed 25 Nov"
    assert day(NOW.astimezone(ZoneInfo("UTC"))) == "Tue 24 Nov"

    item = NudgeItem("action", 1, "faq", "FAQ page", "U0OWNER", "stalled", last_update_at=NOW)
    with pytest.raises(MomentWithoutZone):
        render("nudge", message=NudgeMessage("U0OWNER", (item,)))
