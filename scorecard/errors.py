"""The kinds of error meant for people rather than for logs."""

from collections.abc import Sequence
from dataclasses import dataclass


class UserError(Exception):
    """Something the person asked for cannot be done as typed.

    The message is written for the person who typed the command: it says what was wrong and how
    to fix it. Handlers turn it into a friendly reply; anything else is a bug and gets logged.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Choice:
    """One answer to a question the bot asks instead of guessing.

    `command` and `text` are what runs when the person picks it, exactly as if they had typed
    `{command} {text}`; the text must be unambiguous (an item's key, plain digits, an ISO date),
    so picking it can never raise the same question again. `label` is what the button says.
    """

    label: str
    command: str  # "/kpi", "/action", "/why"
    text: str  # "log churn 4% on 2026-11-27"


class Question(UserError):
    """The bot is not sure what was meant. Nothing was stored; the person picks one of `choices`.

    The message says what is unclear ("Did you mean 4% or 0.04%?"). With no choices it is a plain
    question the person answers by typing the command again.
    """

    def __init__(self, message: str, choices: Sequence[Choice] = ()) -> None:
        super().__init__(message)
        self.choices = tuple(choices)


class CannotSaveNow(UserError):
    """The database can't take a change right now, so nothing was stored.

    Raised by storage before anything is written. `detail` is for the operator's log (which file,
    which error); the message is for the person, who can simply try again.
    """

    MESSAGE = (
        "I can't save anything right now, so nothing was stored. "
        "Try again later; if it keeps happening, tell whoever runs Scorecard."
    )

    def __init__(self, detail: str) -> None:
        super().__init__(self.MESSAGE)
        self.detail = detail


class StoreBusy(CannotSaveNow):
    """Another change held the database for longer than a person can wait; nothing was stored."""

    MESSAGE = (
        "I'm busy with another change right now, so nothing was stored. Try again in a moment."
    )
