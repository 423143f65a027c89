"""Splitting `/kpi log` text into the KPI, the value, the day and a note.

People type `instagram followers 12.4k yesterday after the giveaway`: no quotes, no commas, and a
KPI name that may itself contain numbers ("top 10 posts 45"). So every word that reads as a value
is tried as the split point, and the one whose preceding words best name a known KPI wins.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from scorecard import matching
from scorecard.dates import parse_day
from scorecard.errors import UserError
from scorecard.values import looks_like_value

EXAMPLE = "`/kpi log instagram followers 12.4k`"
# Outranks any fuzzy score (0-100): the words before the value are exactly a KPI's name.
EXACT_NAME_SCORE = 1000.0
SEPARATORS = (":", "=")
_QUOTED_NAME = re.compile(r"""^\s*["“”'‘’](?P<name>[^"“”'‘’]+)["“”'‘’]""")
# "=" is always a word of its own ("followers=12k"); so is a colon after letters ("followers:12k"),
# but not one between numbers ("3:1").
_WORD = re.compile(r"=|[^\s=]+")
# Punctuation between the value or date and the note: "12k, - great week" has the note "great week",
# but "12k -5% on last week" keeps its minus.
_NOTE_LEAD = re.compile(r"^[\s:;,=]*(?:[-–—]+\s+)?")


@dataclass(frozen=True)
class LogArguments:
    kpi_text: str  # the words naming the KPI, as typed (for finding.find_one)
    value_text: str  # as typed, e.g. "12.4k" or "90 min" (for values.parse_value)
    day: date | None  # None: no date given, meaning today
    note: str  # "" when there is none


@dataclass(frozen=True)
class _Word:
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_separator(self) -> bool:
        return self.text in SEPARATORS


@dataclass(frozen=True)
class _Split:
    """One way to read the text: the value is words[value_at : value_at + value_length]."""

    kpi_text: str
    value_at: int
    value_length: int
    score: float
    separated: bool  # "followers: 12k" says where the name ends


def split_log_arguments(
    text: str,
    today: date,
    kpi_names: Sequence[str],
    unit_of: Callable[[str], str],
) -> LogArguments:
    """`<kpi words> <value> [date words] [note...]` -> LogArguments; UserError if unreadable.

    Among the words that read as a value, the split is the one whose preceding words match a
    KPI name exactly (the longest such name), else best by fuzzy score, else the first value.
    `unit_of(name)` gives the unit of a KPI name from `kpi_names`, so "2h" counts as a value
    for a KPI kept in hours. The date, if any, must come straight after the value.
    """
    if not text.strip():
        raise UserError(f"What should I log? Try {EXAMPLE}.")
    quoted = _QUOTED_NAME.match(text)
    if quoted:
        return _split_after_quoted_name(text, quoted, today, kpi_names, unit_of)
    words = _words(text, 0)
    splits = [
        split
        for value_at in range(1, len(words))
        if (split := _split_at(text, words, value_at, kpi_names, unit_of)) is not None
    ]
    if not splits:
        if looks_like_value(words[0].text):
            raise UserError(f"Which KPI is {words[0].text} for? Put its name first: {EXAMPLE}.")
        raise UserError(f"What was the value? Try {EXAMPLE}.")
    best = max(splits, key=_preference)
    return _finish(text, words, best.kpi_text, best.value_at, best.value_length, today)


def _split_after_quoted_name(
    text: str,
    quoted: re.Match[str],
    today: date,
    kpi_names: Sequence[str],
    unit_of: Callable[[str], str],
) -> LogArguments:
    kpi_text = quoted.group("name").strip()
    words = _words(text, quoted.end())
    value_at = next((i for i, word in enumerate(words) if not word.is_separator), len(words))
    length = _value_length(words, value_at, _unit(kpi_text, kpi_names, unit_of))
    if not length:
        raise UserError(f"What was the value of {kpi_text}? Try {EXAMPLE}.")
    return _finish(text, words, kpi_text, value_at, length, today)


def _words(text: str, offset: int) -> list[_Word]:
    words: list[_Word] = []
    for match in _WORD.finditer(text, offset):
        word, start = match.group(), match.start()
        head, colon, tail = word.partition(":")
        if colon and any(letter.isalpha() for letter in head):  # "followers:" or "followers:12k"
            words += [_Word(head, start), _Word(":", start + len(head))]
            words += [_Word(tail, start + len(head) + 1)] if tail else []
        else:
            words.append(_Word(word, start))
    return words


def _split_at(
    text: str,
    words: list[_Word],
    value_at: int,
    kpi_names: Sequence[str],
    unit_of: Callable[[str], str],
) -> _Split | None:
    name_words = words[:value_at]
    separated = name_words[-1].is_separator
    while name_words and name_words[-1].is_separator:
        name_words = name_words[:-1]
    if not name_words or not _may_start_a_value(words[value_at]):
        return None  # cheap check first: naming the KPI below scores every KPI name
    kpi_text = text[name_words[0].start : name_words[-1].end].strip(" ,;")
    score, name = _name_score(kpi_text, kpi_names)
    length = _value_length(words, value_at, unit_of(name) if name else "")
    if not length:
        return None
    return _Split(kpi_text, value_at, length, score, separated)


def _may_start_a_value(word: _Word) -> bool:
    """Every value starts with a word holding a digit ("12.4k", "35%", the 90 of "90 min")."""
    return not word.is_separator and any(character.isdigit() for character in word.text)


def _name_score(kpi_text: str, kpi_names: Sequence[str]) -> tuple[float, str | None]:
    """How well the words name a KPI, and the name they match best."""
    wanted = matching.normalize(kpi_text)
    exact = next((name for name in kpi_names if matching.normalize(name) == wanted), None)
    if exact is not None:
        return EXACT_NAME_SCORE, exact
    ranked = matching.rank(kpi_text, kpi_names, lambda name: (name,), limit=1)
    return (ranked[0].score, ranked[0].item) if ranked else (0.0, None)


def _unit(kpi_text: str, kpi_names: Sequence[str], unit_of: Callable[[str], str]) -> str:
    _, name = _name_score(kpi_text, kpi_names)
    return unit_of(name) if name else ""


def _value_length(words: list[_Word], at: int, unit: str) -> int:
    """How many words the value at `at` takes: 2 for "90 min" or "35 %", 1 for "12.4k", 0 if
    there is no value there. A unit the KPI doesn't use still counts, so that parse_value can say
    what is wrong with it rather than the person hearing that the value is missing."""
    if at >= len(words) or words[at].is_separator:
        return 0
    if at + 1 < len(words) and looks_like_value(f"{words[at].text} {words[at + 1].text}", unit):
        return 2
    return 1 if looks_like_value(words[at].text, unit) or looks_like_value(words[at].text) else 0


def _preference(split: _Split) -> tuple[float, bool, int]:
    """Best name first; then an explicit separator; then, among names that match something, the
    longer name ("revenue 2024 1.2M" is Revenue 2024), and among names that match nothing, the
    first value, so the reply can say which name was not found."""
    matched = split.score > 0
    return split.score, split.separated, split.value_at if matched else -split.value_at


def _finish(
    text: str,
    words: list[_Word],
    kpi_text: str,
    value_at: int,
    value_length: int,
    today: date,
) -> LogArguments:
    value_words = words[value_at : value_at + value_length]
    value_text = text[value_words[0].start : value_words[-1].end].rstrip(",;")
    rest = words[value_at + value_length :]
    found = parse_day([word.text for word in rest], today)
    day, used = found if found is not None else (None, 0)
    note = _NOTE_LEAD.sub("", text[rest[used].start :]).strip() if used < len(rest) else ""
    return LogArguments(kpi_text, value_text, day, note)
