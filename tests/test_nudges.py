"""Who gets nudged about what: the rules, with plain data and a controlled `now`."""

from datetime import UTC, date, datetime, timedelta

import pytest

from scorecard.nudges import (
    ITEMS_PER_MESSAGE,
    PAST_DUE,
    READING_DUE,
    STALLED,
    NudgeItem,
    NudgeLimits,
    Person,
    action_item,
    is_away,
    kpi_item,
    plan_nudges,
)
from storage.action_queries import ActionFacts
from storage.models import Scorecard
from storage.nudges import KpiFacts, PastNudge

# Tuesday 24 Nov 2026, 10:00 UTC: 11:00 in Amsterdam, 02:00 in Los Angeles.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
SCORECARD = Scorecard(workspace="T0", name="Test", timezone="Europe/Amsterdam", stall_after_days=14)
AMSTERDAM = Person("U0AMS", timezone="Europe/Amsterdam")
LOS_ANGELES = Person("U0LA", timezone="America/Los_Angeles")


def facts(
    *,
    status: str = "active",
    quiet_days: float = 20,
    due: date | None = None,
    stall_after_days: int | None = None,
) -> ActionFacts:
    return ActionFacts(
        id=1,
        key="photos",
        title="Customer photo campaign",
        owner="U0AMS",
        status=status,
        due=due,
        stall_after_days=stall_after_days,
        last_update_at=NOW - timedelta(days=quiet_days),
        objective_title="Trust through customer photos",
    )


def item(item_id: int, owner: str | None = "U0AMS", kind: str = "action") -> NudgeItem:
    reason = READING_DUE if kind == "kpi" else STALLED
    return NudgeItem(kind, item_id, f"item{item_id}", f"Item {item_id}", owner, reason)


def sent(recipient: str, item_id: int, days_ago: float, sweep: str = "s1") -> PastNudge:
    return PastNudge(recipient, "action", item_id, sweep, NOW - timedelta(days=days_ago))


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (facts(quiet_days=14), STALLED),  # no update for the scorecard's 14 days
        (facts(quiet_days=13.9), ""),
        (facts(quiet_days=4, stall_after_days=3), STALLED),  # the action's own period wins
        (facts(quiet_days=20, stall_after_days=30), ""),
        (facts(status="planned", quiet_days=60), ""),  # not started: nothing to stall
        (facts(status="planned", quiet_days=1, due=TODAY - timedelta(days=1)), PAST_DUE),
        (facts(quiet_days=1, due=TODAY - timedelta(days=1)), PAST_DUE),
        (facts(quiet_days=1, due=TODAY), ""),  # due today is not late yet
        (facts(status="done", quiet_days=60, due=TODAY - timedelta(days=9)), ""),
        (facts(status="stopped", quiet_days=60), ""),
    ],
)
def test_stalled_and_past_due_actions(action: ActionFacts, reason: str) -> None:
    found = action_item(action, SCORECARD, NOW, TODAY)

    assert found.reason == reason
    assert found.objective == "Trust through customer photos"


@pytest.mark.parametrize(
    ("frequency", "last_reading_days_ago", "due"),
    [
        ("weekly", 8, False),  # a day's grace after the week
        ("weekly", 9, True),
        ("daily", 2, False),
        ("daily", 3, True),
        ("monthly", 30, False),
        ("monthly", 33, True),
        ("weekly", None, True),  # never read, added long ago
    ],
)
def test_overdue_kpi_readings(frequency: str, last_reading_days_ago: int | None, due: bool) -> None:
    last = None if last_reading_days_ago is None else TODAY - timedelta(days=last_reading_days_ago)
    kpi = KpiFacts(
        id=3,
        key="followers",
        name="Instagram followers",
        owner="U0SOCIAL",
        frequency=frequency,
        started=TODAY - timedelta(days=90),
        last_reading=last,
        objective_title="Keep members loyal",
    )

    assert (kpi_item(kpi, TODAY).reason == READING_DUE) is due


def test_a_kpi_added_this_week_is_not_overdue_without_readings() -> None:
    kpi = KpiFacts(3, "nps", "NPS", "U0", "weekly", TODAY - timedelta(days=2), None, None)

    assert kpi_item(kpi, TODAY).reason == ""


def test_one_message_per_person_listing_all_their_items() -> None:
    items = [item(1), item(2, owner="U0LA"), item(3), item(4, kind="kpi")]

    plan = plan_nudges(items, [], {}, NOW, respect_working_hours=False)

    assert [(m.recipient, [i.item_id for i in m.items]) for m in plan.messages] == [
        ("U0AMS", [1, 3, 4]),
        ("U0LA", [2]),
    ]


