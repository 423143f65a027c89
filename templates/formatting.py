"""Pure formatting for messages: escaping, and the filters templates use. No Slack API, no DB.

Templates are JSON documents with `{{ … }}` inside JSON strings, so every interpolated value is
escaped twice over: for Slack mrkdwn (`&`, `<`, `>`, so a KPI named `<!channel>` pings nobody)
and for the inside of a JSON string (quotes, backslashes, newlines). Markup we build on purpose,
such as a mention, is a `SlackText` and only gets the JSON half.
"""

import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from scorecard.dates import short_day
from scorecard.status import DONE_FROM
from scorecard.values import format_value
from scorecard.vocabulary import AT_RISK, BAND, BINARY, NO_DATA, OFF_TRACK, ON_TRACK

T = TypeVar("T")

STATUS_EMOJI = {
    ON_TRACK: ":large_green_circle:",
    AT_RISK: ":large_yellow_circle:",
    OFF_TRACK: ":red_circle:",
    NO_DATA: ":white_circle:",
}
STATUS_LABELS = {
    ON_TRACK: "on track",
    AT_RISK: "at risk",
    OFF_TRACK: "off track",
    NO_DATA: "no data",
}
SPARK_BARS = "▁▂▃▄▅▆▇█"
NO_OWNER = "nobody"
# Shown where a number is missing (no progress without a reading).
MISSING = "–"


class SlackText(str):
    """Text that is already Slack markup (a mention, a link): not mrkdwn-escaped again."""


class JsonLiteral(str):
    """A complete JSON value, written into the template as is (outside any quotes)."""


# What a person may write and see kept as markup: a user mention, a channel reference and a web
# link, exactly as handlers/slack_text.py keeps them. `<!channel>`, `<!here>` and anything else
# in angle brackets is escaped, so it pings nobody.
_KEPT_REFERENCE = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|(?P<url>https?://[^\s<>|]+)(?:\|(?P<label>[^<>|]*))?)>"
)


def escape_mrkdwn(text: str) -> str:
    """`text` for Slack mrkdwn: `&`, `<` and `>` escaped, except in well-formed mentions
    (`<@U0ABC>`), channel references (`<#C0ABC>`) and http(s) links (`<https://x|label>`)."""
    parts: list[str] = []
    done = 0
    for match in _KEPT_REFERENCE.finditer(text):
        parts.append(_escape_all(text[done : match.start()]))
        if match.group("url") is None:
            parts.append(match.group(0))
        else:
            label = match.group("label")
            address = match.group("url").replace("&", "&amp;")
            parts.append(f"<{address}|{_escape_all(label)}>" if label else f"<{address}>")
        done = match.end()
    parts.append(_escape_all(text[done:]))
    return "".join(parts)


def _escape_all(text: str) -> str:
    """The three characters Slack asks us to escape; `&` first, so entities stay intact."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_json_string(text: str) -> str:
    """`text` as it must appear between the quotes of a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def interpolated(value: Any) -> str:
    """How any `{{ value }}` lands in a template (Jinja's `finalize`)."""
    if isinstance(value, JsonLiteral):
        return value
    if value is None:
        return ""
    if isinstance(value, SlackText):
        return escape_json_string(value)
    return escape_json_string(escape_mrkdwn(str(value)))


def as_json(value: Any) -> JsonLiteral:
    """A value as a JSON literal. A button `value` must be a string, so encode a dict twice:
    `"value": {{ {"kpi": kpi.key}|json|json }}`."""
    return JsonLiteral(json.dumps(value, ensure_ascii=False))


def mention(user_id: str | None) -> str:
    if not user_id:
        return NO_OWNER
    return SlackText(f"<@{_escape_all(user_id)}>")


def channel(channel_id: str) -> SlackText:
    return SlackText(f"<#{_escape_all(channel_id)}>")


def link(url: str, text: str | None = None) -> SlackText:
    """A mrkdwn link. `|` would end the address early, so it is percent-encoded there."""
    address = _escape_all(url).replace("|", "%7C")
    if not text:
        return SlackText(f"<{address}>")
    return SlackText(f"<{address}|{_escape_all(text)}>")


def sparkline(values: Iterable[float | None]) -> str:
    """[1, 5, 3] -> "▁█▄": the shape of recent readings in one line. Gaps are skipped."""
    numbers = [number for number in values if number is not None]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    if high == low:
        return SPARK_BARS[len(SPARK_BARS) // 2] * len(numbers)
    top = len(SPARK_BARS) - 1
    return "".join(SPARK_BARS[round((n - low) / (high - low) * top)] for n in numbers)


class MomentWithoutZone(ValueError):
    """A moment reached a template without being put in the scorecard's time zone: a bug."""


def day(moment: date | datetime, today: date | None = None) -> str:
    """ "Fri 20 Nov", with the year when it is not this year's.

    A `date` (a reading's day, a due date) is already a day on the team's calendar. A `datetime`
    is a moment, and which day it falls on depends on where you stand: 23:30 UTC on Monday is
    Tuesday in Auckland. So a moment must arrive in the scorecard's zone, tagged with a ZoneInfo
    (`scorecard.workspace.local_now`); one tagged plain UTC, as storage hands moments back, or
    without a zone is refused rather than shown as the UTC day.
    """
    if isinstance(moment, datetime):
        if not isinstance(moment.tzinfo, ZoneInfo):
            raise MomentWithoutZone(
                f"{moment!r} must be put in the scorecard's time zone before it is shown as a day"
            )
        moment = moment.date()
    return short_day(moment, today or date.today())


def approx(value: float | None, unit: str = "") -> str:
    """A projected value to three significant figures (14,137 -> "14,100"): a forecast is not
    precise to the last digit, and should not look it."""
    if value is None or value == 0:
        return format_value(value, unit)
    digits = 3 - 1 - math.floor(math.log10(abs(value)))
    return format_value(round(value, digits), unit)


def kpi_value(value: float | None, kpi: Any) -> str:
    """A reading as people think of it: "done" / "not done" for a binary KPI, else the number."""
    if value is not None and kpi.direction == BINARY:
        return "done" if value >= DONE_FROM else "not done"
    return format_value(value, kpi.unit)


def target(view: Any) -> str:
    """What a KPI aims for today (a KpiView): "15,000", "1–2 h", or "done"."""
    kpi = view.kpi
    if kpi.direction == BINARY:
        return "done"
    if kpi.direction == BAND and kpi.band_low is not None and kpi.band_high is not None:
        return f"{format_value(kpi.band_low, kpi.unit)}–{format_value(kpi.band_high, kpi.unit)}"
    step = view.score.step
    return format_value(step.value if step else kpi.target, kpi.unit)


def duration(days: float) -> str:
    """A length of time as people round it: "4 days", "5 weeks", "7 months", "2 years"."""
    if days < 14:
        count, unit = round(days), "day"
    elif days < 91:
        count, unit = round(days / 7), "week"
    elif days < 730:
        count, unit = round(days / 30.4), "month"
    else:
        count, unit = round(days / 365.25), "year"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def percent(share: float | None) -> str:
    """0.42 -> "42%"."""
    if share is None:
        return MISSING
    return f"{share * 100:.0f}%"


def status_emoji(status: str) -> str:
    return STATUS_EMOJI.get(status, STATUS_EMOJI[NO_DATA])


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " "))


def cut(items: Sequence[T] | Iterable[T], limit: int) -> tuple[list[T], int]:
    """The first `limit` items and how many were left out, for "…and N more"."""
    everything = list(items)
    return everything[:limit], max(0, len(everything) - limit)
