"""Digest schedules in plain words, and when they fall, across daylight-saving changes.

    parse_schedule("every 2 weeks on friday at 16:00").canonical() == "every 2 weeks fri 16:00"

Occurrences are worked out on the scorecard's local wall clock with dateutil's rrule, then
placed in its time zone, so a 09:00 digest stays at 09:00 local when the clocks change. Two
edge cases are settled the same way every time:
- a time that does not exist that day (02:30 when clocks spring forward) moves forward by the
  gap (03:30);
- a time that happens twice (02:30 when clocks fall back) is the first of the two.

"every N weeks" (and days, months) counts from an anchor: the date the subscription was created,
in the scorecard's time zone. Subscribing on a Wednesday to "every 2 weeks on friday" means this
Friday, then every other Friday after it. "monthly on the 31st" falls on the last day of shorter
months rather than skipping them.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

from scorecard.errors import UserError

DAILY, WEEKDAYS, WEEKLY, MONTHLY = "daily", "weekdays", "weekly", "monthly"
DEFAULT_TIME = time(9, 0)
LAST_DAY = -1  # `day_of_month` for "on the last day"
DEFAULT_SCHEDULE_TEXT = "weekly mon 09:00"
EXAMPLES = (
    "`weekly mon 09:00`, `every 2 weeks on friday at 16:00`, `monthly on the 1st at 9am`, "
    "`daily at 8:30` or `every weekday at 9`"
)
# Past this many iterations without reaching a window, a schedule is treated as exhausted.
MAX_ITERATIONS = 100_000

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_TITLES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_WORDS = {
    **{name: index for index, name in enumerate(WEEKDAY_NAMES)},
    **{title.lower(): index for index, title in enumerate(WEEKDAY_TITLES)},
    "tues": 1,
    "wednes": 2,
    "thur": 3,
    "thurs": 3,
}
_UNITS = {"day": DAILY, "week": WEEKLY, "month": MONTHLY}
_FILLER = {"on", "at", "the", "of", "each", "every", "a", "in", "and", "day", "month"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(am|pm|h)?$")
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")
_NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST_DAY: "last"}
_NTH = {word: number for number, word in _NTH_WORDS.items()}
_RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


@dataclass(frozen=True)
class Schedule:
    """When a digest is posted: every `interval` days, weeks or months, or every weekday."""

    frequency: str = WEEKLY
    at: time = DEFAULT_TIME
    interval: int = 1
    weekday: int | None = 0  # 0 = Monday; weekly schedules only
    day_of_month: int | None = None  # 1-31, or LAST_DAY; monthly schedules only
    # Monthly on a weekday: 1-4 for "the first … fourth Monday", LAST_DAY for "the last Monday".
    week_of_month: int | None = None

    def canonical(self) -> str:
        """Stable text, stored in the database and the scorecard file; it parses back to self."""
        clock = f"{self.at:%H:%M}"
        if self.frequency == WEEKDAYS:
            return f"weekdays {clock}"
        if self.frequency == DAILY:
            return f"{_every(self.interval, 'daily', 'days')} {clock}"
        if self.frequency == WEEKLY:
            day = WEEKDAY_NAMES[self.weekday or 0]
            return f"{_every(self.interval, 'weekly', 'weeks')} {day} {clock}"
        if self.week_of_month is not None:
            nth = _NTH_WORDS[self.week_of_month]
            every = _every(self.interval, "monthly", "months")
            return f"{every} {nth} {WEEKDAY_NAMES[self.weekday or 0]} {clock}"
        return (
            f"{_every(self.interval, 'monthly', 'months')} {_day_word(self.day_of_month)} {clock}"
        )

    def describe(self) -> str:
        """For people: "every other Friday at 16:00"."""
        clock = f"{self.at:%H:%M}"
        if self.frequency == WEEKDAYS:
            return f"every weekday (Monday to Friday) at {clock}"
        if self.frequency == DAILY:
            return f"{_spoken_every(self.interval, 'day')} at {clock}"
        if self.frequency == WEEKLY:
            day = WEEKDAY_TITLES[self.weekday or 0]
            if self.interval == 1:
                return f"every {day} at {clock}"
            return f"{_spoken_every(self.interval, 'week')} on {day} at {clock}"
        if self.week_of_month is not None:
            nth = _NTH_WORDS[self.week_of_month]
            day = WEEKDAY_TITLES[self.weekday or 0]
            return f"on the {nth} {day} of {_spoken_every(self.interval, 'month')} at {clock}"
        day = "last day" if self.day_of_month == LAST_DAY else _ordinal(self.day_of_month or 1)
        shorter = " (or the last day, in shorter months)" if (self.day_of_month or 1) > 28 else ""
        return f"on the {day} of {_spoken_every(self.interval, 'month')}{shorter} at {clock}"


DEFAULT_SCHEDULE = Schedule()


def parse_schedule(text: str | None) -> Schedule:
    """Plain words to a Schedule; empty means the default, weekly on Monday at 09:00."""
    words = _words(text or "")
    if not words:
        return DEFAULT_SCHEDULE
    try:
        return _parse(words)
    except _Unreadable as problem:
        reason = f" ({problem})" if str(problem) else ""
        raise UserError(
            f"I can't read “{(text or '').strip()}” as a schedule{reason}. Try {EXAMPLES}."
        ) from None


class _Unreadable(Exception):
    pass


def _words(text: str) -> list[str]:
    text = text.casefold().replace(",", " ")
    text = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", text)  # "9 am" -> "9am"
    return text.split()


def _parse(words: list[str]) -> Schedule:
    frequency: str | None = None
    interval = 1
    weekday: int | None = None
    day_of_month: int | None = None
    at: time | None = None
    week_of_month: int | None = None
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        after_that = words[index + 2] if index + 2 < len(words) else ""
        if word == "every" and following.isdigit() and _unit(after_that):
            frequency, interval = _set(frequency, _unit(after_that)), int(following)
            index += 3
            continue
        if word == "every" and following == "other" and _unit(after_that):
            frequency, interval = _set(frequency, _unit(after_that)), 2
            index += 3
            continue
        if word in ("every", "each") and _unit(following):
            frequency = _set(frequency, _unit(following))
            index += 2
            continue
        if word in ("every", "each") and following in ("weekday", "weekdays", "workday"):
            frequency = _set(frequency, WEEKDAYS)
            index += 2
            continue
        nth = _NTH.get(word) or (_day_number(word) if _ORDINAL.match(word) else None)
        if nth is not None and nth <= 4 and _weekday(following) is not None:
            if weekday is not None:
                raise _Unreadable("one day of the week, please")
            week_of_month, weekday = nth, _weekday(following)
            index += 2
            continue
        if word in ("weekdays", "workdays"):
            frequency = _set(frequency, WEEKDAYS)
        elif word == "daily":
            frequency = _set(frequency, DAILY)
        elif word == "weekly":
            frequency = _set(frequency, WEEKLY)
        elif word == "monthly":
            frequency = _set(frequency, MONTHLY)
        elif word in ("fortnightly", "biweekly"):
            frequency, interval = _set(frequency, WEEKLY), 2
        elif _weekday(word) is not None:
            if weekday is not None:
                raise _Unreadable("one day of the week, please")
            weekday = _weekday(word)
        elif word == "last":
            day_of_month = LAST_DAY
        elif _ORDINAL.match(word) or (word.isdigit() and index > 0 and words[index - 1] == "the"):
            day_of_month = _day_number(word)
        elif word in ("noon", "midday"):
            at = _set_time(at, time(12, 0))
        elif word == "at" and following and _TIME.match(following):
            at = _set_time(at, _clock(following))
            index += 2
            continue
        elif _TIME.match(word) and (":" in word or not word.isdigit() or "." in word):
            at = _set_time(at, _clock(word))
        elif word not in _FILLER:
            raise _Unreadable(f"“{word}” is not a day, a time or how often")
        index += 1
    if week_of_month is not None:
        if frequency not in (None, MONTHLY) or day_of_month is not None:
            raise _Unreadable("“the first Monday” fits a monthly schedule only")
        return Schedule(MONTHLY, at or DEFAULT_TIME, interval, weekday, None, week_of_month)
    if frequency is None:
        frequency = MONTHLY if day_of_month is not None else WEEKLY
    if interval < 1:
        raise _Unreadable("the interval must be at least 1")
    if frequency == WEEKLY:
        return Schedule(WEEKLY, at or DEFAULT_TIME, interval, weekday or 0, None)
    if weekday is not None:
        raise _Unreadable(f"a day of the week does not fit a {frequency} schedule")
    if frequency == MONTHLY:
        return Schedule(MONTHLY, at or DEFAULT_TIME, interval, None, day_of_month or 1)
    if day_of_month is not None:
        raise _Unreadable(f"a day of the month does not fit a {frequency} schedule")
    if frequency == WEEKDAYS and interval != 1:
        raise _Unreadable("weekdays cannot skip")
    return Schedule(frequency, at or DEFAULT_TIME, interval, None, None)


def _unit(word: str) -> str | None:
    return _UNITS.get(word.removesuffix("s"))


def _weekday(word: str) -> int | None:
    word = word.removesuffix("s") if word.endswith("days") else word
    return _WEEKDAY_WORDS.get(word)


def _set(current: str | None, new: str | None) -> str:
    assert new is not None
    if current is not None and current != new:
        raise _Unreadable(f"both {current} and {new}")
    return new


def _set_time(current: time | None, new: time) -> time:
    if current is not None and current != new:
        raise _Unreadable("two different times")
    return new


def _clock(word: str) -> time:
    match = _TIME.match(word)
    assert match is not None
    hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise _Unreadable(f"“{word}” is not a time")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _Unreadable(f"“{word}” is not a time")
    return time(hour, minute)


def _day_number(word: str) -> int:
    number = int(re.sub(r"\D", "", word))
    if not 1 <= number <= 31:
        raise _Unreadable(f"“{word}” is not a day of the month")
    return number


def _every(interval: int, single: str, plural: str) -> str:
    return single if interval == 1 else f"every {interval} {plural}"


def _spoken_every(interval: int, unit: str) -> str:
    if interval == 1:
        return f"every {unit}"
    if interval == 2:
        return f"every other {unit}"
    return f"every {interval} {unit}s"


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _day_word(day_of_month: int | None) -> str:
    return "last" if day_of_month == LAST_DAY else _ordinal(day_of_month or 1)


# When a schedule falls


def occurrences(
    schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime, anchor: date
) -> list[datetime]:
    """Every occurrence from `start` to `end` (both included), as aware UTC datetimes.

    `anchor` is the local date the schedule counts from (the subscription's creation date):
    nothing falls before it, and "every 2 weeks" counts its weeks from there.
    """
    found = []
    for moment in _moments(schedule, tz, start, anchor):
        if moment > end:
            break
        if moment >= start:
            found.append(moment)
    return found


def next_occurrence(
    schedule: Schedule, tz: ZoneInfo, after: datetime, anchor: date
) -> datetime | None:
    """The first occurrence strictly after `after`, as an aware UTC datetime."""
    for moment in _moments(schedule, tz, after, anchor):
        if moment > after:
            return moment
    return None


def period_key(occurrence: datetime) -> str:
    """The identity of one scheduled digest: its moment in UTC, "2027-03-29T07:00Z"."""
    return occurrence.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _moments(schedule: Schedule, tz: ZoneInfo, start: datetime, anchor: date) -> Iterator[datetime]:
    """Occurrences in order, in UTC, beginning a little before `start` (local-time slack)."""
    local_start = start.astimezone(tz).date() - timedelta(days=1)
    first = anchor
    if schedule.interval == 1 or schedule.frequency == WEEKDAYS:
        # Without an interval to count, the anchor only bounds; start near the window.
        first = max(anchor, local_start - timedelta(days=1))
    rule = _rule(schedule, datetime.combine(first, schedule.at))
    for count, local in enumerate(rule):
        if count > MAX_ITERATIONS:
            return
        yield _place(local, tz)


def _rule(schedule: Schedule, dtstart: datetime) -> rrule.rrule:
    interval = schedule.interval
    if schedule.frequency == DAILY:
        return rrule.rrule(rrule.DAILY, dtstart=dtstart, interval=interval)
    if schedule.frequency == WEEKDAYS:
        return rrule.rrule(rrule.DAILY, dtstart=dtstart, byweekday=_RRULE_WEEKDAYS[:5])
    if schedule.frequency == WEEKLY:
        weekday = _RRULE_WEEKDAYS[schedule.weekday or 0]
        return rrule.rrule(rrule.WEEKLY, dtstart=dtstart, interval=interval, byweekday=weekday)
    if schedule.week_of_month is not None:
        weekday = _RRULE_WEEKDAYS[schedule.weekday or 0](schedule.week_of_month)
        return rrule.rrule(rrule.MONTHLY, dtstart=dtstart, interval=interval, byweekday=weekday)
    day = schedule.day_of_month or 1
    if day == LAST_DAY:
        return rrule.rrule(rrule.MONTHLY, dtstart=dtstart, interval=interval, bymonthday=-1)
    if day <= 28:
        return rrule.rrule(rrule.MONTHLY, dtstart=dtstart, interval=interval, bymonthday=day)
    # The 29th-31st: the latest of those days the month has, so short months are not skipped.
    return rrule.rrule(
        rrule.MONTHLY,
        dtstart=dtstart,
        interval=interval,
        bymonthday=tuple(range(28, day + 1)),
        bysetpos=-1,
    )


def _place(local: datetime, tz: ZoneInfo) -> datetime:
    """A local wall-clock time to UTC. fold=0: a repeated time is its first occurrence, and a
    skipped time uses the offset from before the change, which moves it forward by the gap."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)
