"""Logging KPI readings, annotating them and taking them back."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session

from scorecard import matching
from scorecard.dates import describe_day
from scorecard.errors import Choice, Question, UserError
from scorecard.finding import find_one, kpi_names
from scorecard.forecast import Forecast, NotEnoughData, forecast_kpi
from scorecard.forecast_questions import decision_on_kpi
from scorecard.leading_item import leading_item
from scorecard.log_arguments import LogArguments, split_log_arguments
from scorecard.overview import KpiView, view_kpi
from scorecard.reviews import DecisionLine
from scorecard.status import Step, steps_from
from scorecard.team_updates import news_channel
from scorecard.values import (
    PERCENT_UNITS,
    AmbiguousValue,
    NumberFormat,
    format_value,
    looks_like_value,
    number_format_named,
    parse_value,
    plain_number,
    unmistakable,
    usual_number_format,
)
from scorecard.vocabulary import OFF_TRACK
from scorecard.workspace import local_today, require_scorecard
from storage.models import Kpi, Objective, Reading, Scorecard
from storage.nudges import ANSWERED_READING, KPI_ITEM, mark_responded
from storage.readings import (
    add_reading,
    latest_by_author,
    newest_readings,
    reading_before,
    reading_for_day,
    recent_readings,
    same_reading,
)
from storage.scorecards import KpiLabel, kpi_labels_of, kpis_of

# How far back `/kpi undo` reaches: long enough to notice a typo, short enough to be safe.
UNDO_WINDOW = timedelta(days=1)
# A reading this many times bigger (or smaller) than the one before gets a "typo?" hint.
TYPO_RATIO = 10
# A reading that would replace another for the same day is asked about first when it is this
# far from it (as a share of the larger of the two): 12,000 over 12,400 is a correction, 30,000
# over 12,400 may be a slip or the wrong KPI.
REPLACE_ASKS_FROM = 0.5
# How many days of readings `/kpi show` draws as history.
HISTORY_LENGTH = 12
LIST_KPIS = "/kpi list"
NO_KPIS = "This scorecard has no KPIs yet: add them to its file, then import it."


@dataclass(frozen=True)
class ReadingLogged:
    scorecard: Scorecard
    kpi: KpiView  # the KPI as it stands now, after this reading
    reading: Reading
    previous: Reading | None  # the reading that was current just before this one
    replaced: Reading | None  # an earlier reading for the same day that this one corrects
    is_current: bool  # False when a back-dated reading leaves a newer one current
    typed: LogArguments | None = None  # which words were the KPI, value, date and note
    status_before: str | None = None  # the KPI's status today had this reading not been logged
    news_channel: str | None = None  # where the team hears of a change of status, if anywhere

    @property
    def changed_status(self) -> bool:
        """The reading moved the KPI to another status: news for the updates channel."""
        return self.status_before is not None and self.status_before != self.kpi.status

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.reading.value - self.previous.value

    @property
    def looks_like_a_typo(self) -> bool:
        """Ten times bigger or smaller than the reading before: most likely a slip of the thumb."""
        if self.previous is None or self.previous.value == 0 or self.reading.value == 0:
            return False
        ratio = abs(self.reading.value / self.previous.value)
        return ratio >= TYPO_RATIO or ratio <= 1 / TYPO_RATIO

    @property
    def needs_note(self) -> bool:
        """An off-track reading without a note: ask what happened while it is fresh."""
        return self.is_current and self.kpi.status == OFF_TRACK and not self.reading.note


@dataclass(frozen=True)
class KpiDetail:
    scorecard: Scorecard
    kpi: KpiView
    objective_title: str | None
    history: list[Reading]
    forecast: Forecast | NotEnoughData | None = None  # None: a binary KPI is not forecast
    today: date | None = None  # in the scorecard's time zone
    decision: DecisionLine | None = None  # the latest decision on it (a forecast's, a review's)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The KPI's stepped targets, if it has them, in date order."""
        return steps_from(self.kpi.kpi.targets)

    @property
    def change(self) -> float | None:
        if len(self.history) < 2:
            return None
        return self.history[-1].value - self.history[-2].value


