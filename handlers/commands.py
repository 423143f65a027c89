"""One description per slash command: it drives both the dispatch and the help text."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from handlers.replies import Built
from handlers.services import Services
from handlers.slack_text import decode_command_text
from scorecard.caller import Caller
from scorecard.errors import Choice, Question, UserError

Message = dict[str, Any]

# A verb this similar (0-100) to a real one is taken for a typo of it and suggested...
VERB_TYPO_SIMILARITY = 80.0
# ...if it is at least this long: two letters are too few to tell a typo from another word.
MIN_VERB_TYPO_LENGTH = 3


def command_text(command: dict[str, Any]) -> str:
    """The words typed after a slash command: the one place slash-command text comes in, decoded
    from Slack's encoding into plain text (see handlers/slack_text.py)."""
    return decode_command_text(command.get("text") or "")


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

    @property
    def usage_hint(self) -> str:
        """What Slack shows beside the command as it is typed (the manifest's `usage_hint`): every
        verb, "log · show · list · …", or for a command without verbs what it takes."""
        verbs = [sub.name for sub in self.subcommands if sub.name]
        if verbs:
            return " · ".join(verbs)
        return " · ".join(sub.usage.removeprefix(self.name).strip() for sub in self.subcommands)

    def find(self, word: str) -> Subcommand | None:
        word = word.casefold()
        return next((sub for sub in self.subcommands if sub.answers_to(word)), None)

    def dispatch(self, caller: Caller, text: str, default: str) -> Built:
        """Run the subcommand the first word of `text` names (`default` when there is none)."""
        verb, rest = split_verb(text)
        subcommand = self.find(verb or default)
        if subcommand is None:
            question = self.mistyped_verb(verb, rest)
            if question is not None:
                raise question
            usages = [f"`{sub.usage}`" for sub in self.subcommands]
            raise UserError(
                f"I don't know `{self.name} {verb}`. Try {', '.join(usages[:-1])} or {usages[-1]}."
            )
        return subcommand.run(caller, rest)

    def mistyped_verb(self, verb: str, rest: str) -> Question | None:
        """ "dgest here" -> "Did you mean `/kpi digest here`?", with a button that runs it."""
        word = verb.casefold()
        if len(word) < MIN_VERB_TYPO_LENGTH:
            return None
        spellings = [(sub, name) for sub in self.subcommands for name in (sub.name, *sub.aliases)]
        scored = [(fuzz.ratio(word, name), sub) for sub, name in spellings if name]
        score, meant = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        if meant is None or score < VERB_TYPO_SIMILARITY:
            return None
        command, _, prefix = self.name.partition(" ")  # "/kpi digest" -> "/kpi", "digest"
        text = " ".join(part for part in (prefix, meant.name, rest) if part)
        return Question(
            f"I don't know `{self.name} {verb}`. Did you mean `{command} {text}`?",
            [Choice(f"{command} {text}", command, text)],
        )


def split_verb(text: str) -> tuple[str, str]:
    """ "log followers 12k" -> ("log", "followers 12k")."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "", ""
    return words[0], words[1] if len(words) > 1 else ""
