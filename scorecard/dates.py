"""Which day a reading is for, as people say it: "yesterday", "friday", "20 nov", "3 days ago".

`parse_day` is strict on purpose, because it runs on the words right after a value, which are
usually the start of a note. A word is only taken as (part of) a date if it is a relative word
(today, yesterday, a weekday, "3 days ago") or contains a digit next to a month name, or is an
ISO date. So "12", "12.4k", "great" and "may" alone are never dates.

How the words are read, for a `today` of Tuesday 24 Nov 2026:
- "friday" is the most recent Friday on or before today (Fri 20 Nov; on a Friday, today itself).
- "last friday" is the most recent Friday before today (also Fri 20 Nov; on a Friday, a week ago).
- "this friday" is the Friday of the current Monday-to-Sunday week (Fri 27 Nov: in the future).
- "20 nov", "nov 20th", "20 november 2026", "2026-11-20", "Fri 20 Nov": that day. Without a
  year, the most recent such day that is not in the future ("20 dec" is 20 Dec 2025).
- "20/11" and "11/20": whichever of day/month or month/day is a real date. When both are
  ("3/4"), the person is asked to write it unambiguously rather than guessed at.
- "3 days ago", "2 weeks ago", "a month ago".
- "27.11.2026", "27.11.26", "20-11-2026": day, month, year (the European order; ISO is year first).
- "20th": the most recent 20th of a month that is not in the future.
- "last week" and "last month": a week or a month before today.
- "last friday of october": the last Friday of the most recent October (not in the future).
- "on ..." and "for ...": the date after them ("on friday", "for 20 nov").
- "tomorrow", "next monday", "next week", "in 3 days": that (future) day.
Dates that are in the future are returned as they are; refusing them is the caller's decision.
Something shaped like a date that can't be read ("31.11.2026", "31 nov", "3/4") raises a
`Question` rather than being left to become the start of a note.
"""

import difflib
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from dateutil.parser import parserinfo
from dateutil.relativedelta import relativedelta, weekday

from scorecard.errors import Question

RELATIVE_DAYS = {"today": 0, "yesterday": 1, "tomorrow": -1}
# Words that may stand before a date without changing it: "on friday", "for 20 nov".
DATE_LEADS = ("on", "for")
# "last week", "next month": how far from today, as relativedelta arguments.
RELATIVE_PERIODS = {"week": {"weeks": 1}, "month": {"months": 1}}
# Weekday spellings dateutil does not know, as 0 (Monday) to 6.
EXTRA_WEEKDAYS = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
AGO_UNITS = ("day", "days", "week", "weeks", "month", "months")
WORDS_FOR_ONE = ("a", "an", "one")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NAMES = tuple(f"{date(2000, month, 1):%B}".casefold() for month in range(1, 13))
# How close (0-1, difflib's ratio) a word must be to a day or month name to be taken as a typo.
MISSPELLED_NAME_CUTOFF = 0.8
# How many years back a day without a year may be, e.g. 29 Feb in a leap year.
YEARS_TO_LOOK_BACK = 8

_ENGLISH = parserinfo()  # month and weekday names
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?$")
_DAY_OF_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_ORDINAL_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")
# Day, month and year with dots or dashes: 27.11.2026, 27.11.26, 20-11-2026.
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})([.-])(\d{1,2})\2(\d{4}|\d{2})$")
# Anything shaped like a date with three parts, read or not: never taken for the start of a note.
_DATE_SHAPE = re.compile(r"^\d{1,4}([./-])\d{1,2}\1\d{1,4}$")
_YEAR = re.compile(r"^\d{4}$")
_EDGE_PUNCTUATION = ",.;:!?()"

TRY_DATES = "Which day did you mean? Try 20 Nov, 2026-11-20 or 20.11.2026."

Found = tuple[date, int]  # the day, and how many tokens it took


def parse_day(tokens: Sequence[str], today: date) -> Found | None:
    """The date the tokens start with and how many tokens it took, or None if they don't.

    Raises a Question for something that is clearly meant as a date but is not one ("31 nov",
    "2026-02-30", "31.11.2026") or could be two dates ("3/4").
    """
    words = [token.strip(_EDGE_PUNCTUATION).casefold() for token in tokens[:6]]
    if not words or not words[0]:
        return None
    if words[0] in DATE_LEADS and len(words) > 1:
        found = _read_day(words[1:], today)
        return (found[0], found[1] + 1) if found is not None else None
    return _read_day(words, today)


def parse_full_date(text: str) -> date | None:
    """A date written with its year, as files hold them: "2026-11-20", "20.11.2026",
    "20-11-2026", "20 Nov 2026". None when the text is not one; a Question when it looks like a
    date but can't be read ("31.11.2026")."""
    words = [word.strip(_EDGE_PUNCTUATION).casefold() for word in text.split()]
    if not words or not any(char.isdigit() for char in text):
        return None
    for read in (_iso_date, _day_month_year, _day_and_month):
        found = read(words, date.max)
        if found is not None and found[1] == len(words) and (len(words) == 1 or _has_year(words)):
            return found[0]
    _ask_about_unreadable_date(words)
    return None