@dataclass(frozen=True)
class NewReading:
    """A reading understood from what someone typed, checked and ready to store."""

    scorecard: Scorecard
    kpi: Kpi
    value: float
    day: date
    note: str
    typed: LogArguments | None = None  # the words as labelled, for the reply


def read_reading(
    session: Session, workspace: str, text: str, now: datetime, replacing: bool = False
) -> NewReading:
    """What `/kpi log <kpi> <value> [date] [note]` means. Nothing is written.

    Raises a Question when the KPI, the value or the day is not certain, and when the reading
    would replace a very different one for the same day (unless `replacing`: `/kpi replace`).
    Kept apart from storing, so the work of understanding the text is done before a write
    transaction begins: on SQLite, writers take turns, and each turn should be short.
    """
    scorecard = require_scorecard(session, workspace)
    labels = _kpi_labels(session, scorecard)
    return _understand(session, scorecard, labels, text, now, replacing)


def reading_if_any(session: Session, workspace: str, text: str, now: datetime) -> NewReading | None:
    """`/kpi <text>` without a verb: the reading `/kpi followers 12k` logs, or None when the text
    names a KPI to show (`/kpi followers`, or `/kpi top 10 posts` for the KPI "Top 10 posts")."""
    if not any(looks_like_value(word) for word in text.split()[1:]):
        return None
    scorecard = require_scorecard(session, workspace)
    labels = _kpi_labels(session, scorecard)
    typed = matching.normalize(text)
    if any(matching.normalize(name) == typed for label in labels for name in kpi_names(label)):
        return None
    return _understand(session, scorecard, labels, text, now)


def _understand(
    session: Session,
    scorecard: Scorecard,
    labels: list[KpiLabel],
    text: str,
    now: datetime,
    replacing: bool = False,
) -> NewReading:
    today = local_today(scorecard, now)
    units = {name.casefold(): label.unit for label in labels for name in kpi_names(label)}
    arguments = split_log_arguments(
        text,
        today,
        [name for label in labels for name in kpi_names(label)],
        unit_of=lambda name: units.get(name.casefold(), ""),
    )
    return _understand_arguments(session, scorecard, labels, arguments, today, replacing)


def _understand_arguments(
    session: Session,
    scorecard: Scorecard,
    labels: list[KpiLabel],
    arguments: LogArguments,
    today: date,
    replacing: bool,
) -> NewReading:
    label = _kpi_meant(arguments, labels)
    kpi = _load(session, label)
    day = arguments.day or today
    _refuse_future(day, today)
    latest = next(iter(newest_readings(session, kpi.id, 1)), None)
    try:
        value = read_value(scorecard, kpi, arguments.value_text, latest)
    except AmbiguousValue as unsure:
        choices = [
            Choice(
                unmistakable(reading, kpi.unit), "/kpi", _log_command(kpi, reading, day, arguments)
            )
            for reading in unsure.readings
        ]
        raise Question(unsure.message, choices) from None
    if not replacing:
        _ask_before_replacing(session, kpi, value, day, today, arguments)
    return NewReading(scorecard, kpi, value, day, arguments.note, arguments)


def read_reading_fields(
    session: Session,
    workspace: str,
    kpi_text: str,
    value_text: str,
    day: date | None,
    note: str,
    now: datetime,
) -> NewReading:
    """A reading given field by field, as a workflow step's inputs give it: the KPI by name or
    key (typos allowed), the value as typed (the one value parser), the day (None: today) and a
    note. Nothing is written.

    Raises a Question when the KPI or the value is not certain (as `/kpi log` asks), UserError
    for a value that can't be read or a day in the future. Like the Log-reading modal it replaces
    the day's reading without asking first: a workflow has nobody to answer.
    """
    scorecard = require_scorecard(session, workspace)
    labels = _kpi_labels(session, scorecard)
    arguments = LogArguments(kpi_text.strip(), value_text.strip(), day, note.strip())
    today = local_today(scorecard, now)
    reading = _understand_arguments(session, scorecard, labels, arguments, today, replacing=True)
    return replace(reading, typed=None)  # the fields were given apart: nothing to show as read


