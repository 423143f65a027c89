"""Turning a domain result, or a mistake, into the reply a person sees: one place for both."""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond

from scorecard.errors import Question, UserError
from templates import render

logger = logging.getLogger(__name__)

EPHEMERAL = "ephemeral"


def error_message(message: str) -> dict[str, Any]:
    return render("error", message=message)


def person_message(error: UserError) -> dict[str, Any]:
    """The reply for a person's mistake: a question with choices, or a plain explanation."""
    if isinstance(error, Question):
        return render("question", message=error.message, choices=error.choices)
    return error_message(error.message)


def answer(ack: Ack, build: Callable[[], dict[str, Any]], about: dict[str, Any]) -> None:
    """Acknowledge a slash command with the message `build` returns, always ephemeral."""
    ack(response_type=EPHEMERAL, **_built(build, about))


def answer_later(
    respond: Respond, build: Callable[[], dict[str, Any]], about: dict[str, Any]
) -> None:
    """For slow work run after the ack: replace the "working on it" reply with the result."""
    respond(response_type=EPHEMERAL, replace_original=True, **_built(build, about))


def _built(build: Callable[[], dict[str, Any]], about: dict[str, Any]) -> dict[str, Any]:
    """The message `build` returns, or the reply that explains why there is none.

    A UserError becomes its own friendly message. Anything else is a bug: it is logged with the
    request it came from, and the person gets a reference to quote rather than silence.
    """
    try:
        return build()
    except UserError as error:
        return person_message(error)
    except Exception:
        return apology(about)


def apology(about: dict[str, Any]) -> dict[str, Any]:
    """For a bug, called from an `except` block: log it with a reference the person can quote."""
    reference = uuid.uuid4().hex[:8]
    logger.exception("Request failed (ref %s): %s", reference, about)
    return error_message(
        "Sorry, something went wrong on my side and nothing was saved. "
        f"If it keeps happening, tell whoever runs Scorecard: reference `{reference}`."
    )


def command_summary(command: dict[str, Any]) -> dict[str, Any]:
    """What to log about a command: enough to reproduce it, nothing secret."""
    keys = ("team_id", "user_id", "channel_id", "command", "text")
    return {key: command.get(key) for key in keys}


def answer_aside(
    respond: Respond, build: Callable[[], dict[str, Any]], about: dict[str, Any]
) -> None:
    """For a button's slow work: the result as a new private reply, the clicked message kept."""
    respond(response_type=EPHEMERAL, replace_original=False, **_built(build, about))
