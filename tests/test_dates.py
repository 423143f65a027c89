"""Days as people say them after a value: "yesterday", "friday", "20 nov", "3 days ago"."""

from datetime import date

import pytest

from scorecard.dates import describe_day, parse_day
from scorecard.errors import UserError

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("typed", "day", "used"),
    [
        ("today", date(2026, 11, 24), 1),
        ("yesterday", date(2026, 11, 23), 1),
        ("Yesterday,", date(2026, 11, 23), 1),
        ("friday", date(2026, 11, 20), 1),
        ("fri", date(2026, 11, 20), 1),
        ("monday", date(2026, 11, 23), 1),
        ("wednesday", date(2026, 11, 18), 1),
        ("thurs", date(2026, 11, 19), 1),
        ("tuesday", date(2026, 11, 24), 1),  # the weekday it is today means today
        ("last friday", date(2026, 11, 20), 2),
        ("last tuesday", date(2026, 11, 17), 2),  # on a Tuesday, a week ago
        ("this friday", date(2026, 11, 27), 2),  # future: the caller refuses it
        ("2026-11-20", date(2026, 11, 20), 1),
        ("2026/11/20", date(2026, 11, 20), 1),
        ("20 nov", date(2026, 11, 20), 2),
        ("nov 20", date(2026, 11, 20), 2),
        ("Nov 20th, 2026", date(2026, 11, 20), 3),
        ("20 november 2026", date(2026, 11, 20), 3),
        ("20th of November", date(2026, 11, 20), 3),
        ("12 may", date(2026, 5, 12), 2),
        ("sept 3", date(2026, 9, 3), 2),
        ("20/11", date(2026, 11, 20), 1),  # only day/month is a real date
        ("11/20", date(2026, 11, 20), 1),  # only month/day is a real date
        ("20/11/2025", date(2025, 11, 20), 1),
        ("3 days ago", date(2026, 11, 21), 3),
        ("1 day ago", date(2026, 11, 23), 3),
        ("2 weeks ago", date(2026, 11, 10), 3),
        ("a month ago", date(2026, 10, 24), 3),
        ("last week", date(2026, 11, 17), 2),
        ("last month", date(2026, 10, 24), 2),
        ("on friday", date(2026, 11, 20), 2),
        ("for yesterday", date(2026, 11, 23), 2),
        ("on 2026-11-20", date(2026, 11, 20), 2),
        ("20.11.2026", date(2026, 11, 20), 1),
        ("20.11.26", date(2026, 11, 20), 1),
        ("20-11-2026", date(2026, 11, 20), 1),
        ("on 20 Nov", date(2026, 11, 20), 3),
        ("20th", date(2026, 11, 20), 1),
        ("25th", date(2026, 10, 25), 1),  # the 25th of this month is tomorrow
        ("last friday of october", date(2026, 10, 30), 4),
        ("tomorrow", date(2026, 11, 25), 1),  # future: the caller refuses it
        ("next monday", date(2026, 11, 30), 2),
        ("in 3 days", date(2026, 11, 27), 3),
    ],
)
def test_parse_day_reads_the_date_at_the_start(typed: str, day: date, used: int) -> None:
    assert parse_day([*typed.split(), "after", "the", "giveaway"], TODAY) == (day, used)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("20 dec", date(2025, 12, 20)),  # would be next month: it means last December
        ("dec 1", date(2025, 12, 1)),
        ("25 nov", date(2025, 11, 25)),  # tomorrow's date, so last year's
        ("24 nov", date(2026, 11, 24)),
        ("29 feb", date(2024, 2, 29)),  # the most recent year that had one
        ("30/12", date(2025, 12, 30)),
    ],
)
def test_a_date_without_a_year_is_never_in_the_future(typed: str, day: date) -> None:
    assert parse_day(typed.split(), TODAY) == (day, len(typed.split()))


def test_a_date_with_a_year_in_the_future_is_left_to_the_caller() -> None:
    assert parse_day(["20", "dec", "2026"], TODAY) == (date(2026, 12, 20), 3)


@pytest.mark.parametrize(
    "typed",
    ["12", "12.4k", "great", "may", "nov", "2026", "50/50", "3 days", "days ago", "on track", ""],
)
def test_numbers_and_words_are_not_dates(typed: str) -> None:
    assert parse_day(typed.split(), TODAY) is None


def test_the_date_must_be_at_the_start() -> None:
    assert parse_day(["great", "week", "yesterday"], TODAY) is None


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("31 nov", "There's no 31 Nov"),
        ("2026-02-30", "“2026-02-30” isn't a real date"),
        ("30 feb 2026", "isn't a real date"),
        ("3/4", "“3/4” could be 4 Mar or 3 Apr"),
        ("31.11.2026", "“31.11.2026” isn't a real date"),
        ("2026.11.40", "looks like a date, but I can't read it"),
        ("last fryday", "did you mean “last friday”"),
        ("20 novmber", "did you mean “20 november”"),
    ],
)
def test_impossible_or_ambiguous_dates_are_explained(typed: str, complaint: str) -> None:
    with pytest.raises(UserError, match=complaint):
        parse_day(typed.split(), TODAY)


@pytest.mark.parametrize(
    ("day", "described"),
    [
        (date(2026, 11, 24), "today"),
        (date(2026, 11, 23), "yesterday"),
        (date(2026, 11, 20), "Fri 20 Nov"),
        (date(2026, 1, 5), "Mon 5 Jan"),
        (date(2025, 12, 20), "Sat 20 Dec 2025"),
        (date(2026, 11, 27), "Fri 27 Nov"),
    ],
)
def test_describe_day(day: date, described: str) -> None:
    assert describe_day(day, TODAY) == described


@pytest.mark.parametrize(
    "day", [date(2026, 11, 20), date(2026, 1, 5), date(2025, 12, 20), date(2024, 2, 29)]
)
def test_a_date_copied_from_a_reply_reads_back_as_the_same_day(day: date) -> None:
    described = describe_day(day, TODAY).split()
    assert parse_day(described, TODAY) == (day, len(described))


def test_a_weekday_that_does_not_fit_the_date_is_pointed_out() -> None:
    with pytest.raises(UserError, match="20 Nov 2026 is a Friday, not a Monday"):
        parse_day(["Mon", "20", "Nov"], TODAY)
