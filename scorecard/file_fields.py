"""Reading one field of a scorecard file: each reader returns the value or raises Invalid with a
reason written for the person editing the file."""

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from scorecard.dates import parse_full_date
from scorecard.errors import UserError
from scorecard.schedules import parse_schedule
from scorecard.scorecard_spec import LinkReviewSpec, LinkSpec, TargetStep
from scorecard.values import NUMBER_FORMATS, number_format_named, parse_value
from scorecard.vocabulary import LINK_DECISIONS

# Numbers in files are written as the exports write them: a dot is the decimal mark, a comma
# groups thousands ("1,200.5"). The scorecard's own `number_format` is for what people type.
FILE_NUMBER_FORMAT = NUMBER_FORMATS["1,234.5"]

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
WORKSPACE_PATTERN = re.compile(r"^[TE][A-Z0-9]{2,31}$")
# Slack user ids; `<@U123>`, `<@U123|ann>` and `@U123` are accepted and cut down to `U123`.
USER_ID_PATTERN = re.compile(r"^[UW][A-Z0-9]{2,}$")
MENTION_PATTERN = re.compile(r"^<@([^|>]+)(\|[^>]*)?>$")
CHANNEL_ID_PATTERN = re.compile(r"^[CGD][A-Z0-9]{2,}$")
CHANNEL_MENTION_PATTERN = re.compile(r"^<#([^|>]+)(\|[^>]*)?>$")


# The first and last day whose midnight, in any time zone, is still a moment Python can hold.
FIRST_DATE, LAST_DATE = date.min + timedelta(days=1), date.max - timedelta(days=1)


class Invalid(Exception):
    """A field's value can't be used; the message says why, for the person editing the file."""


