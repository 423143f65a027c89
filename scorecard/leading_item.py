"""Which item a command names when its name runs straight into free text, decided strictly.

`/action stop daily standup no longer needed` has no marker where the action's name ends and the
reason begins. Taking the best-looking prefix changed the wrong item ("daily" is in *Daily meme
posts*), so a command that changes something acts only when the leading words are sure to name
one item:

1. they are exactly one item's name or key (the longest such prefix), or
2. they name one item in full: every word typed is a word of its name (or the start or a small
   typo of one) and every word of its name was typed.

A part of a name (`/action done memes`) is not enough, even alone: a change is worth one click
to confirm, and a wrong one is hard to notice.

Otherwise the person is asked "Did you mean …?" with one button per plausible item, each running
the command with the item's key, or told that nothing is called that. Nothing changes either way.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from rapidfuzz import fuzz

from scorecard import matching
from scorecard.errors import Choice, Question, UserError

# Two words count as the same word with a typo when they are at least this similar (0-100).
TYPO_SIMILARITY = 85.0
# A "Did you mean …?" offers at most this many items.
MOST_CHOICES = 4
# A leading phrase may have this many words more than the longest name ("insta gram followers").
EXTRA_WORDS = 2


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


T = TypeVar("T", bound=Keyed)


def leading_item(
    text: str,
    items: Sequence[T],
    names: Callable[[T], Iterable[str]],
    kind: str,
    command: str,
    verb: str,
    list_command: str,
) -> tuple[T, str]:
    """Split `text` into the item it surely starts with and the rest (the note or reason).

    `command` and `verb` ("/action", "stop") make the choices of a Question: each runs
    `{command} {verb} {item key} {rest}`. Raises Question when unsure, UserError when nothing
    on the scorecard is even close.
    """
    words = text.split()
    if not words:
        raise UserError(f"Which {kind}? `{list_command}` shows them all.")
    sizes = _phrase_sizes(words, items, names)
    for size in sizes:
        phrase = " ".join(words[:size])
        exact = [item for item in items if _is_named(phrase, item, names)]
        if len(exact) == 1:
            return exact[0], " ".join(words[size:])
        if exact:
            raise _question(text, [(item, " ".join(words[size:])) for item in exact], command, verb)
    for size in sizes:
        phrase, rest = " ".join(words[:size]), " ".join(words[size:])
        named = [item for item in items if _names_in_full(phrase, item, names)]
        if len(named) == 1:
            return named[0], rest
        if named:
            raise _question(text, [(item, rest) for item in named], command, verb)
    candidates = _candidates(words, sizes, items, names)
    if not candidates:
        raise UserError(
            f"I don't know {_article(kind)} {kind} called “{text.strip()}”. "
            f"`{list_command}` shows them all."
        )
    raise _question(text, candidates, command, verb)


def _is_named(phrase: str, item: T, names: Callable[[T], Iterable[str]]) -> bool:
    wanted = matching.normalize(phrase)
    return any(matching.normalize(name) == wanted for name in names(item))


def _names_in_full(phrase: str, item: T, names: Callable[[T], Iterable[str]]) -> bool:
    """Every typed word is a word of one of the item's names, and every word of it was typed."""
    typed = matching.normalize(phrase).split()
    return any(
        all(any(_same_word(word, of) for word in typed) for of in name_words)
        for name_words in _names_with(typed, item, names)
    )


def _names_with(typed: list[str], item: T, names: Callable[[T], Iterable[str]]) -> list[list[str]]:
    """The item's names (as words) that have every typed word in them."""
    found = []
    for name in names(item):
        name_words = matching.normalize(name).split()
        if typed and all(any(_same_word(word, of) for of in name_words) for word in typed):
            found.append(name_words)
    return found


def shares_a_word(query: str, names: Iterable[str]) -> bool:
    """Whether a word of `query` is a word of one of `names` (or its start, or a small typo of it):
    the least a "Did you mean …?" suggestion needs to be more help than noise."""
    typed = matching.normalize(query).split()
    return any(
        _same_word(word, of)
        for name in names
        for of in matching.normalize(name).split()
        for word in typed
    )


def _same_word(typed: str, name_word: str) -> bool:
    if typed == name_word:
        return True
    if len(typed) >= 3 and name_word.startswith(typed):
        return True
    return fuzz.ratio(typed, name_word) >= TYPO_SIMILARITY


def _phrase_sizes(
    words: list[str], items: Sequence[T], names: Callable[[T], Iterable[str]]
) -> range:
    """How many leading words to try as a name, longest first: no more than a name could have."""
    longest = max(
        (len(matching.normalize(name).split()) for item in items for name in names(item)),
        default=0,
    )
    return range(min(len(words), longest + EXTRA_WORDS), 0, -1)


def _candidates(
    words: list[str], sizes: range, items: Sequence[T], names: Callable[[T], Iterable[str]]
) -> list[tuple[T, str]]:
    """Items the leading words may mean, each with the rest of the text after the words that
    point at it (the longest such prefix first)."""
    found: dict[int, tuple[T, str]] = {}
    for size in sizes:  # items with the leading words in a name first...
        typed = matching.normalize(" ".join(words[:size])).split()
        for item in items:
            if _names_with(typed, item, names):
                found.setdefault(id(item), (item, " ".join(words[size:])))
    if found:
        return list(found.values())[:MOST_CHOICES]
    for size in sizes:  # ...else look-alikes (slower: a fuzzy score for every item)
        phrase = " ".join(words[:size])
        for scored in matching.rank(phrase, items, names, floor=matching.SUGGESTION_FLOOR):
            found.setdefault(id(scored.item), (scored.item, " ".join(words[size:])))
    return list(found.values())[:MOST_CHOICES]


def _question(text: str, candidates: list[tuple[T, str]], command: str, verb: str) -> Question:
    choices = [
        Choice(_title(item), command, " ".join(part for part in (verb, item.key, rest) if part))
        for item, rest in candidates
    ]
    which = "Did you mean this one?" if len(choices) == 1 else "Which one did you mean?"
    return Question(
        f"I'm not sure what “{text.strip()}” names, so nothing was changed. {which}", choices
    )


def _title(item: Keyed) -> str:
    return str(getattr(item, "title", None) or getattr(item, "name", None) or item.key)


def _article(kind: str) -> str:
    return "an" if kind[:1].casefold() in "aeiou" else "a"
