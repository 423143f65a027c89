"""Digest schedules: plain words in, the right moments out, across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scorecard.errors import UserError
from scorecard.schedules import (
    DAILY,
    LAST_DAY,
    MONTHLY,
    WEEKDAYS,
    WEEKLY,
    Schedule,
    next_occurrence,
    occurrences,
    parse_schedule,
    period_key,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")
LONG_AGO = date(2026, 1, 1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local_times(moments: list[datetime], zone: ZoneInfo) -> list[str]:
    return [moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") for moment in moments]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly mon 09:00", Schedule(WEEKLY, time(9, 0), 1, 0)),
        ("weekly on monday at 9", Schedule(WEEKLY, time(9, 0), 1, 0)),
        ("every 2 weeks on friday at 16:00", Schedule(WEEKLY, time(16, 0), 2, 4)),
        ("every other week on Thursday at 12:30pm", Schedule(WEEKLY, time(12, 30), 2, 3)),
        ("monthly on the 1st at 9am", Schedule(MONTHLY, time(9, 0), 1, None, 1)),
        ("on the last day of every month at 17:00", Schedule(MONTHLY, time(17), 1, None, -1)),
        ("every 3 months on the 15th at 9 am", Schedule(MONTHLY, time(9, 0), 3, None, 15)),
        ("daily at 8:30", Schedule(DAILY, time(8, 30), 1, None)),
        ("every weekday at 9", Schedule(WEEKDAYS, time(9, 0), 1, None)),
        ("Fridays at 4pm", Schedule(WEEKLY, time(16, 0), 1, 4)),
        ("", Schedule(WEEKLY, time(9, 0), 1, 0)),
    ],
)
def test_plain_words_become_a_schedule(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "weekly mon 09:00",
        "every 2 weeks on friday at 16:00",
        "monthly on the 1st at 9am",
        "monthly on the 31st",
        "on the last day of every month at 17:00",
        "daily at 8:30",
        "every 3 days at 7:15",
        "every weekday at 9",
        "",
    ],
)
def test_the_canonical_text_parses_back_to_the_same_schedule(text: str) -> None:
    schedule = parse_schedule(text)

    assert parse_schedule(schedule.canonical()) == schedule
    assert parse_schedule(schedule.canonical()).canonical() == schedule.canonical()


def test_canonical_and_described_forms_read_well() -> None:
    fortnightly = parse_schedule("every 2 weeks on friday at 16:00")
    monthly = parse_schedule("monthly on the 1st at 9am")

    assert fortnightly.canonical() == "every 2 weeks fri 16:00"
    assert fortnightly.describe() == "every other week on Friday at 16:00"
    assert monthly.canonical() == "monthly 1st 09:00"
    assert monthly.describe() == "on the 1st of every month at 09:00"
    assert parse_schedule("").describe() == "every Monday at 09:00"


@pytest.mark.parametrize(
    "text",
    ["sometimes", "weekly mon tue", "monthly on the 45th", "daily at 25:00", "every 0 weeks"],
)
def test_a_schedule_that_cannot_be_read_says_so_with_an_example(text: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_schedule(text)

    assert f"“{text}”" in raised.value.message
    assert "weekly mon 09:00" in raised.value.message


def test_nine_oclock_stays_nine_oclock_when_amsterdam_springs_forward() -> None:
    daily = parse_schedule("daily at 9:00")

    moments = occurrences(daily, AMSTERDAM, utc(2027, 3, 26), utc(2027, 3, 30), LONG_AGO)

    assert local_times(moments, AMSTERDAM) == [
        "Fri 2027-03-26 09:00",
        "Sat 2027-03-27 09:00",
        "Sun 2027-03-28 09:00",
        "Mon 2027-03-29 09:00",
    ]
    assert [moment.hour for moment in moments] == [8, 8, 7, 7]  # UTC moves, local time does not
    assert all(moment.tzinfo == UTC for moment in moments)


def test_weekly_digest_keeps_its_local_time_across_new_yorks_changes() -> None:
    weekly = parse_schedule("weekly mon 09:00")

    spring = occurrences(weekly, NEW_YORK, utc(2027, 3, 1), utc(2027, 3, 23), LONG_AGO)
    autumn = occurrences(weekly, NEW_YORK, utc(2027, 10, 25), utc(2027, 11, 16), LONG_AGO)

    assert local_times(spring, NEW_YORK) == [
        "Mon 2027-03-01 09:00",
        "Mon 2027-03-08 09:00",
        "Mon 2027-03-15 09:00",
        "Mon 2027-03-22 09:00",
    ]
    assert [moment.hour for moment in spring] == [14, 14, 13, 13]
    assert [moment.hour for moment in autumn] == [13, 13, 14, 14]


def test_times_that_do_not_exist_or_happen_twice_are_settled_the_same_way_every_time() -> None:
    at_half_past_two = parse_schedule("daily at 2:30")

    [gap] = occurrences(
        at_half_past_two, AMSTERDAM, utc(2027, 3, 28), utc(2027, 3, 28, 12), LONG_AGO
    )
    [twice] = occurrences(
        at_half_past_two, AMSTERDAM, utc(2027, 10, 31), utc(2027, 10, 31, 12), LONG_AGO
    )

    assert local_times([gap], AMSTERDAM) == ["Sun 2027-03-28 03:30"]  # moved forward by the gap
    assert twice == utc(2027, 10, 31, 0, 30)  # the first 02:30 (still summer time)


def test_every_two_weeks_counts_from_the_day_of_subscribing() -> None:
    fortnightly = parse_schedule("every 2 weeks on friday at 16:00")
    subscribed_on_a_wednesday = date(2026, 11, 25)

    moments = occurrences(
        fortnightly, AMSTERDAM, utc(2026, 11, 1), utc(2027, 1, 1), subscribed_on_a_wednesday
    )
    later = occurrences(
        fortnightly, AMSTERDAM, utc(2026, 12, 1), utc(2027, 1, 1), subscribed_on_a_wednesday
    )

    assert local_times(moments, AMSTERDAM) == [
        "Fri 2026-11-27 16:00",
        "Fri 2026-12-11 16:00",
        "Fri 2026-12-25 16:00",
    ]
    assert later == moments[1:]  # the window does not shift the fortnights


def test_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    monthly = parse_schedule("monthly on the 31st at 9")

    moments = occurrences(monthly, AMSTERDAM, utc(2027, 1, 1), utc(2027, 5, 1), LONG_AGO)

    assert [moment.astimezone(AMSTERDAM).date() for moment in moments] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert parse_schedule("monthly on the last day").day_of_month == LAST_DAY


def test_weekdays_skip_the_weekend_and_nothing_falls_before_the_anchor() -> None:
    weekdays = parse_schedule("every weekday at 9")

    moments = occurrences(
        weekdays, AMSTERDAM, utc(2026, 11, 1), utc(2026, 12, 1), date(2026, 11, 26)
    )

    assert local_times(moments, AMSTERDAM)[:3] == [
        "Thu 2026-11-26 09:00",
        "Fri 2026-11-27 09:00",
        "Mon 2026-11-30 09:00",
    ]


def test_next_occurrence_and_period_key() -> None:
    weekly = parse_schedule("weekly mon 09:00")
    tuesday = utc(2026, 11, 24, 10)

    upcoming = next_occurrence(weekly, AMSTERDAM, tuesday, LONG_AGO)

    assert upcoming == utc(2026, 11, 30, 8)
    assert next_occurrence(weekly, AMSTERDAM, upcoming, LONG_AGO) == upcoming + timedelta(days=7)
    assert period_key(upcoming) == "2026-11-30T08:00Z"
    assert period_key(upcoming.astimezone(AMSTERDAM)) == "2026-11-30T08:00Z"