def read_value(scorecard: Scorecard, kpi: Kpi, text: str, latest: Reading | None) -> float:
    """`text` as a reading of `kpi`: the one value parser, with everything that settles how a
    number was meant (the scorecard's number format, the KPI's scale). Raises AmbiguousValue when
    nothing does."""
    scale = [kpi.baseline, kpi.target, *([latest.value] if latest is not None else [])]
    return parse_value(
        text,
        kpi.unit,
        number_format=number_format_of(scorecard),
        usual_format=usual_number_format(scorecard.timezone),
        scale=scale,
    )


def number_format_of(scorecard: Scorecard) -> NumberFormat | None:
    """The scorecard's own `number_format` setting, if it has one."""
    return number_format_named(scorecard.number_format) if scorecard.number_format else None


def _kpi_meant(arguments: LogArguments, labels: list[KpiLabel]) -> KpiLabel:
    """The KPI the words name, when that is certain; otherwise "Did you mean …?" with a choice
    per candidate, each the same command with the KPI's key."""
    found = matching.resolve(arguments.kpi_text, labels, kpi_names)
    if len(found) == 1:
        return found[0]
    candidates = found or [
        label for label in [matching.closest(arguments.kpi_text, labels, kpi_names)] if label
    ]
    if not candidates:  # nothing even close: find_one says so
        return find_one(arguments.kpi_text, labels, kpi_names, "KPI", LIST_KPIS)
    names = " or ".join(f"*{label.name}*" for label in candidates[:5])
    rest = " ".join(
        part for part in (arguments.value_text, _iso(arguments.day), arguments.note) if part
    )
    raise Question(
        f"I'm not sure which KPI “{arguments.kpi_text}” is. Did you mean {names}? "
        f"`{LIST_KPIS}` shows them all.",
        [Choice(label.name, "/kpi", f"log {label.key} {rest}") for label in candidates[:5]],
    )


def _ask_before_replacing(
    session: Session, kpi: Kpi, value: float, day: date, today: date, arguments: LogArguments
) -> None:
    """A reading for a day that already has a very different one: replace it, or keep it?"""
    replaced = reading_for_day(session, kpi.id, day)
    if replaced is None or replaced.value == value:
        return
    larger = max(abs(replaced.value), abs(value))
    if abs(value - replaced.value) <= REPLACE_ASKS_FROM * larger:
        return
    old, new = format_value(replaced.value, kpi.unit), format_value(value, kpi.unit)
    raise Question(
        f"*{kpi.name}* already has {old} for {describe_day(day, today)}. Replace it with {new}?",
        [
            Choice(
                f"Replace with {new}", "/kpi", _log_command(kpi, value, day, arguments, "replace")
            ),
            Choice(f"Keep {old}", "/kpi", f"show {kpi.key}"),
        ],
    )


def _log_command(
    kpi: Kpi, value: float, day: date, arguments: LogArguments, verb: str = "log"
) -> str:
    """The `/kpi` text that logs exactly this reading, whatever the scorecard's settings: the
    KPI's key, plain digits (with `%` for a KPI in %), the ISO date, then the note."""
    percent = "%" if kpi.unit.strip().casefold() in PERCENT_UNITS else ""
    parts = [verb, kpi.key, plain_number(value) + percent, day.isoformat(), arguments.note]
    return " ".join(part for part in parts if part)


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def record_reading(
    session: Session, reading: NewReading, user: str, now: datetime
) -> ReadingLogged:
    """Store a reading `read_reading` understood, and say where its KPI stands now.

    The scorecard and KPI were looked up (in the caller's workspace) moments before, so the
    write transaction holds only the insert and one query.
    """
    logged = _store(
        session, reading.scorecard, reading.kpi, reading.value, reading.day, reading.note, user, now
    )
    return replace(logged, typed=reading.typed)


