"""Logging KPI readings, annotating them and taking them back."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from scorecard import matching
from scorecard.dates import describe_day
from scorecard.errors import UserError
from scorecard.finding import find_one, kpi_names
from scorecard.leading_item import leading_item
from scorecard.log_arguments import split_log_arguments
from scorecard.overview import KpiView, view_kpi
from scorecard.values import looks_like_value, parse_value
from scorecard.vocabulary import OFF_TRACK
from scorecard.workspace import local_today, require_scorecard
from storage.models import Kpi, Objective, Reading, Scorecard
from storage.nudges import ANSWERED_READING, KPI_ITEM, mark_responded
from storage.readings import (
    add_reading,
    latest_by_author,
    newest_readings,
    reading_before,
    recent_readings,
)
from storage.scorecards import KpiLabel, kpi_labels_of, kpis_of

# How far back `/kpi undo` reaches: long enough to notice a typo, short enough to be safe.
UNDO_WINDOW = timedelta(days=1)
# A reading this many times bigger (or smaller) than the one before gets a "typo?" hint.
TYPO_RATIO = 10
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


def read_reading(session: Session, workspace: str, text: str, now: datetime) -> NewReading:
    """What `/kpi log <kpi> <value> [date] [note]` means. Nothing is written.

    Kept apart from storing, so the work of understanding the text is done before a write
    transaction begins: on SQLite, writers take turns, and each turn should be short.
    """
    scorecard = require_scorecard(session, workspace)
    return _understand(session, scorecard, _kpi_labels(session, scorecard), text, now)


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
    session: Session, scorecard: Scorecard, labels: list[KpiLabel], text: str, now: datetime
) -> NewReading:
    today = local_today(scorecard, now)
    units = {name.casefold(): label.unit for label in labels for name in kpi_names(label)}
    arguments = split_log_arguments(
        text,
        today,
        [name for label in labels for name in kpi_names(label)],
        unit_of=lambda name: units.get(name.casefold(), ""),
    )
    label = find_one(arguments.kpi_text, labels, kpi_names, "KPI", LIST_KPIS)
    value = parse_value(arguments.value_text, label.unit)
    day = arguments.day or today
    _refuse_future(day, today)
    return NewReading(scorecard, _load(session, label), value, day, arguments.note)


def record_reading(
    session: Session, reading: NewReading, user: str, now: datetime
) -> ReadingLogged:
    """Store a reading `read_reading` understood, and say where its KPI stands now.

    The scorecard and KPI were looked up (in the caller's workspace) moments before, so the
    write transaction holds only the insert and one query.
    """
    return _store(
        session, reading.scorecard, reading.kpi, reading.value, reading.day, reading.note, user, now
    )


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
    try:
        value = parse_value(value_text, kpi.unit)
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
    today = local_today(scorecard, now)
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
    newest = newest_readings(session, kpi.id, 2)
    if newest[0].id == reading.id:  # the usual case: this reading is now the current one
        current, previous = reading, (newest[1] if len(newest) > 1 else None)
    else:  # back-dated: a newer reading stays current
        current, previous = newest[0], reading_before(session, kpi.id, reading)
    replaced = previous if previous is not None and previous.period == day else None
    view = view_kpi(kpi, current, today, scorecard.at_risk_tolerance)
    return ReadingLogged(scorecard, view, reading, previous, replaced, current == reading)


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
    view = view_kpi(kpi, current, local_today(scorecard, now), scorecard.at_risk_tolerance)
    objective = session.get(Objective, kpi.objective_id) if kpi.objective_id else None
    return KpiDetail(scorecard, view, objective.title if objective else None, history)


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
