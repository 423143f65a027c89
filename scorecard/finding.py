"""Finding the KPI, action or objective someone means, however they typed it."""

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from scorecard import matching
from scorecard.errors import UserError
from scorecard.leading_item import shares_a_word
from storage.models import Action

T = TypeVar("T")

# A leading phrase must score at least this (0-100) to be taken as an item's name before a note.
LEADING_NAME_MIN_SCORE = 80.0


class KeyAndName(Protocol):
    """A KPI, or a light label of one."""

    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...


def kpi_names(kpi: KeyAndName) -> tuple[str, str]:
    return (kpi.key, kpi.name)


def action_names(action: Action) -> tuple[str, str]:
    return (action.key, action.title)


def find_one(
    query: str,
    items: Sequence[T],
    names: Callable[[T], Iterable[str]],
    kind: str,
    list_command: str,
) -> T:
    """The one item `query` means, or a UserError that says what was close."""
    query = query.strip()
    if not query:
        raise UserError(f"Which {kind}? `{list_command}` shows them all.")
    found = matching.resolve(query, items, names)
    if len(found) == 1:
        return found[0]
    if found:
        options = ", ".join(f"*{_label(item, names)}*" for item in found[:5])
        raise UserError(f"“{query}” could be {options}. Say which one, a little more fully.")
    suggestion = matching.closest(query, items, names)
    if suggestion is not None and not shares_a_word(query, names(suggestion)):
        suggestion = None  # only loosely alike ("nothing here"): no help, only noise
    hint = f" Did you mean *{_label(suggestion, names)}*?" if suggestion is not None else ""
    raise UserError(
        f"I don't know {_article(kind)} {kind} called “{query}”.{hint} "
        f"`{list_command}` shows them all."
    )


def split_leading_item(
    text: str,
    items: Sequence[T],
    names: Callable[[T], Iterable[str]],
    kind: str,
    list_command: str,
) -> tuple[T, str]:
    """Split "instagram folowers campaign ended" into the item it starts with and the rest.

    People type a multi-word name without quotes, then free text. An exact name wins; otherwise
    the leading phrase that matches an item best, preferring the longer phrase on a tie.
    """
    words = text.split()
    if not words:
        raise UserError(f"Which {kind}? `{list_command}` shows them all.")
    for size in range(len(words), 0, -1):
        phrase = matching.normalize(" ".join(words[:size]))
        for item in items:
            if any(matching.normalize(name) == phrase for name in names(item)):
                return item, " ".join(words[size:])
    best: tuple[float, int, T] | None = None
    for size in range(1, len(words) + 1):
        ranked = matching.rank(" ".join(words[:size]), items, names, limit=2)
        if not ranked:
            continue
        top = ranked[0]
        clear = len(ranked) == 1 or ranked[1].score < top.score
        if clear and top.score >= LEADING_NAME_MIN_SCORE and (best is None or top.score >= best[0]):
            best = (top.score, size, top.item)
    if best is None:  # no confident phrase: the first word alone, or a message with a suggestion
        return find_one(words[0], items, names, kind, list_command), " ".join(words[1:])
    _, size, item = best
    return item, " ".join(words[size:])


def _article(kind: str) -> str:
    return "an" if kind[:1].casefold() in "aeiou" else "a"


def _label(item: object, names: Callable[[T], Iterable[str]]) -> str:
    all_names = list(names(item))
    return all_names[-1] if all_names else str(item)
