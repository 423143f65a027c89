"""KPI readings: writing them, and reading back the latest value and recent history fast.

A KPI's value for a day is its most recently logged reading for that day; earlier ones stay as
history. Queries walk the (kpi_id, period, id) index, so they cost the same with a thousand or a
million readings.
"""

import sqlite3
import tempfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import ScalarSelect, func, insert, or_
from sqlmodel import Session, col, select

from storage.models import Kpi, Reading
from storage.scorecards import KPI_RECORD_COLUMNS, KpiRecord


def add_reading(session: Session, reading: Reading) -> Reading:
    session.add(reading)
    session.flush()
    return reading


def current_reading_id(logged_by: datetime | None = None) -> ScalarSelect[int]:
    """The id of the KPI's current reading (as it stood at `logged_by`, when given), for joining
    KPIs to it: one index seek per KPI."""
    query = select(Reading.id).where(Reading.kpi_id == Kpi.id)
    if logged_by is not None:
        query = query.where(col(Reading.logged_at) <= logged_by)
    return (
        query.order_by(col(Reading.period).desc(), col(Reading.id).desc())
        .limit(1)
        .correlate(Kpi)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class ReadingRecord:
    """A reading as plain data, field for field (see KpiRecord)."""

    id: int
    scorecard_id: int
    kpi_id: int
    period: date
    value: float
    logged_by: str
    logged_at: datetime
    note: str | None


READING_RECORD_COLUMNS = tuple(
    getattr(Reading, name) for name in ReadingRecord.__dataclass_fields__
)


def latest_period() -> ScalarSelect[date]:
    """The day of the KPI's most recent reading, for selecting KPIs with it: an index seek each."""
    newest = select(func.max(Reading.period)).where(Reading.kpi_id == Kpi.id)
    return newest.correlate(Kpi).scalar_subquery()


def kpis_with_current_readings(
    session: Session,
    scorecard_id: int,
    objective_ids: Collection[int] | None = None,
    kpi_ids: Collection[int] = (),
) -> list[tuple[KpiRecord, ReadingRecord | None]]:
    """Live KPIs of a scorecard with their current readings, in scorecard order: one query.

    Every KPI, or with `objective_ids` only those measuring these objectives, plus `kpi_ids`.
    """
    query = (
        select(*KPI_RECORD_COLUMNS, *READING_RECORD_COLUMNS)
        .outerjoin(Reading, col(Reading.id) == current_reading_id())
        .where(Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False))
        .order_by(Kpi.position, Kpi.id)
    )
    if objective_ids is not None:
        query = query.where(
            or_(col(Kpi.objective_id).in_(list(objective_ids)), col(Kpi.id).in_(list(kpi_ids)))
        )
    split = len(KPI_RECORD_COLUMNS)
    return [
        (
            KpiRecord(*row[:split]),
            ReadingRecord(*row[split:]) if row[split] is not None else None,
        )
        for row in session.execute(query)
    ]


def recent_readings(session: Session, kpi_id: int, limit: int) -> list[Reading]:
    """The last `limit` days with a reading, one reading a day (the latest logged), oldest first."""
    query = (
        select(Reading)
        .where(Reading.kpi_id == kpi_id)
        .order_by(col(Reading.period).desc(), col(Reading.id).desc())
        .limit(limit * 4)
    )
    by_day: dict[date, Reading] = {}
    for reading in session.exec(query).all():
        by_day.setdefault(reading.period, reading)
        if len(by_day) == limit:
            break
    return sorted(by_day.values(), key=lambda reading: reading.period)


def newest_readings(session: Session, kpi_id: int, count: int) -> list[Reading]:
    """The KPI's `count` most recent readings, newest first."""
    query = (
        select(Reading)
        .where(Reading.kpi_id == kpi_id)
        .order_by(col(Reading.period).desc(), col(Reading.id).desc())
        .limit(count)
    )
    return list(session.exec(query).all())