Reader = Callable[[Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Rule:
    read: Reader
    required: bool = False


def read_text(value: Any, item: Mapping[str, Any]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(f"should be text, not {describe_type(value)} (put it in quotes)")
    return str(value).strip()


def read_key(value: Any, item: Mapping[str, Any]) -> str:
    text = read_text(value, item)
    if not KEY_PATTERN.match(text):
        raise Invalid(
            f"“{text}” can't be a key: use letters, digits, `_` and `-`, like `instagram_followers`"
        )
    return text


def read_number(value: Any, item: Mapping[str, Any]) -> float:
    if isinstance(value, bool):
        raise Invalid(f"should be a number, not {describe_type(value)}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        unit = item.get("unit")
        try:
            unit = unit if isinstance(unit, str) else ""
            number = parse_value(value, unit, number_format=FILE_NUMBER_FORMAT)
        except UserError as error:
            raise Invalid(error.message.rstrip(".")) from None
    else:
        raise Invalid(f"should be a number, not {describe_type(value)}")
    if not math.isfinite(number):
        raise Invalid("should be a finite number")
    return number


def read_number_format(value: Any, item: Mapping[str, Any]) -> str:
    """ "1,234.5", "1.234,5" or "1 234,5": how the scorecard's people write numbers."""
    text = read_text(value, item)
    try:
        return number_format_named(text).setting
    except UserError as error:
        raise Invalid(error.message) from None


def read_weight(value: Any, item: Mapping[str, Any]) -> float:
    number = read_number(value, item)
    if number < 0:
        raise Invalid("can't be negative")
    return number


def read_days(value: Any, item: Mapping[str, Any]) -> int:
    return _whole_number(value, "a whole number of days")


def read_count(value: Any, item: Mapping[str, Any]) -> int:
    return _whole_number(value, "a whole number")


def _whole_number(value: Any, what: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"should be {what}, 1 or more, not {show(value)}")
    return value


def read_share(value: Any, item: Mapping[str, Any]) -> float:
    """A share such as a tolerance: 0.1 or “10%”."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip().removesuffix("%")) / 100
        except ValueError:
            raise Invalid(f"“{value}” is not a share (write it like 0.1 or 10%)") from None
    else:
        number = read_number(value, {})
    if not 0 <= number < 1:
        raise Invalid(f"should be between 0 and 1 (0.1 means 10%), not {show(value)}")
    return number


def read_date(value: Any, item: Mapping[str, Any]) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        # Shaped like a date but not one (a Question): the message below says how to write it.
        with suppress(UserError):
            value = parse_full_date(value) or value
    if not isinstance(value, date):
        raise Invalid(f"{show(value)} is not a date (write it as YYYY-MM-DD, like 2027-06-30)")
    if not FIRST_DATE <= value <= LAST_DATE:  # the start of such a day isn't a moment in UTC
        raise Invalid(f"{value} is too {'early' if value < FIRST_DATE else 'late'} a date to use")
    return value


def read_band(value: Any, item: Mapping[str, Any]) -> tuple[float, float]:
    """A band KPI's two ends, low first: `[1, 2]` or `["40%", "60%"]`."""
    if not isinstance(value, list) or len(value) != 2:
        raise Invalid(f"should be the band's two ends, like [1, 2], not {describe_type(value)}")
    low, high = (read_number(end, item) for end in value)
    if not low < high:
        raise Invalid(f"the low end should come first and be below the high end, not {value}")
    return low, high


TARGET_STEP_FIELDS = ("until", "value")


def read_targets(value: Any, item: Mapping[str, Any]) -> tuple[TargetStep, ...]:
    """Stepped targets in date order: `[{until: 2027-03-31, value: 12000}, ...]`."""
    if not isinstance(value, list) or not value:
        raise Invalid(
            "should be a list of steps, like [{until: 2027-03-31, value: 12000}], "
            f"not {describe_type(value)}"
        )
    steps: list[TargetStep] = []
    for number, step in enumerate(value, start=1):
        if not isinstance(step, dict) or set(map(str, step)) != set(TARGET_STEP_FIELDS):
            raise Invalid(
                f"step {number} should have `until` and `value` and nothing else, "
                f"like {{until: 2027-03-31, value: 12000}}, not {show_step(step)}"
            )
        until = read_date(step["until"], item)
        if steps and until <= steps[-1].until:
            raise Invalid(
                f"step {number} ({until}) should come after step {number - 1} "
                f"({steps[-1].until}): list the steps in date order"
            )
        steps.append(TargetStep(until, read_number(step["value"], item)))
    return tuple(steps)


def show_step(step: Any) -> str:
    if isinstance(step, dict):
        return "{" + ", ".join(f"{name}: {each}" for name, each in step.items()) + "}"
    return describe_type(step)


def read_owner(value: Any, item: Mapping[str, Any]) -> str:
    return read_user_id(read_text(value, item))


def read_user_id(text: str) -> str:
    mention = MENTION_PATTERN.match(text)
    user = (mention.group(1) if mention else text).strip().removeprefix("@").upper()
    if not USER_ID_PATTERN.match(user):
        raise Invalid(
            f"“{text}” is not a Slack user id: use one like U012AB3CD "
            "(in Slack: the person's profile → ⋮ → Copy member ID)"
        )
    return user


def read_keys(value: Any, item: Mapping[str, Any]) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"should be a list of keys, like [a, b], not {describe_type(value)}")
    return tuple(dict.fromkeys(read_key(each, item) for each in value))


# A cause-and-effect link's lag is whole weeks, up to two years.
MAX_LAG_WEEKS = 104
LAG_PATTERN = re.compile(r"^(\d+)\s*(?:w|wk|wks|week|weeks)?$")
LINK_FIELDS = ("objective", "lag", "review")
REVIEW_FIELDS = ("decision", "by", "day", "note")


def read_supports(value: Any, item: Mapping[str, Any]) -> tuple[LinkSpec, ...]:
    """The objectives this one supports: keys (`[loyalty]`) or links with an expected lag and
    the latest review decision (`[{objective: loyalty, lag: 6 weeks}]`), mixed as one likes."""
    if not isinstance(value, list):
        raise Invalid(
            "should be a list of keys, like [a, b], or of links, like "
            f"[{{objective: a, lag: 6 weeks}}], not {describe_type(value)}"
        )
    links: dict[str, LinkSpec] = {}
    for number, each in enumerate(value, start=1):
        link = read_link(each, item, number)
        links.setdefault(link.objective, link)
    return tuple(links.values())


def read_link(value: Any, item: Mapping[str, Any], number: int) -> LinkSpec:
    if not isinstance(value, dict):
        return LinkSpec(read_key(value, item))
    unknown = [str(name) for name in value if str(name) not in LINK_FIELDS]
    if unknown or is_blank(value.get("objective")):
        raise Invalid(
            f"link {number} should have `objective` and may have `lag` and `review`, like "
            f"{{objective: loyalty, lag: 6 weeks}}, not {show_step(value)}"
        )
    try:
        lag = None if is_blank(value.get("lag")) else read_lag(value["lag"])
        review = None if is_blank(value.get("review")) else read_link_review(value["review"])
    except Invalid as problem:
        raise Invalid(f"link {number} ({value['objective']}): {problem}") from None
    return LinkSpec(read_key(value["objective"], item), lag, review)


def read_lag(value: Any) -> int:
    """A link's expected lag in whole weeks: `6 weeks`, `6w` or 6."""
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    match = LAG_PATTERN.match(text) if not isinstance(value, bool) else None
    if match is None or int(match.group(1)) > MAX_LAG_WEEKS:
        raise Invalid(
            f"`lag` should be whole weeks from 0 to {MAX_LAG_WEEKS}, like `6 weeks`, "
            f"not {show(value)}"
        )
    return int(match.group(1))


def read_link_review(value: Any) -> LinkReviewSpec:
    """`{decision: keep, by: U012AB3CD, day: 2027-03-01, note: why}`; only `decision` is needed."""
    if not isinstance(value, dict) or any(str(name) not in REVIEW_FIELDS for name in value):
        raise Invalid(
            "`review` should be like {decision: keep, by: U012AB3CD, day: 2027-03-01, note: …}, "
            f"not {show_step(value) if isinstance(value, dict) else describe_type(value)}"
        )
    if is_blank(value.get("decision")):
        raise Invalid(f"`review` needs a `decision`: {', '.join(LINK_DECISIONS)}")
    try:
        decision = choice(LINK_DECISIONS)(value["decision"], {})
    except Invalid as problem:
        raise Invalid(f"`review` `decision`: {problem}") from None
    by = None if is_blank(value.get("by")) else read_owner(value["by"], {})
    day = None if is_blank(value.get("day")) else read_date(value["day"], {})
    note = "" if is_blank(value.get("note")) else read_text(value["note"], {})
    return LinkReviewSpec(decision, by, day, note)


def choice(options: Iterable[str]) -> Reader:
    options = tuple(options)

    def read_choice(value: Any, item: Mapping[str, Any]) -> str:
        text = read_text(value, item).lower()
        if text not in options:
            raise Invalid(f"“{value}” is not one of {', '.join(options)}{suggest(text, options)}")
        return text

    return read_choice


def read_timezone(value: Any, item: Mapping[str, Any]) -> str:
    name = read_text(value, item)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest(name, available_timezones()) or " (use a name like Europe/Amsterdam)"
        raise Invalid(f"“{name}” is not a known time zone{hint}") from None
    return name


def read_workspace(value: Any, item: Mapping[str, Any]) -> str:
    text = read_text(value, item)
    if not WORKSPACE_PATTERN.match(text):
        raise Invalid(f"“{text}” is not a Slack team id (like T012AB3C4)")
    return text


def describe_type(value: Any) -> str:
    if value is None:
        return "nothing"
    names = {bool: "yes/no", int: "a number", float: "a number", str: "text"}
    names |= {list: "a list", dict: "a mapping", date: "a date", datetime: "a date and time"}
    return names.get(type(value), type(value).__name__)


def show(value: Any) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return f"“{value}”"
    return describe_type(value)


def suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" — did you mean “{close[0]}”?" if close else ""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_channel(value: Any, item: Mapping[str, Any]) -> str:
    """A Slack channel id; `<#C0123|general>` is cut down to `C0123`."""
    text = read_text(value, item)
    match = CHANNEL_MENTION_PATTERN.match(text)
    channel = match.group(1) if match else text
    if not CHANNEL_ID_PATTERN.match(channel):
        raise Invalid(f"“{text}” is not a channel id like C0123ABCD (not the channel's name)")
    return channel


def read_schedule(value: Any, item: Mapping[str, Any]) -> str:
    try:
        return parse_schedule(read_text(value, item)).canonical()
    except UserError as problem:
        raise Invalid(problem.message) from None
