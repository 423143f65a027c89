"""Rendering replies: one Jinja2 template per kind of message, written as Block Kit JSON.

    message = render("kpi_logged", logged=logged)   # {"text": ..., "blocks": [...]}

Every `{{ value }}` is escaped for mrkdwn and for the JSON string it sits in (see
`templates.formatting`), so user-typed names and notes can neither ping a channel nor break the
JSON. The result is trimmed to Slack's limits (`templates.limits.fit`) so it can always be posted.
"""

import json
import threading
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context

from scorecard.values import format_change, format_value
from templates import formatting
from templates.formatting import JsonLiteral, SlackText
from templates.limits import fit_in_place, problems

__all__ = ["JsonLiteral", "SlackText", "TemplateBroken", "problems", "render"]

TEMPLATE_DIR = Path(__file__).resolve().parent
SUFFIX = ".json.j2"
# Held while a template is looked up: Jinja2 compiles a template in every thread that misses its
# cache, so the clock's workers, starting together, would each compile the digest (~70 ms each).
_loading = threading.Lock()


class TemplateBroken(Exception):
    """A template rendered something that is not JSON: a bug in the template, not in the input."""


def render(name: str, **context: Any) -> dict[str, Any]:
    """Render `templates/<name>.json.j2` into a message dict that fits Slack's limits.

    Pass `today=` to make dates of the current year show without their year relative to it.
    """
    text = _template(name).render(**context)
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        near = text[max(0, error.pos - 80) : error.pos + 80]
        raise TemplateBroken(
            f"{name}{SUFFIX} rendered invalid JSON ({error.msg}) near: {near!r}"
        ) from error
    return fit_in_place(message)


@pass_context
def _day(context: Context, moment: date) -> str:
    today = context.get("today")
    return formatting.day(moment, today if isinstance(today, date) else None)


FILTERS = {
    "value": format_value,
    "change": format_change,
    "sparkline": formatting.sparkline,
    "day": _day,
    "percent": formatting.percent,
    "approx": formatting.approx,
    "duration": formatting.duration,
    "kpi_value": formatting.kpi_value,
    "target": formatting.target,
    "status_emoji": formatting.status_emoji,
    "status_label": formatting.status_label,
    "cut": formatting.cut,
    "mention": formatting.mention,
    "channel": formatting.channel,
    "link": formatting.link,
    "json": formatting.as_json,
    # A macro's output: its values were escaped as it rendered, so it is not escaped again.
    "rendered": JsonLiteral,
}


def _template(name: str) -> Template:
    """`templates/<name>.json.j2`, compiled once per process however many threads ask at once."""
    environment = _environment()
    with _loading:
        return environment.get_template(name + SUFFIX)


@cache
def _environment() -> Environment:
    """Built once; Jinja2 environments are safe to render from many threads."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=formatting.interpolated,
        auto_reload=False,
    )
    environment.filters.update(FILTERS)
    return environment