def test_a_message_names_the_most_urgent_few_and_counts_the_rest() -> None:
    items = [item(n) for n in range(1, 26)]

    plan = plan_nudges(items, [], {}, NOW, respect_working_hours=False)

    assert ITEMS_PER_MESSAGE == 10
    [message] = plan.messages
    assert len(message.items) == 10 and message.more == 15
    [waiting] = plan.skipped
    assert waiting.recipient == "U0AMS" and len(waiting.items) == 15
    assert "10 most urgent" in waiting.reason
    assert {i.item_id for i in message.items} | {i.item_id for i in waiting.items} == set(
        range(1, 26)
    )


def test_most_urgent_first_past_due_then_stalled_then_readings() -> None:
    def action(
        item_id: int, reason: str, *, due_days_ago: int = 0, quiet_days: int = 0
    ) -> NudgeItem:
        return NudgeItem(
            "action",
            item_id,
            f"a{item_id}",
            f"Action {item_id}",
            "U0AMS",
            reason,
            last_update_at=NOW - timedelta(days=quiet_days),
            due=TODAY - timedelta(days=due_days_ago),
        )

    def reading(item_id: int, late_days: int) -> NudgeItem:
        due = TODAY - timedelta(days=late_days)
        return NudgeItem(
            "kpi", item_id, f"k{item_id}", f"KPI {item_id}", "U0AMS", READING_DUE, due=due
        )

    items = [
        reading(1, late_days=3),
        action(2, STALLED, quiet_days=20),
        action(3, PAST_DUE, due_days_ago=2, quiet_days=1),
        reading(4, late_days=30),
        action(5, STALLED, quiet_days=60),
        action(6, PAST_DUE, due_days_ago=40, quiet_days=1),
    ]

    plan = plan_nudges(items, [], {}, NOW, respect_working_hours=False)

    assert [i.item_id for i in plan.messages[0].items] == [6, 3, 5, 2, 4, 1]


def test_overdue_readings_know_when_they_were_due() -> None:
    kpi = KpiFacts(3, "nps", "NPS", "U0", "weekly", TODAY - timedelta(days=90), None, None)
    read = KpiFacts(
        3,
        "nps",
        "NPS",
        "U0",
        "weekly",
        TODAY - timedelta(days=90),
        TODAY - timedelta(days=10),
        None,
    )

    assert kpi_item(kpi, TODAY).due == TODAY - timedelta(days=83)
    assert kpi_item(read, TODAY).due == TODAY - timedelta(days=3)


def test_an_item_is_nudged_at_most_once_in_seven_days() -> None:
    history = [sent("U0AMS", 1, days_ago=6.9), sent("U0AMS", 2, days_ago=7.1)]

    plan = plan_nudges([item(1), item(2)], history, {}, NOW, respect_working_hours=False)

    assert [i.item_id for i in plan.messages[0].items] == [2]
    assert "already nudged" in plan.skipped[0].reason


def test_the_item_interval_can_be_changed() -> None:
    history = [sent("U0AMS", 1, days_ago=2)]
    limits = NudgeLimits(item_interval=timedelta(days=1))

    plan = plan_nudges([item(1)], history, {}, NOW, limits=limits, respect_working_hours=False)

    assert [m.recipient for m in plan.messages] == ["U0AMS"]


def test_at_most_three_messages_per_person_per_week() -> None:
    history = [
        sent("U0AMS", 7, days_ago=6, sweep="a"),
        sent("U0AMS", 8, days_ago=6, sweep="a"),  # the same message as the line above
        sent("U0AMS", 9, days_ago=3, sweep="b"),
        sent("U0AMS", 10, days_ago=1, sweep="c"),
        sent("U0LA", 11, days_ago=1, sweep="c"),
    ]

    plan = plan_nudges(
        [item(1), item(2, owner="U0LA")], history, {}, NOW, respect_working_hours=False
    )

    assert [m.recipient for m in plan.messages] == ["U0LA"]
    assert plan.skipped[0].recipient == "U0AMS"
    assert "3 nudge messages" in plan.skipped[0].reason
    # A week later the oldest message no longer counts.
    later = plan_nudges(
        [item(1)], history, {}, NOW + timedelta(days=1), respect_working_hours=False
    )
    assert [m.recipient for m in later.messages] == ["U0AMS"]


