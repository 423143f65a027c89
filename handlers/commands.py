"""One description per slash command: it drives both the dispatch and the help text."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from handlers.replies import Built
from handlers.services import Services
from scorecard.caller import Caller
from scorecard.errors import UserError

Message = dict[str, Any]


def command_text(command: dict[str, Any]) -> str:
    """The words typed after a slash command: the one place slash-command text comes in."""
    return command.get("text") or ""


def from_command(command: dict[str, Any], services: Services) -> tuple[Caller, str]:
    """A slash command's caller (who, where, when) and the words they typed after it."""
    caller = services.caller(
        workspace=command.get("team_id", ""),
        user=command.get("user_id", ""),
        channel=command.get("channel_id") or None,
    )
    return caller, command_text(command)


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    example: str
    summary: str
    run: Callable[[Caller, str], Built]  # (caller, the words after the verb)
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

    def dispatch(self, caller: Caller, text: str, default: str) -> Built:
        """Run the subcommand the first word of `text` names (`default` when there is none)."""
        verb, rest = split_verb(text)
        subcommand = self.find(verb or default)
        if subcommand is None:
            usages = [f"`{sub.usage}`" for sub in self.subcommands]
            raise UserError(
                f"I don't know `{self.name} {verb}`. Try {', '.join(usages[:-1])} or {usages[-1]}."
            )
        return subcommand.run(caller, rest)


def split_verb(text: str) -> tuple[str, str]:
    """ "log followers 12k" -> ("log", "followers 12k")."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "", ""
    return words[0], words[1] if len(words) > 1 else ""
