"""One description per slash command: it drives both the dispatch and the help text."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from handlers.services import Services
from handlers.slack_text import decode_command_text
from scorecard.errors import UserError
from storage.db import Database

Message = dict[str, Any]


@dataclass(frozen=True)
class Request:
    """A slash command as the domain sees it: who asked, where, and the words after the verb."""

    workspace: str
    user: str
    channel: str
    text: str
    now: datetime
    database: Database

    @classmethod
    def from_command(cls, command: dict[str, Any], services: Services) -> "Request":
        return cls(
            workspace=command.get("team_id", ""),
            user=command.get("user_id", ""),
            channel=command.get("channel_id", ""),
            text=decode_command_text(command.get("text") or ""),
            now=services.clock(),
            database=services.database,
        )

    def with_text(self, text: str) -> "Request":
        return replace(self, text=text)


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    example: str
    summary: str
    run: Callable[[Request], Message]
    aliases: tuple[str, ...] = ()

    def answers_to(self, word: str) -> bool:
        return word == self.name or word in self.aliases


@dataclass(frozen=True)
class SlashCommand:
    name: str  # "/kpi"
    summary: str
    subcommands: Sequence[Subcommand]

    def find(self, word: str) -> Subcommand | None:
        word = word.casefold()
        return next((sub for sub in self.subcommands if sub.answers_to(word)), None)

    def dispatch(self, request: Request, default: str) -> Message:
        """Run the subcommand the first word names (`default` when there is none)."""
        verb, rest = split_verb(request.text)
        subcommand = self.find(verb or default)
        if subcommand is None:
            usages = [f"`{sub.usage}`" for sub in self.subcommands]
            raise UserError(
                f"I don't know `{self.name} {verb}`. Try {', '.join(usages[:-1])} or {usages[-1]}."
            )
        return subcommand.run(request.with_text(rest))


def split_verb(text: str) -> tuple[str, str]:
    """ "log followers 12k" -> ("log", "followers 12k")."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "", ""
    return words[0], words[1] if len(words) > 1 else ""