def record_reading_once(
    session: Session, reading: NewReading, user: str, now: datetime
) -> ReadingLogged:
    """`record_reading` for a request Slack may deliver twice (an event it got no answer to in
    time is retried with its own time, `now`): a reading of the same KPI, day and value by the
    same person at that same moment is this request's, and is not stored again.

    It answers any nudge about the KPI, as the Log-reading modal does."""
    scorecard, kpi = reading.scorecard, reading.kpi
    stored = same_reading(session, kpi.id, reading.day, reading.value, user, now)
    if stored is not None:
        return _as_logged(session, scorecard, kpi, stored, now)
    logged = record_reading(session, reading, user, now)
    mark_responded(session, scorecard.id, KPI_ITEM, kpi.id, ANSWERED_READING, now)
    return logged


class InvalidReading(UserError):
    """A reading refused because of one field of a form: `field` is "kpi", "value" or "day"."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def log_reading_for(
    session: Session,
    workspace: str,
    kpi_id: int,
    value_text: str,
    day: date | None,
    note: str,
    user: str,
    now: datetime,
) -> ReadingLogged:
    """The "Log reading" modal: like `/kpi log`, with the KPI, value, date and note apart.

    It answers any nudge about the KPI, so it is not raised in the digest."""
    scorecard = require_scorecard(session, workspace)
    try:
        kpi = find_kpi_by_id(session, workspace, kpi_id)
    except UserError as error:
        raise InvalidReading(error.message, "kpi") from error
    today = local_today(scorecard, now)
    latest = next(iter(newest_readings(session, kpi.id, 1)), None)
    try:
        value = read_value(scorecard, kpi, value_text, latest)
    except AmbiguousValue as unsure:
        options = " or ".join(plain_number(reading) for reading in unsure.readings)
        raise InvalidReading(f"{unsure.message} Type {options}.", "value") from unsure
    except UserError as error:
        raise InvalidReading(error.message, "value") from error
    day = day or today
    try:
        _refuse_future(day, today)
    except UserError as error:
        raise InvalidReading(error.message, "day") from error
    logged = _store(session, scorecard, kpi, value, day, note, user, now)
    mark_responded(session, scorecard.id, KPI_ITEM, kpi_id, ANSWERED_READING, now)
    return logged


def find_kpi_by_id(session: Session, workspace: str, kpi_id: int) -> Kpi:
    return _kpi_on(session, require_scorecard(session, workspace), kpi_id)


def _kpi_on(session: Session, scorecard: Scorecard, kpi_id: int) -> Kpi:
    kpi = session.get(Kpi, kpi_id)
    if kpi is None or kpi.scorecard_id != scorecard.id or kpi.archived:
        raise UserError("That KPI is no longer on the scorecard.")
    return kpi


def kpis_for(session: Session, workspace: str, user: str) -> list[Kpi]:
    """KPIs for a picker: the person's own first, then everyone else's."""
    scorecard = require_scorecard(session, workspace)
    kpis = list(kpis_of(session, scorecard.id))
    if not kpis:
        raise UserError(NO_KPIS)
    return sorted(kpis, key=lambda kpi: kpi.owner != user)


def _refuse_future(day: date, today: date) -> None:
    if day > today:
        raise UserError(
            f"{describe_day(day, today)} is in the future, and readings are for what already "
            "happened. Leave the date out for today, or give an earlier one."
        )


def _store(
    session: Session,
    scorecard: Scorecard,
    kpi: Kpi,
    value: float,
    day: date,
    note: str,
    user: str,
    now: datetime,
) -> ReadingLogged:
    reading = add_reading(
        session,
        Reading(
            scorecard_id=scorecard.id,
            kpi_id=kpi.id,
            period=day,
            value=value,
            logged_by=user,
            logged_at=now,
            note=note.strip() or None,
        ),
    )
    return _as_logged(session, scorecard, kpi, reading, now)


def _as_logged(
    session: Session, scorecard: Scorecard, kpi: Kpi, reading: Reading, now: datetime
) -> ReadingLogged:
    """A stored reading, with where its KPI stands now."""
    today, day = local_today(scorecard, now), reading.period
    newest = newest_readings(session, kpi.id, 2)
    if newest[0].id == reading.id:  # the usual case: this reading is now the current one
        current, previous = reading, (newest[1] if len(newest) > 1 else None)
    else:  # back-dated: a newer reading stays current
        current, previous = newest[0], reading_before(session, kpi.id, reading)
    replaced = previous if previous is not None and previous.period == day else None
    view = view_kpi(kpi, current, today, scorecard.at_risk_tolerance)
    tolerance = scorecard.at_risk_tolerance
    before = view_kpi(kpi, previous, today, tolerance) if current == reading else view
    objective = session.get(Objective, kpi.objective_id) if kpi.objective_id else None
    return ReadingLogged(
        scorecard,
        view,
        reading,
        previous,
        replaced,
        current == reading,
        status_before=before.status,
        news_channel=news_channel(scorecard, objective),
    )


def add_note(
    session: Session, workspace: str, text: str, user: str, now: datetime
) -> tuple[Kpi, Reading]:
    """`/kpi note <kpi> <text>`: explain the latest reading of a KPI the words surely name
    (see `leading_item`); otherwise a Question, and nothing is written."""
    scorecard = require_scorecard(session, workspace)
    labels = _kpi_labels(session, scorecard)
    label, note = leading_item(text, labels, kpi_names, "KPI", "/kpi", "note", LIST_KPIS)
    kpi = _load(session, label)
    if not note.strip():
        raise UserError(f"What should the note say? Try `/kpi note {kpi.key} campaign paused`.")
    reading = next(iter(newest_readings(session, kpi.id, 1)), None)
    if reading is None:
        raise UserError(f"*{kpi.name}* has no readings yet to add a note to.")
    reading.note = f"{reading.note}\n{note.strip()}" if reading.note else note.strip()
    session.add(reading)
    return kpi, reading


def undo_last_reading(
    session: Session, workspace: str, user: str, now: datetime
) -> tuple[Kpi, Reading]:
    """Remove the caller's own most recent reading, if they logged it within a day."""
    scorecard = require_scorecard(session, workspace)
    reading = latest_by_author(session, scorecard.id, user, now - UNDO_WINDOW)
    if reading is None:
        raise UserError(
            "You have no readings from the last 24 hours to undo. "
            "Older readings stay, so the history remains honest."
        )
    kpi = session.get(Kpi, reading.kpi_id)
    assert kpi is not None
    session.delete(reading)
    return kpi, reading