def _misspelled_day(words: list[str]) -> tuple[str, str] | None:
    """ "last fryday", "wensday", "20 novmber": a day or month name typed a little wrong, with
    the words it probably meant. Plurals and possessives ("mondays", "monday's") are not typos."""
    if words[0] in ("last", "next", "this") and len(words) > 1:
        name = _close_to(words[1], WEEKDAY_NAMES)
        return (f"{words[0]} {words[1]}", f"{words[0]} {name}") if name else None
    if _DAY_OF_MONTH.match(words[0]) and len(words) > 1:
        name = _close_to(words[1], MONTH_NAMES)
        return (f"{words[0]} {words[1]}", f"{words[0]} {name}") if name else None
    name = _close_to(words[0], WEEKDAY_NAMES)
    return (words[0], name) if name else None


def _close_to(word: str, names: Sequence[str]) -> str | None:
    if len(word) < 4 or _ENGLISH.weekday(word) is not None or _ENGLISH.month(word) is not None:
        return None
    if any(word.startswith(name) for name in names):
        return None
    close = difflib.get_close_matches(word, names, n=1, cutoff=MISSPELLED_NAME_CUTOFF)
    return close[0] if close else None


def _ask_about_unreadable_date(words: list[str]) -> None:
    """A Question when `words` look like a date that can't be read ("31.11.2026", "last fryday"):
    such words are never taken for a note."""
    if _DATE_SHAPE.match(words[0]):
        raise Question(f"“{words[0]}” looks like a date, but I can't read it. {TRY_DATES}")
    misspelled = _misspelled_day(words)
    if misspelled is not None:
        typed, meant = misspelled
        raise Question(
            f"“{typed}” looks like a date: did you mean “{meant}”? "
            "Type the command again with the date as you meant it."
        )


def _has_year(words: list[str]) -> bool:
    return any(_YEAR.match(word) for word in words)


def _read_day(words: list[str], today: date) -> Found | None:
    readers: list[Callable[[list[str], date], Found | None]] = [
        _relative_day,
        _relative_period,
        _weekday,
        _days_ago,
        _days_ahead,
        _iso_date,
        _day_month_year,
        _slashed_date,
        _day_and_month,
        _day_of_month,
    ]
    for read in readers:
        found = read(words, today)
        if found is not None:
            return found
    _ask_about_unreadable_date(words)
    return None


def describe_day(day: date, today: date) -> str:
    """ "today", "yesterday", "Fri 20 Nov", or "Sat 20 Dec 2025" for another year."""
    days_ago = (today - day).days
    if days_ago == 0:
        return "today"
    if days_ago == 1:
        return "yesterday"
    return short_day(day, today)


def short_day(day: date, today: date) -> str:
    """ "Fri 20 Nov", with the year when it is not `today`'s year: how replies write a date."""
    described = f"{day:%a} {day.day} {day:%b}"
    return described if day.year == today.year else f"{described} {day.year}"


def _relative_day(words: list[str], today: date) -> Found | None:
    if words[0] in RELATIVE_DAYS:
        return today - timedelta(days=RELATIVE_DAYS[words[0]]), 1
    return None


def _relative_period(words: list[str], today: date) -> Found | None:
    """ "last week", "last month", "next week", "next month"."""
    if len(words) < 2 or words[0] not in ("last", "next") or words[1] not in RELATIVE_PERIODS:
        return None
    step = relativedelta(**RELATIVE_PERIODS[words[1]])
    return (today - step if words[0] == "last" else today + step), 2


def _weekday(words: list[str], today: date) -> Found | None:
    """ "friday", "fri", "last friday", "this friday", "next friday", "last friday of october"."""
    if words[0] in ("last", "this", "next") and len(words) > 1:
        number = _weekday_number(words[1])
        if number is None:
            return None
        if words[0] == "last" and len(words) > 3 and words[2] == "of":
            return _last_weekday_of(number, words[3:], today)
        if words[0] == "last":
            return today - timedelta(days=1) + relativedelta(weekday=weekday(number)(-1)), 2
        if words[0] == "next":
            return today + timedelta(days=1) + relativedelta(weekday=weekday(number)(+1)), 2
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=number), 2
    number = _weekday_number(words[0])
    if number is None:
        return None
    dated = _day_and_month(words[1:], today) if len(words) > 1 else None
    if dated is not None:  # "Fri 20 Nov", as replies write dates
        if dated[0].weekday() != number:
            day = dated[0]
            raise Question(f"{day.day} {day:%b %Y} is a {day:%A}, not a {_day_name(number)}.")
        return dated[0], dated[1] + 1
    return today + relativedelta(weekday=weekday(number)(-1)), 1


def _last_weekday_of(number: int, words: list[str], today: date) -> Found | None:
    """ "last friday of october [2026]": in the most recent such month that has begun."""
    month = _ENGLISH.month(words[0])
    if month is None:
        return None
    if len(words) > 1 and _YEAR.match(words[1]):
        year, used = int(words[1]), 5
    else:
        year, used = (today.year if month <= today.month else today.year - 1), 4
    last = date(year, month, 1) + relativedelta(day=31, weekday=weekday(number)(-1))
    return last, used


