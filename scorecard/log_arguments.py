"""Splitting `/kpi log` text into the KPI, the value, the day and a note: one pass, one rule each.

People type `instagram followers 12.4k yesterday after the giveaway`, `instagram followers
yesterday 12.4k` or `response time 4 on friday`: no quotes, no commas, and a KPI name that may
itself contain numbers ("top 10 posts 45"). The text is cut into words once; then each way of
labelling the words is tried:

    <KPI words> [:|=] <value words> [<date words>] <note...>
    <KPI words> [:|=] <date words> <value words> <note...>

A value is one to four words that `values.looks_like_value` accepts ("12.4k", "12 400", "52 000 €",
"90 min"); a date is what `dates.parse_day` reads ("yesterday", "on 20 Nov", "27.11.2026"). The
labelling whose KPI words best name a known KPI wins. Every word ends up in exactly one part, so
nothing typed is dropped; the reply shows which words were which.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from scorecard import matching
from scorecard.dates import parse_day
from scorecard.errors import Choice, Question, UserError
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


# How many words one value may take: "52 000 000 €".
LONGEST_VALUE = 4


@dataclass(frozen=True)
class LogArguments:
    kpi_text: str  # the words naming the KPI, as typed (for finding.find_one)
    value_text: str  # as typed, e.g. "12.4k" or "90 min" (for values.parse_value)
    day: date | None  # None: no date given, meaning today
    note: str  # "" when there is none
    day_text: str = field(default="", compare=False)  # the words read as the day, as typed


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
class _Day:
    """Where a date is in the words, and which day it is (None: it can't be read, see `problem`)."""

    at: int
    length: int
    day: date | None
    problem: Question | None = None


@dataclass(frozen=True)
class _Split:
    """One way to label the words: the value is words[value_at : value_at + value_length], the
    date (if any) `day`, the KPI all the words before the first of them."""

    kpi_text: str
    value_at: int
    value_length: int
    day: _Day | None
    score: float
    separated: bool  # "followers: 12k" says where the name ends

    @property
    def placed(self) -> int:
        """How many words after the KPI are the value or the date rather than the note."""
        return self.value_length + (self.day.length if self.day else 0)

    @property
    def end(self) -> int:
        """The index of the first word of the note."""
        value_end = self.value_at + self.value_length
        return max(value_end, self.day.at + self.day.length) if self.day else value_end


def split_log_arguments(
    text: str,
    today: date,
    kpi_names: Sequence[str],
    unit_of: Callable[[str], str],
) -> LogArguments:
    """`<kpi words> <value> [date words] [note...]` (or the date before the value) ->
    LogArguments; UserError naming the words when there is no value, Question for a date that
    can't be read or a text that reads two ways ("4 nov 20").

    Among the labellings, the one whose KPI words match a KPI name exactly (the longest such
    name) wins, else the best by fuzzy score, else the first value. `unit_of(name)` gives the
    unit of a KPI name from `kpi_names`, so "2h" counts as a value for a KPI kept in hours.
    """
    if not text.strip():
        raise UserError(f"What should I log? Try {EXAMPLE}.")
    quoted = _QUOTED_NAME.match(text)
    if quoted:
        return _split_after_quoted_name(text, quoted, today, kpi_names, unit_of)
    words = _words(text, 0)
    days = _days(words, today)
    splits = [
        split
        for kpi_end in range(1, len(words))
        for split in _splits_at(text, words, days, kpi_end, kpi_names, unit_of)
    ]
    if not splits:
        if looks_like_value(words[0].text):
            raise UserError(f"Which KPI is {words[0].text} for? Put its name first: {EXAMPLE}.")
        raise UserError(f"What was the value in “{text.strip()}”? Try {EXAMPLE}.")
    best = max(splits, key=_preference)
    _ask_if_read_two_ways(text, words, best, splits)
    return _finish(text, words, best)


def _ask_if_read_two_ways(
    text: str, words: list[_Word], best: _Split, splits: list[_Split]
) -> None:
    """ "response time 4 nov 20": 4 for 20 Nov, or 20 for 4 Nov? Asks, with both as choices."""
    rivals = [
        split
        for split in splits
        if (split.kpi_text, split.placed, split.end) == (best.kpi_text, best.placed, best.end)
        and split.day is not None
        and split.day.day is not None
    ]
    readings = {(split.value_at, split.day.day): split for split in rivals if split.day}
    if len(readings) < 2:
        return
    found = sorted((_finish(text, words, split) for split in readings.values()), key=_day_of)
    raise Question(
        "Is that " + " or ".join(_described(reading) for reading in found) + "?",
        [Choice(_described(reading), "/kpi", _log_text(reading)) for reading in found],
    )


def _day_of(arguments: LogArguments) -> date:
    return arguments.day or date.min


def _described(arguments: LogArguments) -> str:
    day = _day_of(arguments)
    return f"{arguments.value_text} for {day:%a} {day.day} {day:%b}"


def _log_text(arguments: LogArguments) -> str:
    """The `/kpi` text that logs exactly these arguments: the date in ISO, so it reads one way."""
    day = arguments.day.isoformat() if arguments.day else ""
    parts = ("log", arguments.kpi_text, arguments.value_text, day, arguments.note)
    return " ".join(part for part in parts if part)


def _split_after_quoted_name(
    text: str,
    quoted: re.Match[str],
    today: date,
    kpi_names: Sequence[str],
    unit_of: Callable[[str], str],
) -> LogArguments:
    kpi_text = quoted.group("name").strip()
    words = _words(text, quoted.end())
    start = next((i for i, word in enumerate(words) if not word.is_separator), len(words))
    unit = _unit(kpi_text, kpi_names, unit_of)
    found = _reading_at(words, _days(words, today), start, unit)
    if not found:
        raise UserError(f"What was the value of {kpi_text}? Try {EXAMPLE}.")
    value_at, length, day = max(found, key=lambda reading: _placed(reading))
    return _finish(text, words, _Split(kpi_text, value_at, length, day, 0.0, False))


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


def _splits_at(
    text: str,
    words: list[_Word],
    days: list[_Day | None],
    kpi_end: int,
    kpi_names: Sequence[str],
    unit_of: Callable[[str], str],
) -> list[_Split]:
    """The labellings whose KPI words are words[:kpi_end] (and any separators after them)."""
    start = kpi_end
    while start < len(words) and words[start].is_separator:
        start += 1
    name_words = words[:kpi_end]
    while name_words and name_words[-1].is_separator:
        name_words = name_words[:-1]
    if not name_words or not _may_start_a_reading(words, days, start):
        return []  # cheap checks first: naming the KPI below scores every KPI name
    kpi_text = text[name_words[0].start : name_words[-1].end].strip(" ,;")
    score, name = _name_score(kpi_text, kpi_names)
    unit = unit_of(name) if name else ""
    separated = start > kpi_end
    return [
        _Split(kpi_text, value_at, length, day, score, separated)
        for value_at, length, day in _reading_at(words, days, start, unit)
    ]


def _reading_at(
    words: list[_Word], days: list[_Day | None], start: int, unit: str
) -> list[tuple[int, int, _Day | None]]:
    """The ways the words from `start` read as a value and a date: (value_at, value_length, day).

    Either the value comes first, maybe followed by a date, or a date comes first and the value
    right after it."""
    readings: list[tuple[int, int, _Day | None]] = []
    length = _value_length(words, start, unit)
    if length:
        readings.append((start, length, days[start + length]))
    day = days[start]
    if day is not None:
        length = _value_length(words, start + day.length, unit)
        if length:
            readings.append((start + day.length, length, day))
    return readings


def _days(words: list[_Word], today: date) -> list[_Day | None]:
    """For each word (and the end), the date that starts there, if one does: read once."""
    return [_day_at(words, at, today) for at in range(len(words) + 1)]


def _day_at(words: list[_Word], at: int, today: date) -> _Day | None:
    """The date that starts at words[at], if one does; one that can't be read is kept with its
    question, asked only if this labelling wins."""
    if at >= len(words):
        return None
    texts = [word.text for word in words[at:]]
    try:
        found = parse_day(texts, today)
    except Question as problem:
        return _Day(at, 1, None, problem)
    return _Day(at, found[1], found[0]) if found is not None else None


def _may_start_a_reading(words: list[_Word], days: list[_Day | None], start: int) -> bool:
    """Every value starts with a word holding a digit ("12.4k", the 90 of "90 min"), either at
    `start` or right after a date that starts there ("yesterday 12.4k")."""
    day = days[start] if start < len(words) else None
    value_at = start + day.length if day is not None else start
    return any(_has_digit(words[at]) for at in {start, value_at} if at < len(words))


def _has_digit(word: _Word) -> bool:
    return any(character.isdigit() for character in word.text)


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
    """How many words the value at `at` takes: 2 for "90 min", "12 400" or "35 %", 3 for
    "52 000 €", 1 for "12.4k", 0 if there is no value there. A unit the KPI doesn't use still
    counts, so that parse_value can say what is wrong with it rather than the person hearing that
    the value is missing."""
    if at >= len(words) or words[at].is_separator:
        return 0
    if not _has_digit(words[at]):
        return 0  # every value starts with a word holding a digit
    for length in range(min(LONGEST_VALUE, len(words) - at), 1, -1):
        span = words[at : at + length]
        if any(word.is_separator for word in span):
            continue
        joined = " ".join(word.text for word in span)
        if looks_like_value(joined, unit) or looks_like_value(joined):
            return length  # "52k usd" for a KPI in €: the value, so the refusal can say why
    return 1 if looks_like_value(words[at].text, unit) or looks_like_value(words[at].text) else 0


def _placed(reading: tuple[int, int, _Day | None]) -> int:
    _, length, day = reading
    return length + (day.length if day else 0)


def _preference(split: _Split) -> tuple[float, bool, int, int]:
    """Best name first; then an explicit separator; then the labelling that places more words as
    value and date ("20 nov 12k" is a date then a value, not the value 20); then, among names
    that match something, the longer name ("revenue 2024 1.2M" is Revenue 2024), and among names
    that match nothing, the first value, so the reply can say which name was not found."""
    matched = split.score > 0
    position = split.value_at if matched else -split.value_at
    return split.score, split.separated, split.placed, position


def _finish(text: str, words: list[_Word], split: _Split) -> LogArguments:
    """The labelled words as LogArguments; asks about a date it could not read."""
    value_words = words[split.value_at : split.value_at + split.value_length]
    value_text = text[value_words[0].start : value_words[-1].end].rstrip(",;")
    day, day_text = None, ""
    if split.day is not None:
        if split.day.problem is not None:
            raise split.day.problem
        day_words = words[split.day.at : split.day.at + split.day.length]
        day, day_text = split.day.day, text[day_words[0].start : day_words[-1].end]
    rest = words[split.end :]
    note = _NOTE_LEAD.sub("", text[rest[0].start :]).strip() if rest else ""
    return LogArguments(split.kpi_text, value_text, day, note, day_text)
