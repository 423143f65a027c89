"""What a caller can ask about KPIs, each in its own short sessions.

These are the entry points handlers call: each opens the sessions it needs, so no listener holds
a transaction. On SQLite writers take turns, so the work of understanding what was typed is done
in a reading session first and the write turn holds only the write.
"""

from dataclasses import dataclass, replace
from datetime import date

from scorecard.caller import Caller
from scorecard.digest_filter import narrow_perspectives, resolve_filter
from scorecard.finding import find_one
from scorecard.kpi_log import (
    KpiDetail,
    NewReading,
    ReadingLogged,
    add_note,
    find_kpi_by_id,
    kpi_detail,
    kpis_for,
    log_reading_for,
    read_reading,
    read_reading_fields,
    reading_if_any,
    record_reading,
    record_reading_once,
    undo_last_reading,
)
from scorecard.overview import Overview, PerspectiveView, load_overview
from scorecard.vocabulary import OBJECTIVE, PERSPECTIVE, THEME
from scorecard.workspace import local_today, require_scorecard
from storage.models import Kpi, Reading


@dataclass(frozen=True)
class ReadingForm:
    """What the Log-reading modal shows: one KPI chosen already, or the KPIs to pick from."""

    kpi: Kpi | None
    choices: list[Kpi]
    today: date  # in the scorecard's time zone: the date picker's default


def log_typed_reading(caller: Caller, text: str, replacing: bool = False) -> ReadingLogged:
    """`/kpi log <kpi> <value> [date] [note]`; `/kpi replace …` with `replacing`."""
    with caller.database.reading() as session:
        reading = read_reading(session, caller.workspace, text, caller.now, replacing)
    return _store(caller, reading)


def log_or_show(caller: Caller, text: str) -> ReadingLogged | KpiDetail:
    """`/kpi <text>` without a verb: `/kpi followers 12k` logs, `/kpi followers` shows."""
    with caller.database.reading() as session:
        reading = reading_if_any(session, caller.workspace, text, caller.now)
    return kpi_detail_for(caller, text) if reading is None else _store(caller, reading)


def kpi_detail_for(caller: Caller, text: str) -> KpiDetail:
    """`/kpi show <kpi>`."""
    with caller.database.reading() as session:
        return kpi_detail(session, caller.workspace, text, caller.now)


def scorecard_at_a_glance(caller: Caller, perspective: str = "") -> Overview:
    """`/kpi list [perspective]`: the whole scorecard, or only the perspective named;
    `/kpi list theme trust` and `/kpi list objective loyalty`: only what serves that."""
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        overview = load_overview(session, scorecard, local_today(scorecard, caller.now))
        kind, _, rest = perspective.strip().partition(" ")
        if kind.lower() in (THEME, OBJECTIVE) and rest.strip():
            only = resolve_filter(session, scorecard, perspective.strip(), "list")
            return replace(overview, perspectives=narrow_perspectives(overview.perspectives, only))
        if kind.lower() == PERSPECTIVE and rest.strip():
            perspective = rest
    if not perspective.strip():
        return overview
    views = overview.perspectives
    chosen = find_one(perspective, views, _perspective_names, "perspective", "/kpi list")
    return replace(overview, perspectives=[chosen])


def _perspective_names(view: PerspectiveView) -> tuple[str, str]:
    return (view.perspective.key, view.perspective.name)


def note_latest_reading(caller: Caller, text: str) -> tuple[Kpi, Reading]:
    """`/kpi note <kpi> <text>`: only on a KPI the words surely name, else a Question."""
    with caller.database.writing() as session:
        return add_note(session, caller.workspace, text, caller.user, caller.now)


def undo_my_reading(caller: Caller) -> tuple[Kpi, Reading]:
    """`/kpi undo`."""
    with caller.database.writing() as session:
        return undo_last_reading(session, caller.workspace, caller.user, caller.now)


def reading_form(caller: Caller, kpi_id: int | None) -> ReadingForm:
    """The Log-reading modal for one KPI, or (no id) with the caller's KPIs first to pick from."""
    with caller.database.reading() as session:
        today = local_today(require_scorecard(session, caller.workspace), caller.now)
        if kpi_id is None:
            return ReadingForm(None, kpis_for(session, caller.workspace, caller.user), today)
        return ReadingForm(find_kpi_by_id(session, caller.workspace, kpi_id), [], today)


def log_reading_from_form(
    caller: Caller, kpi_id: int, value_text: str, day: date | None, note: str
) -> ReadingLogged:
    """The Log-reading modal submitted. Raises InvalidReading naming the field that is wrong."""
    with caller.database.writing() as session:
        return log_reading_for(
            session, caller.workspace, kpi_id, value_text, day, note, caller.user, caller.now
        )


def log_reading_fields(
    caller: Caller, kpi_text: str, value_text: str, day: date | None, note: str
) -> ReadingLogged:
    """A workflow step's "Log a KPI reading": the KPI by name or key, the value as typed, the day
    (None: today) and a note. Raises Question when unsure, UserError when it can't be logged.

    Safe to repeat: the caller's `now` is when the request was made (a retried event keeps it),
    and the same reading by the same person at that moment is stored once."""
    with caller.database.reading() as session:
        reading = read_reading_fields(
            session, caller.workspace, kpi_text, value_text, day, note, caller.now
        )
    with caller.database.writing() as session:
        return record_reading_once(session, reading, caller.user, caller.now)


def _store(caller: Caller, reading: NewReading) -> ReadingLogged:
    with caller.database.writing() as session:
        return record_reading(session, reading, caller.user, caller.now)