def kpi_detail(session: Session, workspace: str, text: str, now: datetime) -> KpiDetail:
    scorecard = require_scorecard(session, workspace)
    kpi = _load(
        session, find_one(text, _kpi_labels(session, scorecard), kpi_names, "KPI", LIST_KPIS)
    )
    history = recent_readings(session, kpi.id, HISTORY_LENGTH)
    current = history[-1] if history else None
    today = local_today(scorecard, now)
    view = view_kpi(kpi, current, today, scorecard.at_risk_tolerance)
    objective = session.get(Objective, kpi.objective_id) if kpi.objective_id else None
    points = [(reading.period, reading.value) for reading in history]
    forecast = forecast_kpi(view.goal, points, today)
    title = objective.title if objective else None
    decision = decision_on_kpi(session, scorecard, kpi.id)
    return KpiDetail(scorecard, view, title, history, forecast, today, decision)


def _kpi_labels(session: Session, scorecard: Scorecard) -> list[KpiLabel]:
    """The KPIs to look a name up among: labels only, since a scorecard may have thousands."""
    labels = kpi_labels_of(session, scorecard.id)
    if not labels:
        raise UserError(NO_KPIS)
    return labels


def _load(session: Session, label: KpiLabel) -> Kpi:
    kpi = session.get(Kpi, label.id)
    assert kpi is not None
    return kpi