def test_the_weekly_cap_can_be_changed() -> None:
    history = [sent("U0AMS", 9, days_ago=1)]
    limits = NudgeLimits(messages_per_week=1)

    plan = plan_nudges([item(1)], history, {}, NOW, limits=limits, respect_working_hours=False)

    assert plan.messages == []


def test_snoozed_items_wait_until_the_snooze_ends() -> None:
    snoozes = {("action", 1): NOW + timedelta(days=2), ("action", 2): NOW - timedelta(minutes=1)}

    plan = plan_nudges([item(1), item(2)], [], snoozes, NOW, respect_working_hours=False)

    assert [i.item_id for i in plan.messages[0].items] == [2]
    assert plan.skipped[0].reason.startswith("snoozed until Thu 26 Nov")


def test_items_without_an_owner_are_skipped_and_said_so() -> None:
    plan = plan_nudges([item(1, owner=None)], [], {}, NOW)

    assert plan.messages == []
    assert plan.skipped[0].reason == "it has no owner"


def test_working_hours_are_the_owners_own() -> None:
    items = [item(1, owner="U0AMS"), item(2, owner="U0LA")]
    people = {"U0AMS": AMSTERDAM, "U0LA": LOS_ANGELES}

    plan = plan_nudges(items, [], {}, NOW, people=people)

    assert [m.recipient for m in plan.messages] == ["U0AMS"]
    assert plan.skipped[0].reason == ("outside working hours (Tue 02:00 in America/Los_Angeles)")
    # 17:00 UTC is 09:00 in Los Angeles and 18:00 in Amsterdam: the day has moved west.
    evening = plan_nudges(items, [], {}, NOW.replace(hour=17), people=people)
    assert [m.recipient for m in evening.messages] == ["U0LA"]


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 11, 24, 7, 59, tzinfo=UTC), False),  # 08:59 in Amsterdam
        (datetime(2026, 11, 24, 8, 0, tzinfo=UTC), True),  # 09:00
        (datetime(2026, 11, 24, 16, 59, tzinfo=UTC), True),  # 17:59
        (datetime(2026, 11, 24, 17, 0, tzinfo=UTC), False),  # 18:00
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 11, 30, 10, 0, tzinfo=UTC), True),  # Monday
    ],
)
def test_working_hours_are_nine_to_six_on_weekdays(moment: datetime, open_: bool) -> None:
    plan = plan_nudges([item(1)], [], {}, moment, people={"U0AMS": AMSTERDAM})

    assert bool(plan.messages) is open_


def test_without_working_hours_everyone_is_nudged_any_time() -> None:
    people = {"U0AMS": AMSTERDAM, "U0LA": LOS_ANGELES}
    saturday_night = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)

    plan = plan_nudges(
        [item(1), item(2, owner="U0LA")],
        [],
        {},
        saturday_night,
        people=people,
        respect_working_hours=False,
    )

    assert len(plan.messages) == 2


def test_people_without_a_time_zone_get_the_scorecards() -> None:
    plan = plan_nudges(
        [item(1)], [], {}, NOW, people={"U0AMS": Person("U0AMS")}, default_timezone="Asia/Tokyo"
    )

    assert "in Asia/Tokyo" in plan.skipped[0].reason  # 19:00 in Tokyo


def test_away_people_are_skipped() -> None:
    people = {"U0AMS": Person("U0AMS", "Europe/Amsterdam", away=True)}

    plan = plan_nudges([item(1)], [], {}, NOW, people=people, respect_working_hours=False)

    assert plan.messages == []
    assert plan.skipped[0].reason == "away in Slack"


@pytest.mark.parametrize(
    ("presence", "text", "emoji", "away"),
    [
        ("away", "", "", True),
        ("active", "On vacation until Monday", "", True),
        ("active", "OOO", "", True),
        ("active", "Out of office", "", True),
        ("active", "Public holiday", "", True),
        ("active", "", ":palm_tree:", True),
        ("active", "In a meeting", ":calendar:", False),
        ("active", "Working on the Halloway account", "", False),
        (None, "", "", False),
    ],
)
def test_what_counts_as_away(presence: str | None, text: str, emoji: str, away: bool) -> None:
    assert is_away(presence, text, emoji) is away


def test_period_keys_never_collide_for_nudges_an_interval_apart() -> None:
    limits = NudgeLimits()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for hours in range(0, 24 * 60, 5):
        first = start + timedelta(hours=hours)
        assert limits.period(first) != limits.period(first + limits.item_interval)
