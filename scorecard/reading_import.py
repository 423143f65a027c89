"""`scorecard import readings.csv`: a KPI history from a spreadsheet, checked in full, then stored.

The file is what `scorecard export readings --format csv` writes: a header row, then one reading a
line with `kpi`, `period` and `value`, and optionally `logged_by`, `logged_at` and `note`. Like the
scorecard file, it is all or nothing: every problem is listed at once with its line and column,
and nothing is written while there is one.

Importing twice adds nothing the second time. A row is skipped as "already there" when its KPI
already has a reading for the same period with the same value, logged at the same moment (to the
second, as exports write it). A row without `logged_at` would be logged "now" on every run, so it
matches a reading of the same KPI, period and value whenever it was logged. Rows repeated within
the file count the same way.

A file of a million rows streams through: readings are staged compactly (scorecard.
staged_readings), the first LISTED_PROBLEMS problems are listed and the rest counted, and the
database's writer is only held for the final INSERTs. A note exported with a leading quote to keep
a spreadsheet from running it as a formula (scorecard.spreadsheet_cells) reads back without it.
"""

import csv
import io
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.errors import UserError
from scorecard.exporting import READING_COLUMNS
from scorecard.file_fields import Invalid, read_date, read_number, read_user_id, suggest
from scorecard.spreadsheet_cells import restore_cell
from scorecard.staged_readings import Fingerprint, StagedReadings, stored_fingerprints
from scorecard.workspace import choose_scorecard, local_today
from storage.db import Database
from storage.models import Kpi
from storage.readings import (
    ReadyReadings,
    insert_readings,
    kpis_taking_readings,
    newest_reading_id,
    readings_between,
)
from storage.types import utc_now

REQUIRED_COLUMNS = ("kpi", "period", "value")
# Who logged a reading whose row leaves `logged_by` empty; exported, it reads back as itself.
IMPORTED_BY = "import"
# A wrong file can have a problem on every line: this many are listed, the rest only counted.
LISTED_PROBLEMS = 100
HEADER_EXAMPLE = ",".join(READING_COLUMNS)
# How often, in rows, a long import reports how far it got.
PROGRESS_EVERY = 5_000

# Told how far the import got: rows read so far, problems found so far.
Progress = Callable[[int, int], None]


class ReadingFileError(UserError):
    """The readings file can't be imported; `problems` lists the first LISTED_PROBLEMS reasons,
    each saying where, and `unlisted` counts the rest."""

    def __init__(self, problems: list[str], unlisted: int = 0) -> None:
        total = len(problems) + unlisted
        count = "a problem" if total == 1 else f"{total:,} problems"
        lines = [f"- {problem}" for problem in problems]
        if unlisted:
            lines.append(f"- … and {unlisted:,} more")
        listed = "\n".join(lines)
        super().__init__(f"The readings file has {count}, so nothing was imported:\n{listed}")
        self.problems = problems
        self.unlisted = unlisted


@dataclass(frozen=True)
class ReadingImportSummary:
    workspace: str
    name: str
    added: int
    already_there: int
    kpis: int  # how many KPIs the file has readings for
    first: date | None  # the earliest and latest period in the file
    last: date | None


