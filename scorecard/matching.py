"""Which KPI, action or objective someone means, however they typed it.

People type names from memory: lower case, abbreviated ("ig followers", "eng rate"), with typos
("instagram folowers") or as initials ("nps"). `resolve` answers "which items does this mean?" and
`closest` answers "what should we suggest?". Scores are 0-100.
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz

T = TypeVar("T")

# rank() leaves out anything scoring below this: it is not a plausible reading of the query.
RANK_FLOOR = 60.0
# A fuzzy match is taken on its own only if it scores at least this...
CONFIDENT_SCORE = 80.0
# ...and leads the runner-up by at least this; otherwise everything this close to the top is listed.
CLEAR_MARGIN = 10.0
# "Did you mean …?" may suggest something this loosely similar.
SUGGESTION_FLOOR = 50.0

# How much a name word the query does not mention counts against the match, relative to a query
# word. Small, so "followers" still finds "Instagram followers", but a whole name beats a part.
UNMENTIONED_WORD_WEIGHT = 0.15
# Whole-string similarity only helps with typos across word boundaries ("instagramfollowers");
# discounted so it cannot hide that a distinctive word ("ig" vs "tiktok") is different.
WHOLE_STRING_WEIGHT = 0.9
# Scores of one query word against one name word.
EXACT_WORD, PREFIX_WORD, ABBREVIATED_WORD, INITIALS = 100.0, 90.0, 80.0, 90.0
# Word-by-word matches, best first: the same word, the start of a word, an abbreviation.
SAME_WORDS, PREFIXES, ABBREVIATIONS = 1, 2, 3

_QUOTES_AND_APOSTROPHES = "'\"‘’‚‛“”„‟`´"


@dataclass(frozen=True)
class Scored(Generic[T]):
    item: T
    score: float  # 0-100


# Names are normalized on every lookup and rarely change: remembering them saves most of the work.
NORMALIZED_NAMES_CACHED = 65_536


@functools.lru_cache(maxsize=NORMALIZED_NAMES_CACHED)
def normalize(text: str) -> str:
    """ "Instagram Followers (IG)" -> "instagram followers ig"; "R&D" -> "r and d"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("&", " and ")
    text = "".join(char for char in text if char not in _QUOTES_AND_APOSTROPHES)
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    return re.sub(r"\s+", " ", text).strip()


def similarity(query: str, name: str) -> float:
    """How well `query` reads as `name` (both already normalized), 0-100."""
    if not query or not name:
        return 0.0
    if query == name:
        return 100.0
    whole = max(fuzz.ratio(query, name), fuzz.token_sort_ratio(query, name))
    return max(WHOLE_STRING_WEIGHT * whole, _word_similarity(query.split(), name.split()))


def rank(
    query: str,
    items: Iterable[T],
    names: Callable[[T], Iterable[str]],
    limit: int | None = 5,
    floor: float = RANK_FLOOR,
) -> list[Scored[T]]:
    """Items scoring at least `floor` on their best name, best first (ties keep input order)."""
    wanted = normalize(query)
    scored = [
        Scored(item, max((similarity(wanted, normalize(name)) for name in names(item)), default=0))
        for item in items
    ]
    ranked = sorted((s for s in scored if s.score >= floor), key=lambda s: -s.score)
    return ranked if limit is None else ranked[:limit]


def resolve(query: str, items: Sequence[T], names: Callable[[T], Iterable[str]]) -> list[T]:
    """The items `query` means: one when it is clear, several when the person must choose.

    In order: items with a name equal to the query (after `normalize`); else items whose name
    contains every query word (as the same word, then as its start, then as an abbreviation:
    the best of these kinds that matches anything); else a fuzzy winner scoring at least
    CONFIDENT_SCORE and CLEAR_MARGIN ahead of the next, or all items within CLEAR_MARGIN of the
    top. Nothing confident gives [], and `closest` can then make a suggestion.
    """
    wanted = normalize(query)
    if not wanted:
        return []
    exact = [item for item in items if any(normalize(name) == wanted for name in names(item))]
    if exact:
        return exact
    by_kind: dict[int, list[T]] = {}
    for item in items:
        kinds = [_word_cover(wanted, normalize(name)) for name in names(item)]
        found = [kind for kind in kinds if kind is not None]
        if found:
            by_kind.setdefault(min(found), []).append(item)
    if by_kind:
        return by_kind[min(by_kind)]
    ranked = rank(query, items, names, limit=None)
    if not ranked or ranked[0].score < CONFIDENT_SCORE:
        return []
    top = ranked[0].score
    if len(ranked) == 1 or top - ranked[1].score >= CLEAR_MARGIN:
        return [ranked[0].item]
    return [scored.item for scored in ranked if top - scored.score < CLEAR_MARGIN]


def closest(query: str, items: Sequence[T], names: Callable[[T], Iterable[str]]) -> T | None:
    """The best thing to suggest in "Did you mean …?", if anything is even loosely similar."""
    ranked = rank(query, items, names, limit=1, floor=SUGGESTION_FLOOR)
    return ranked[0].item if ranked else None


def _word_similarity(query_words: list[str], name_words: list[str]) -> float:
    if len(query_words) == 1 and _are_initials(query_words[0], name_words):
        return INITIALS
    total = 0.0
    mentioned: set[int] = set()
    for word in query_words:
        scores = [_word_score(word, name_word) for name_word in name_words]
        best = max(range(len(scores)), key=scores.__getitem__)
        total += scores[best]
        mentioned.add(best)
    unmentioned = len(name_words) - len(mentioned)
    return total / (len(query_words) + UNMENTIONED_WORD_WEIGHT * unmentioned)


def _word_score(word: str, name_word: str) -> float:
    if word == name_word:
        return EXACT_WORD
    if name_word.startswith(word):
        return PREFIX_WORD + (EXACT_WORD - PREFIX_WORD) * len(word) / len(name_word)
    typo = fuzz.ratio(word, name_word)
    return max(ABBREVIATED_WORD, typo) if _abbreviates(word, name_word) else typo


def _word_cover(query: str, name: str) -> int | None:
    """How every query word appears in `name` (SAME_WORDS…ABBREVIATIONS), or None if one doesn't.

    The kind of the whole match is that of its loosest word.
    """
    name_words = name.split()
    if len(query.split()) == 1 and _are_initials(query, name_words):
        return ABBREVIATIONS
    loosest = SAME_WORDS
    for word in query.split():
        if word in name_words:
            continue
        if any(name_word.startswith(word) for name_word in name_words):
            loosest = max(loosest, PREFIXES)
        elif any(_abbreviates(word, name_word) for name_word in name_words):
            loosest = ABBREVIATIONS
        else:
            return None
    return loosest


def _abbreviates(word: str, name_word: str) -> bool:
    """ "ig" for "instagram", "mgmt" for "management": same first letter, letters in order."""
    if len(word) < 2 or len(word) >= len(name_word) or word[0] != name_word[0]:
        return False
    remaining = iter(name_word)
    return all(letter in remaining for letter in word)


def _are_initials(word: str, name_words: list[str]) -> bool:
    """ "nps" for "net promoter score"."""
    return len(name_words) >= 2 and word == "".join(name_word[0] for name_word in name_words)
