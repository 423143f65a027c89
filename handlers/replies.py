"""Turning a domain result, a person's mistake or a bug into the reply a person sees.

`settle` is the one funnel every listener uses (slash commands, buttons, modal submissions):

- a result becomes the message the listener built;
- a `UserError` becomes its own message, and a `Question` a question with one button per choice;
- anything else is a bug: logged with a reference, and the person gets an apology quoting it.

Listeners differ only in how the message reaches Slack (the ack, a response_url, an ephemeral
message, a modal's field errors); see `handlers/slack_plumbing.py`.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.direct_messages import tell_privately
from scorecard.errors import Question, UserError
from templates import render

logger = logging.getLogger(__name__)

EPHEMERAL = "ephemeral"


class FollowUp(Protocol):
    """What a result sends once the person has their answer: a DM to someone else (`Notice`), a
    line in the updates channel, the person's Home tab redrawn (handlers/home.py). Sent only for
    a result; `send` never raises for Slack's refusals (they are logged)."""

    def send(self, client: WebClient) -> None: ...


@dataclass(frozen=True)
class Notice:
    """A direct message to someone else about a result (the owner of an action someone changed)."""

    user: str
    message: dict[str, Any]

    def send(self, client: WebClient) -> None:
        tell_privately(client, self.user, self.message)


@dataclass(frozen=True)
class Reply:
    """A result's message for the caller, and the notices that go with it."""

    message: dict[str, Any]
    notices: tuple[FollowUp, ...] = ()


Built = dict[str, Any] | Reply  # what a listener's `build` returns


@dataclass(frozen=True)
class Outcome:
    """What became of a request: the message to show, and why it is not a result if it isn't."""

    message: dict[str, Any]
    mistake: UserError | None = None  # the person's mistake, or a question to them
    bug: bool = False  # a bug: `message` is the apology, the log has the traceback
    notices: tuple[FollowUp, ...] = ()  # sent only for a result

    @property
    def succeeded(self) -> bool:
        return self.mistake is None and not self.bug

    def send_notices(self, client: WebClient) -> None:
        """Send the result's follow-ups; one that fails is logged and the others still go."""
        for notice in self.notices:
            try:
                notice.send(client)
            except Exception:
                logger.exception("A follow-up failed: %r", notice)


def settle(build: Callable[[], Built], about: dict[str, Any]) -> Outcome:
    """Run `build` and say what became of it. Never raises."""
    try:
        built = build()
        if isinstance(built, Reply):
            return Outcome(built.message, notices=built.notices)
        return Outcome(built)
    except UserError as error:
        return Outcome(person_message(error), mistake=error)
    except Exception:
        return Outcome(apology(about), bug=True)


def error_message(message: str) -> dict[str, Any]:
    return render("error", message=message)


def person_message(error: UserError) -> dict[str, Any]:
    """The reply for a person's mistake: a question with choices, or a plain explanation."""
    if isinstance(error, Question):
        return render("question", message=error.message, choices=error.choices)
    return error_message(error.message)


def answer(ack: Ack, client: WebClient, build: Callable[[], Built], about: dict[str, Any]) -> None:
    """Acknowledge a slash command with the message `build` returns, always ephemeral."""
    outcome = settle(build, about)
    ack(response_type=EPHEMERAL, **outcome.message)
    outcome.send_notices(client)


def answer_later(
    respond: Respond, client: WebClient, build: Callable[[], Built], about: dict[str, Any]
) -> None:
    """For slow work run after the ack: replace the "working on it" reply with the result."""
    outcome = settle(build, about)
    respond(response_type=EPHEMERAL, replace_original=True, **outcome.message)
    outcome.send_notices(client)


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
    respond: Respond, client: WebClient, build: Callable[[], Built], about: dict[str, Any]
) -> None:
    """For a button's slow work: the result as a new private reply, the clicked message kept."""
    outcome = settle(build, about)
    respond(response_type=EPHEMERAL, replace_original=False, **outcome.message)
    outcome.send_notices(client)
