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
"""

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.errors import UserError
from scorecard.exporting import READING_COLUMNS
from scorecard.file_fields import Invalid, read_date, read_number, read_user_id, suggest
from scorecard.workspace import choose_scorecard, local_today
from storage.db import Database
from storage.models import Kpi
from storage.readings import insert_readings, kpis_taking_readings, readings_between
from storage.types import utc_now

REQUIRED_COLUMNS = ("kpi", "period", "value")
# Who logged a reading whose row leaves `logged_by` empty; exported, it reads back as itself.
IMPORTED_BY = "import"
# A wrong file can have a problem on every line: the message lists this many, `problems` all.
LISTED_PROBLEMS = 200
HEADER_EXAMPLE = ",".join(READING_COLUMNS)


class ReadingFileError(UserError):
    """The readings file can't be imported; `problems` lists every reason, each saying where."""

    def __init__(self, problems: list[str]) -> None:
        count = "a problem" if len(problems) == 1 else f"{len(problems):,} problems"
        lines = [f"- {problem}" for problem in problems[:LISTED_PROBLEMS]]
        if len(problems) > LISTED_PROBLEMS:
            lines.append(f"- … and {len(problems) - LISTED_PROBLEMS:,} more")
        listed = "\n".join(lines)
        super().__init__(f"The readings file has {count}, so nothing was imported:\n{listed}")
        self.problems = problems


@dataclass(frozen=True)
class ReadingImportSummary:
    workspace: str
    name: str
    added: int
    already_there: int
    kpis: int  # how many KPIs the file has readings for
    first: date | None  # the earliest and latest period in the file
    last: date | None


@dataclass(frozen=True)
class FileReading:
    """One row of the file, read and checked."""

    kpi_id: int
    period: date
    value: float
    logged_by: str
    logged_at: datetime | None  # None: the file doesn't say
    note: str | None


def import_readings(
    database: Database, text: str, workspace: str | None, now: datetime | None = None
) -> ReadingImportSummary:
    """Add the file's readings to the workspace's scorecard (the only one, without a workspace).
    A file with any problem raises ReadingFileError before anything is written."""
    now = now or utc_now()
    with database.reading() as session:
        scorecard = choose_scorecard(session, workspace)
        assert scorecard.id is not None
        kpis = kpis_taking_readings(session, scorecard.id)
    rows = ReadingRows(kpis, ZoneInfo(scorecard.timezone), local_today(scorecard, now), now)
    readings = rows.read(text)
    with database.writing() as session:
        fresh = list(_not_yet_stored(readings, _stored(session, readings)))
        insert_readings(
            session,
            [
                {
                    "scorecard_id": scorecard.id,
                    "kpi_id": reading.kpi_id,
                    "period": reading.period,
                    "value": reading.value,
                    "logged_by": reading.logged_by,
                    "logged_at": reading.logged_at or now,
                    "note": reading.note,
                }
                for reading in fresh
            ],
        )
    periods = [reading.period for reading in readings]
    return ReadingImportSummary(
        workspace=scorecard.workspace,
        name=scorecard.name,
        added=len(fresh),
        already_there=len(readings) - len(fresh),
        kpis=len({reading.kpi_id for reading in readings}),
        first=min(periods, default=None),
        last=max(periods, default=None),
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
        self.problems: list[str] = []

    def read(self, text: str) -> list[FileReading]:
        """Every reading in the file, or a ReadingFileError listing every problem in it."""
        lines = _rows(text.removeprefix("\ufeff"), self.problems)
        first = next(lines, None)
        if first is None:
            if not self.problems:
                self.problems.append(f"the file is empty: it should start with {HEADER_EXAMPLE}")
            raise ReadingFileError(self.problems)
        header_line, header = first
        columns = self._read_header(header_line, header)
        readings = []
        if columns is not None:
            for line, cells in lines:
                reading = self._read_row(line, columns, cells)
                if reading is not None:
                    readings.append(reading)
        if self.problems:
            raise ReadingFileError(self.problems)
        return readings

    def _report(self, line: int, message: str, column: str | None = None) -> None:
        where = f"line {line}, `{column}`" if column else f"line {line}"
        self.problems.append(f"{where}: {message}")

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

    def _read_row(self, line: int, columns: list[str], cells: list[str]) -> FileReading | None:
        if len(cells) > len(columns):
            self._report(
                line,
                f"{len(cells)} values, but the header names {len(columns)} columns "
                "(put a value that contains a comma in double quotes)",
            )
            return None
        # Later duplicate columns were reported with the header; the first of each is read.
        row: dict[str, str] = {}
        for name, cell in zip(columns, cells, strict=False):
            row.setdefault(name, cell.strip())
        problems_before = len(self.problems)
        kpi = self._cell(line, row, "kpi", self.kpis.find)
        unit = kpi.unit if isinstance(kpi, Kpi) else ""
        value = self._cell(line, row, "value", lambda text: read_number(text, {"unit": unit}))
        period = self._cell(line, row, "period", self._read_period)
        logged_by = self._cell(line, row, "logged_by", _read_logged_by)
        logged_at = self._cell(line, row, "logged_at", self._read_moment)
        if len(self.problems) > problems_before:
            return None
        assert isinstance(kpi, Kpi) and kpi.id is not None
        assert isinstance(value, float) and isinstance(period, date)
        assert logged_at is None or isinstance(logged_at, datetime)
        return FileReading(
            kpi_id=kpi.id,
            period=period,
            value=value,
            logged_by=logged_by if isinstance(logged_by, str) else IMPORTED_BY,
            logged_at=logged_at,
            note=row.get("note") or None,
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
        if moment > self.now:
            raise Invalid(f"{text} is in the future")
        return moment.astimezone(UTC)


def _read_logged_by(text: str) -> str:
    return text if text == IMPORTED_BY else read_user_id(text)


def _rows(text: str, problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, its cells) for every row that isn't blank. A row can span lines
    when a quoted note holds line breaks. CSV that can't be read is a problem, and the end."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(f"line {reader.line_num}: this is not valid CSV ({error})")
            return
        line, previous_end = previous_end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield line, cells


# --- Leaving out what is already stored --------------------------------------------------------


# A reading as duplicates are recognised: KPI id, period, value, logged at (to the second).
Fingerprint = tuple[int, date, float, datetime | None]


def _fingerprint(
    kpi_id: int, period: date, value: float, logged_at: datetime | None
) -> Fingerprint:
    second = logged_at.replace(microsecond=0) if logged_at else None
    return (kpi_id, period, value, second)


def _stored(session: Session, readings: Sequence[FileReading]) -> set[Fingerprint]:
    """Fingerprints of the readings already stored for the file's KPIs and periods, both with
    and without the moment they were logged (rows without `logged_at` match on the rest)."""
    if not readings:
        return set()
    kpi_ids = {reading.kpi_id for reading in readings}
    first = min(reading.period for reading in readings)
    last = max(reading.period for reading in readings)
    known: set[Fingerprint] = set()
    for kpi_id, period, value, logged_at in readings_between(session, kpi_ids, first, last):
        known.add(_fingerprint(kpi_id, period, value, logged_at))
        known.add(_fingerprint(kpi_id, period, value, None))
    return known


def _not_yet_stored(
    readings: Iterable[FileReading], known: set[Fingerprint]
) -> Iterator[FileReading]:
    for reading in readings:
        exact = _fingerprint(reading.kpi_id, reading.period, reading.value, reading.logged_at)
        if exact in known:
            continue
        known.add(exact)
        known.add(_fingerprint(reading.kpi_id, reading.period, reading.value, None))
        yield reading
