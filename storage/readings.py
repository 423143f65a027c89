"""KPI readings: writing them, and reading back the latest value and recent history fast.

A KPI's value for a day is its most recently logged reading for that day; earlier ones stay as
history. Queries walk the (kpi_id, period, id) index, so they cost the same with a thousand or a
million readings.
"""

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
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
    session: Session, kpi_ids: Collection[int], first: date, last: date
) -> Iterator[tuple[int, date, float, datetime]]:
    """(KPI id, period, value, logged at) of every reading of these KPIs from `first` to `last`,
    in one query, so an import checks a whole file for readings already there at once."""
    query = (
        select(Reading.kpi_id, Reading.period, Reading.value, Reading.logged_at)
        .where(col(Reading.kpi_id).in_(kpi_ids), col(Reading.period).between(first, last))
        .execution_options(yield_per=IMPORT_CHUNK)
    )
    for row in session.execute(query):
        yield row[0], row[1], row[2], row[3]


def insert_readings(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store many readings (dicts of Reading's columns) with a few multi-row INSERTs."""
    table = Reading.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), IMPORT_CHUNK):
        session.execute(insert(table), list(rows[start : start + IMPORT_CHUNK]))