def reading_for_day(session: Session, kpi_id: int, period: date) -> Reading | None:
    """The KPI's current reading for `period` (the latest logged), if it has one."""
    query = (
        select(Reading)
        .where(Reading.kpi_id == kpi_id, Reading.period == period)
        .order_by(col(Reading.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def same_reading(
    session: Session, kpi_id: int, period: date, value: float, logged_by: str, logged_at: datetime
) -> Reading | None:
    """A reading of this KPI, day and value by this person at this very moment, if one is stored:
    the same request delivered again (Slack retries an event it got no answer to in time)."""
    query = (
        select(Reading)
        .where(Reading.kpi_id == kpi_id, Reading.period == period, Reading.value == value)
        .where(Reading.logged_by == logged_by, Reading.logged_at == logged_at)
        .limit(1)
    )
    return session.exec(query).first()


def reading_before(session: Session, kpi_id: int, reading: Reading) -> Reading | None:
    """The reading that was current for this KPI just before `reading` was logged."""
    query = (
        select(Reading)
        .where(Reading.kpi_id == kpi_id, col(Reading.id) < reading.id)
        .where(col(Reading.period) <= reading.period)
        .order_by(col(Reading.period).desc(), col(Reading.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def latest_by_author(
    session: Session, scorecard_id: int, logged_by: str, since: datetime
) -> Reading | None:
    query = (
        select(Reading)
        .where(Reading.scorecard_id == scorecard_id, Reading.logged_by == logged_by)
        .where(col(Reading.logged_at) >= since)
        .order_by(col(Reading.logged_at).desc(), col(Reading.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


# How many readings an import sends to the database per INSERT (and reads back per batch).
IMPORT_CHUNK = 5000


def kpis_taking_readings(session: Session, scorecard_id: int) -> Sequence[Kpi]:
    """Every KPI of the scorecard, archived ones last: an export holds archived KPIs' readings
    too, so an import takes them back."""
    query = select(Kpi).where(Kpi.scorecard_id == scorecard_id)
    return session.exec(query.order_by(col(Kpi.archived), Kpi.position, Kpi.id)).all()


def readings_between(
    session: Session, kpi_ids: Collection[int], first: date, last: date, since_id: int = 0
) -> Iterator[tuple[int, date, float, datetime]]:
    """(KPI id, period, value, logged at) of every reading of these KPIs from `first` to `last`
    (only the reading `since_id` and those stored after it, when given), in one query, so an
    import checks many rows for readings already there at once."""
    query = (
        select(Reading.kpi_id, Reading.period, Reading.value, Reading.logged_at)
        .where(col(Reading.kpi_id).in_(kpi_ids), col(Reading.period).between(first, last))
        .execution_options(yield_per=IMPORT_CHUNK)
    )
    if since_id:  # SQLite may hand a deleted newest reading's id out again: include it
        query = query.where(col(Reading.id) >= since_id)
    for row in session.execute(query):
        yield row[0], row[1], row[2], row[3]


def newest_reading_id(session: Session) -> int:
    """The id of the reading stored last (0 when there is none): readings stored later have
    higher ids, so an import can tell what was logged while it checked its file."""
    return session.exec(select(func.max(Reading.id))).one() or 0


# The columns `insert_readings` takes, in the order each row gives them.
READING_INSERT_COLUMNS = (
    "scorecard_id",
    "kpi_id",
    "period",
    "value",
    "logged_by",
    "logged_at",
    "note",
)


def insert_readings(session: Session, rows: Iterable[tuple[Any, ...]]) -> int:
    """Store many readings, each a tuple in READING_INSERT_COLUMNS order (period a date,
    logged_at an aware datetime); how many were stored.

    On SQLite the rows go to the driver's executemany already in the text SQLAlchemy itself
    stores dates in, skipping per-value type processing: a large import holds SQLite's single
    writer for as short a time as it can. PostgreSQL gets multi-row INSERTs.
    """
    connection = session.connection()
    total = 0
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in READING_INSERT_COLUMNS)
        sql = f"INSERT INTO readings ({', '.join(READING_INSERT_COLUMNS)}) VALUES ({marks})"
        days: dict[date, str] = {}  # a file repeats the same few days across its KPIs
        for chunk in batched(rows, IMPORT_CHUNK):
            connection.exec_driver_sql(sql, [_sqlite_row(row, days) for row in chunk])
            total += len(chunk)
        return total
    table = Reading.__table__  # type: ignore[attr-defined]
    for chunk in batched(rows, IMPORT_CHUNK):
        connection.execute(
            insert(table), [dict(zip(READING_INSERT_COLUMNS, row, strict=True)) for row in chunk]
        )
        total += len(chunk)
    return total


class ReadyReadings:
    """New readings prepared before a write turn, so the turn itself is quick.

    On SQLite they are written first to a scratch SQLite file in a temporary folder, already in
    the text SQLAlchemy stores dates in; in the turn `insert` feeds a cursor over that file
    straight into the database's executemany, so no Python runs per reading while the single
    writer is held. Elsewhere (PostgreSQL lets other writers go ahead meanwhile) `insert` simply
    inserts the rows. Use it as a context manager: the scratch file is removed at the end.
    """

    def __init__(self, dialect: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """`rows` as `insert_readings` takes them; on PostgreSQL only read in `insert`."""
        self._rows = rows
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._scratch: sqlite3.Connection | None = None
        if dialect == "sqlite":
            self._folder = tempfile.TemporaryDirectory(prefix="scorecard-import-")
            self._scratch = sqlite3.connect(Path(self._folder.name) / "ready.db")
            self._scratch.execute("PRAGMA journal_mode = OFF")
            self._scratch.execute("PRAGMA synchronous = OFF")
            self._scratch.execute(f"CREATE TABLE ready ({', '.join(READING_INSERT_COLUMNS)})")
            days: dict[date, str] = {}
            marks = ", ".join("?" for _ in READING_INSERT_COLUMNS)
            for chunk in batched(rows, IMPORT_CHUNK):
                self._scratch.executemany(
                    f"INSERT INTO ready VALUES ({marks})", [_sqlite_row(r, days) for r in chunk]
                )
            self._scratch.commit()

    def __enter__(self) -> "ReadyReadings":
        return self

    def __exit__(self, *_: object) -> None:
        if self._scratch is not None:
            self._scratch.close()
        if self._folder is not None:
            self._folder.cleanup()

    def insert(self, session: Session) -> int:
        """Insert every prepared reading in the session's transaction; how many."""
        if self._scratch is None:
            return insert_readings(session, self._rows)
        columns = ", ".join(READING_INSERT_COLUMNS)
        marks = ", ".join("?" for _ in READING_INSERT_COLUMNS)
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(
            f"INSERT INTO readings ({columns}) VALUES ({marks})",
            self._scratch.execute("SELECT * FROM ready ORDER BY rowid"),
        )
        return cursor.rowcount


def _sqlite_row(row: tuple[Any, ...], days: dict[date, str]) -> tuple[Any, ...]:
    """The row with its date and moment as SQLAlchemy's SQLite dialect stores them (naive UTC)."""
    scorecard_id, kpi_id, period, value, logged_by, logged_at, note = row
    day = days.get(period)
    if day is None:
        day = days[period] = f"{period.year:04d}-{period.month:02d}-{period.day:02d}"
    moment = logged_at.astimezone(UTC)
    moment_text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}"
    )
    return (scorecard_id, kpi_id, day, value, logged_by, moment_text, note)


def batched(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