def _weekday_number(word: str) -> int | None:
    number = _ENGLISH.weekday(word)
    return number if number is not None else EXTRA_WEEKDAYS.get(word)


def _days_ago(words: list[str], today: date) -> Found | None:
    """ "3 days ago", "2 weeks ago", "a month ago"."""
    if len(words) < 3 or words[2] != "ago" or words[1] not in AGO_UNITS:
        return None
    if words[0].isdigit():
        count = int(words[0])
    elif words[0] in WORDS_FOR_ONE:
        count = 1
    else:
        return None
    unit = words[1] if words[1].endswith("s") else words[1] + "s"
    return today - relativedelta(**{unit: count}), 3


def _days_ahead(words: list[str], today: date) -> Found | None:
    """ "in 3 days", "in a week": a future day, which the caller refuses."""
    if len(words) < 3 or words[0] != "in" or words[2] not in AGO_UNITS:
        return None
    if words[1].isdigit():
        count = int(words[1])
    elif words[1] in WORDS_FOR_ONE:
        count = 1
    else:
        return None
    unit = words[2] if words[2].endswith("s") else words[2] + "s"
    return today + relativedelta(**{unit: count}), 3


def _day_month_year(words: list[str], today: date) -> Found | None:
    """ "27.11.2026", "27.11.26", "20-11-2026" (day first, as in most of Europe)."""
    match = _DAY_MONTH_YEAR.match(words[0])
    if match is None:
        return None
    year = _full_year(match.group(4))
    assert year is not None
    return _real_date(year, int(match.group(3)), int(match.group(1)), words[0]), 1


def _day_of_month(words: list[str], today: date) -> Found | None:
    """ "20th": the most recent 20th (of this month, or the month before)."""
    match = _ORDINAL_DAY.match(words[0])
    if match is None:
        return None
    day = int(match.group(1))
    for months_back in range(0, 13):
        month_start = date(today.year, today.month, 1) - relativedelta(months=months_back)
        if _exists(month_start.year, month_start.month, day):
            candidate = month_start.replace(day=day)
            if candidate <= today:
                return candidate, 1
    raise Question(f"There's no {words[0]} in a month. {TRY_DATES}")


def _iso_date(words: list[str], today: date) -> Found | None:
    match = _ISO.match(words[0])
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    return _real_date(year, month, day, words[0]), 1


def _slashed_date(words: list[str], today: date) -> Found | None:
    """ "20/11" or "11/20/2026": day/month or month/day, whichever is a real date."""
    match = _SLASHED.match(words[0])
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    year = _full_year(match.group(3))
    readings = {
        (month, day)
        for day, month in ((first, second), (second, first))
        if _exists(year or 2000, month, day)  # 2000 was a leap year: 29/2 is possible
    }
    if not readings:
        return None
    if len(readings) > 1:
        options = " or ".join(f"{day} {_month_name(month)}" for month, day in sorted(readings))
        raise Question(f"“{words[0]}” could be {options}. Write the date as 20 Nov or 2026-11-20.")
    ((month, day),) = readings
    if year is not None:
        return _real_date(year, month, day, words[0]), 1
    return _most_recent(month, day, today), 1


def _day_and_month(words: list[str], today: date) -> Found | None:
    """ "20 nov", "20th of november", "nov 20", "20 nov 2026", "nov 20, 2026"."""
    day_first = _DAY_OF_MONTH.match(words[0])
    if day_first:
        month_at = 2 if len(words) > 2 and words[1] == "of" else 1
        month = _ENGLISH.month(words[month_at]) if len(words) > month_at else None
        day_text, used = day_first.group(1), month_at + 1
    else:
        month = _ENGLISH.month(words[0])
        day_after = _DAY_OF_MONTH.match(words[1]) if len(words) > 1 else None
        day_text, used = (day_after.group(1), 2) if day_after else ("", 0)
    if month is None or not day_text:
        return None
    if len(words) > used and _YEAR.match(words[used]):
        typed = " ".join(words[: used + 1])
        return _real_date(int(words[used]), month, int(day_text), typed), used + 1
    return _most_recent(month, int(day_text), today), used


def _most_recent(month: int, day: int, today: date) -> date:
    """The latest `day` `month` on or before today: "20 dec" in November means last December."""
    for year in range(today.year, today.year - YEARS_TO_LOOK_BACK, -1):
        if _exists(year, month, day) and date(year, month, day) <= today:
            return date(year, month, day)
    raise Question(f"There's no {day} {_month_name(month)}. {TRY_DATES}")


def _real_date(year: int, month: int, day: int, typed: str) -> date:
    if not _exists(year, month, day):
        raise Question(f"“{typed}” isn't a real date. {TRY_DATES}")
    return date(year, month, day)


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _full_year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + 2000 if len(text) == 2 else int(text)


def _day_name(number: int) -> str:
    return f"{date(2024, 1, 1 + number):%A}"  # 1 Jan 2024 was a Monday


def _month_name(month: int) -> str:
    return f"{date(2000, month, 1):%b}"