def import_readings(
    database: Database,
    text: str | Iterable[str],
    workspace: str | None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ReadingImportSummary:
    """Add the file's readings to the workspace's scorecard (the only one, without a workspace).

    `text` is the whole file, or its lines (line breaks kept, as `text_lines` gives them) so a
    long file is read as it streams. A file with any problem raises ReadingFileError before
    anything is written. Everything is checked, and what is already stored left out, before the
    write turn; the turn itself only adds what is new (and re-checks readings logged meanwhile),
    so other writers such as `/kpi log` wait for it briefly.
    """
    now = now or utc_now()
    with database.reading() as session:
        scorecard = choose_scorecard(session, workspace)
        assert scorecard.id is not None
        kpis = kpis_taking_readings(session, scorecard.id)
        newest_before = newest_reading_id(session)
    rows = ReadingRows(kpis, ZoneInfo(scorecard.timezone), local_today(scorecard, now), now)
    staged = rows.read(io.StringIO(text, newline="") if isinstance(text, str) else text, progress)
    with database.reading() as session:
        fresh = _leave_out_stored(session, staged)
    new_rows = _rows_to_insert(scorecard.id, staged, fresh, now)
    # Prepared first, then the write turn: nothing but the INSERT holds the writer.
    ready = ReadyReadings(database.engine.dialect.name, new_rows)
    with ready, database.writing() as session:
        meanwhile = _logged_meanwhile(session, staged, newest_before)
        if meanwhile:  # rare: check each reading again, in the turn
            skip = _repeats(staged, meanwhile)
            added = insert_readings(
                session, _rows_to_insert(scorecard.id, staged, fresh, now, skip)
            )
        else:
            added = ready.insert(session)
    periods = staged.periods
    return ReadingImportSummary(
        workspace=scorecard.workspace,
        name=scorecard.name,
        added=added,
        already_there=len(staged) - added,
        kpis=len(set(staged.kpi_ids)),
        first=date.fromordinal(min(periods)) if periods else None,
        last=date.fromordinal(max(periods)) if periods else None,
    )


def describe(summary: ReadingImportSummary) -> str:
    """One sentence for the person who ran the import."""
    scorecard = f"“{summary.name}” ({summary.workspace})"
    if summary.first is None or summary.last is None:
        return f"The file has no readings, so nothing was added to {scorecard}."
    total = summary.added + summary.already_there
    if summary.added == 0:
        return f"All {_readings(total)} in the file were already in {scorecard}: nothing added."
    kpis = "1 KPI" if summary.kpis == 1 else f"{summary.kpis} KPIs"
    span = (
        f"for {summary.first}"
        if summary.first == summary.last
        else f"from {summary.first} to {summary.last}"
    )
    skipped = f"; {summary.already_there:,} were already there" if summary.already_there else ""
    return f"Imported {_readings(summary.added)} of {kpis} into {scorecard}, {span}{skipped}."


def _readings(count: int) -> str:
    return "1 reading" if count == 1 else f"{count:,} readings"


# --- Reading the file ------------------------------------------------------------------------


class KpiFinder:
    """The KPI a row's `kpi` names: its key, or its key or name in any case."""

    def __init__(self, kpis: Iterable[Kpi]) -> None:
        self.by_key: dict[str, Kpi] = {}
        self.by_folded: dict[str, list[Kpi]] = defaultdict(list)
        names: dict[str, list[Kpi]] = defaultdict(list)
        for kpi in kpis:
            self.by_key[kpi.key] = kpi
            self.by_folded[kpi.key.casefold()].append(kpi)
            if not kpi.archived:  # archived KPIs are only found by key, as exports name them
                names[kpi.name.strip().casefold()].append(kpi)
        for name, named in names.items():
            self.by_folded.setdefault(name, named)
        self.found: dict[str, Kpi | Invalid] = {}  # a file names the same few KPIs many times

    def find(self, text: str) -> Kpi:
        if text not in self.found:
            self.found[text] = self._look_up(text)
        found = self.found[text]
        if isinstance(found, Invalid):
            raise found
        return found

    def _look_up(self, text: str) -> Kpi | Invalid:
        if text in self.by_key:
            return self.by_key[text]
        matches = self.by_folded.get(text.casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            keys = ", ".join(kpi.key for kpi in matches)
            return Invalid(f"“{text}” could be any of {keys}: use the KPI's key")
        hint = suggest(text, self.by_key) or " (use the KPI's key, as `scorecard export` shows it)"
        return Invalid(f"there is no KPI “{text}”{hint}")


class ReadingRows:
    """Reads a readings file row by row, collecting every problem with its line and column."""

    def __init__(self, kpis: Sequence[Kpi], zone: ZoneInfo, today: date, now: datetime) -> None:
        self.kpis = KpiFinder(kpis)
        self.zone = zone
        self.today = today
        self.now = now
        self.problems: list[str] = []  # the first LISTED_PROBLEMS
        self.problem_count = 0

    def read(self, lines: Iterable[str], progress: Progress | None = None) -> StagedReadings:
        """Every reading in the file, or a ReadingFileError listing its problems. Once there is
        a problem no reading is kept: the rest of the file is only read for its problems."""
        rows = _rows(lines, self._report)
        first = next(rows, None)
        if first is None:
            if not self.problem_count:
                self._report(0, f"the file is empty: it should start with {HEADER_EXAMPLE}")
            raise self._error()
        header_line, header = first
        columns = self._read_header(header_line, header)
        staged = StagedReadings()
        if columns is not None:
            for count, (line, cells) in enumerate(rows, start=1):
                problems_before = self.problem_count
                self._read_row(line, columns, cells, staged)
                if self.problem_count > problems_before and len(staged):
                    staged.clear()
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(count, self.problem_count)
        if self.problem_count:
            raise self._error()
        return staged

    def _error(self) -> ReadingFileError:
        return ReadingFileError(self.problems, self.problem_count - len(self.problems))

    def _report(self, line: int, message: str, column: str | None = None) -> None:
        self.problem_count += 1
        if len(self.problems) < LISTED_PROBLEMS:
            where = f"line {line}, `{column}`" if column else f"line {line}"
            self.problems.append(f"{where}: {message}" if line else message)

    def _read_header(self, line: int, header: list[str]) -> list[str] | None:
        """The column names, or None when rows can't be read without the missing ones."""
        columns = [name.strip().lower() for name in header]
        for name in dict.fromkeys(columns):
            if name not in READING_COLUMNS:
                hint = suggest(name, READING_COLUMNS) or f" (columns: {', '.join(READING_COLUMNS)})"
                shown = f"“{name}”" if name else "without a name"
                self._report(line, f"unknown column {shown}{hint}")
            elif columns.count(name) > 1:
                self._report(line, f"the column `{name}` appears {columns.count(name)} times")
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            names = ", ".join(f"`{name}`" for name in missing)
            self._report(
                line,
                f"the header row has no {names} column{'s' if len(missing) > 1 else ''}: "
                f"the first line names the columns, like {HEADER_EXAMPLE}",
            )
            return None
        return columns

    def _read_row(
        self, line: int, columns: list[str], cells: list[str], staged: StagedReadings
    ) -> None:
        """Check one row and, while the file has no problem, stage its reading."""
        if len(cells) > len(columns):
            self._report(
                line,
                f"{len(cells)} values, but the header names {len(columns)} columns "
                "(put a value that contains a comma in double quotes)",
            )
            return
        # Later duplicate columns were reported with the header; the first of each is read.
        row: dict[str, str] = {}
        for name, cell in zip(columns, cells, strict=False):
            if "\0" in cell:
                self._report(line, NUL_PROBLEM, name)
                return
            row.setdefault(name, cell.strip())
        kpi = self._cell(line, row, "kpi", self.kpis.find)
        unit = kpi.unit if isinstance(kpi, Kpi) else ""
        value = self._cell(line, row, "value", lambda text: read_number(text, {"unit": unit}))
        period = self._cell(line, row, "period", self._read_period)
        logged_by = self._cell(line, row, "logged_by", _read_logged_by)
        logged_at = self._cell(line, row, "logged_at", self._read_moment)
        if self.problem_count:  # this row's, or an earlier one's: nothing will be written
            return
        assert isinstance(kpi, Kpi) and kpi.id is not None
        assert isinstance(value, float) and isinstance(period, date)
        assert logged_at is None or isinstance(logged_at, datetime)
        staged.add(
            kpi_id=kpi.id,
            period=period,
            value=value,
            logged_by=logged_by if isinstance(logged_by, str) else IMPORTED_BY,
            logged_at=logged_at,
            note=restore_cell(row["note"]) if row.get("note") else None,
        )

    def _cell(
        self, line: int, row: dict[str, str], column: str, read: Callable[[str], object]
    ) -> object:
        """The column's value read by `read`; None, after reporting why, if it can't be used,
        and None for an empty optional column."""
        text = row.get(column, "")
        if not text:
            if column in REQUIRED_COLUMNS:
                self._report(line, "is empty", column)
            return None
        try:
            return read(text)
        except Invalid as problem:
            self._report(line, str(problem), column)
            return None

    def _read_period(self, text: str) -> date:
        period = read_date(text, {})
        if period > self.today:
            raise Invalid(
                f"{period} is in the future (it is {self.today} where the team is); "
                "readings are for what already happened"
            )
        return period

    def _read_moment(self, text: str) -> datetime:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(
                f"“{text}” is not a date and time (write it like 2026-11-20T09:30:00+00:00)"
            ) from None
        if moment.tzinfo is None:  # the team's own clock
            moment = moment.replace(tzinfo=self.zone)
        try:
            if moment > self.now:
                raise Invalid(f"{text} is in the future")
            return moment.astimezone(UTC)
        except OverflowError:  # year 1 east of Greenwich is still year 0 in UTC
            raise Invalid(f"{text} is before the first year a date can have") from None


NUL_PROBLEM = "holds a NUL character (\\0), which can't be stored: remove it"


def _read_logged_by(text: str) -> str:
    return text if text == IMPORTED_BY else read_user_id(text)


def _rows(
    lines: Iterable[str], report: Callable[[int, str], None]
) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, its cells) for every row that isn't blank. A row can span lines
    when a quoted note holds line breaks. CSV that can't be read is a problem, and the end."""
    reader = csv.reader(_without_byte_order_mark(lines))
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report(reader.line_num, f"this is not valid CSV ({error})")
            return
        line, previous_end = previous_end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield line, cells


def _without_byte_order_mark(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    yield first.removeprefix("\ufeff")
    yield from iterator


# --- Leaving out what is already stored, then writing -------------------------------------------


def _leave_out_stored(session: Session, staged: StagedReadings) -> "array[int]":
    """The positions of the staged readings that are new, rather than already stored or repeated
    earlier in the file, ordered by KPI then period (file order kept within a period), which is
    the order SQLite adds them to its indexes fastest. Stored readings are looked up a window of
    the file at a time."""
    fresh = array("l")
    for window in staged.windows():
        known = _stored(session, staged, window)
        window.sort(key=lambda position: (staged.kpi_ids[position], staged.periods[position]))
        for position in window:
            exact = staged.fingerprint(position)
            if exact in known:
                continue
            fresh.append(position)
            known.add(exact)
            known.add((*exact[:3], None))
    return fresh


def _stored(session: Session, staged: StagedReadings, window: list[int]) -> set[Fingerprint]:
    """Fingerprints of the stored readings for the window's KPIs and periods, both with and
    without the moment they were logged (rows without `logged_at` match on the rest)."""
    kpi_ids = {staged.kpi_ids[position] for position in window}
    periods = [staged.periods[position] for position in window]
    first, last = date.fromordinal(min(periods)), date.fromordinal(max(periods))
    known: set[Fingerprint] = set()
    for stored in readings_between(session, kpi_ids, first, last):
        known.update(stored_fingerprints(*stored))
    return known


def _logged_meanwhile(
    session: Session, staged: StagedReadings, newest_before: int
) -> set[Fingerprint]:
    """Fingerprints of readings of the file's KPIs and periods stored since it was checked
    (another import of the same file, say), so they are not stored twice."""
    known: set[Fingerprint] = set()
    if len(staged):
        periods = staged.periods
        first, last = date.fromordinal(min(periods)), date.fromordinal(max(periods))
        kpi_ids = set(staged.kpi_ids)
        for stored in readings_between(session, kpi_ids, first, last, since_id=newest_before):
            known.update(stored_fingerprints(*stored))
    return known


def _repeats(staged: StagedReadings, known: set[Fingerprint]) -> Callable[[int], bool]:
    """Whether the staged reading at a position repeats one of `known` (which it then joins)."""

    def repeats(position: int) -> bool:
        exact = staged.fingerprint(position)
        if exact in known:
            return True
        known.update((exact, (*exact[:3], None)))
        return False

    return repeats


def _rows_to_insert(
    scorecard_id: int,
    staged: StagedReadings,
    fresh: "array[int]",
    now: datetime,
    skip: Callable[[int], bool] | None = None,
) -> Iterator[tuple[object, ...]]:
    """The fresh readings as `insert_readings` takes them, a reading without `logged_at` logged
    `now`; those `skip` picks are left out."""
    for position in fresh:
        if skip is not None and skip(position):
            continue
        reading = staged.reading(position)
        yield (
            scorecard_id,
            reading.kpi_id,
            reading.period,
            reading.value,
            reading.logged_by,
            reading.logged_at or now,
            reading.note,
        )
