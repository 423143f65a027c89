"""The set-based reads a digest needs, so a 5,000-KPI scorecard costs a handful of queries.

Nothing here loads every reading: "as of" values are one index seek per KPI inside one
statement, and recent history reads only each KPI's last few days with a reading.
"""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from storage.models import Kpi, Reading
from storage.readings import current_reading_id, latest_period


@dataclass(frozen=True)
class Point:
    period: date
    value: float


def values_as_of(session: Session, scorecard_id: int, moment: datetime) -> dict[int, float]:
    """Each KPI's current value as it stood at `moment` (readings logged by then), by KPI id."""
    query = (
        select(Reading.kpi_id, Reading.value)
        .join(Kpi, col(Reading.id) == current_reading_id(logged_by=moment))
        .where(Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False))
    )
    return {kpi_id: value for kpi_id, value in session.exec(query).all()}


def recent_points(
    session: Session, scorecard_id: int, since_by_frequency: Mapping[str, date], points: int
) -> dict[int, list[Point]]:
    """The last `points` days with a reading of every KPI, oldest first, one value a day.

    `since_by_frequency` bounds how far back to look for each reading frequency (a daily KPI
    needs a couple of weeks, a quarterly one years). Within that bound each KPI's window runs
    from its `points`-th newest day with a reading to its newest, both found by short walks
    down the (kpi_id, period, id) index, so only the readings of those days are read: a weekly
    KPI logged daily costs `points` rows, not the ten weeks its bound allows.
    """
    oldest = min(since_by_frequency.values())
    since = case(
        *((Kpi.frequency == frequency, day) for frequency, day in since_by_frequency.items()),
        else_=oldest,
    )
    # NULL when the KPI has fewer than `points` days with a reading since its bound.
    first_day = (
        select(Reading.period)
        .where(Reading.kpi_id == Kpi.id, col(Reading.period) >= since)
        .distinct()
        .order_by(col(Reading.period).desc())
        .offset(points - 1)
        .limit(1)
        .correlate(Kpi)
        .scalar_subquery()
    )
    last_day = latest_period()
    # MATERIALIZED: the windows are worked out once per KPI, not once per joined reading.
    windows = (
        select(
            col(Kpi.id).label("kpi_id"),
            func.coalesce(first_day, since).label("first_day"),
            last_day.label("last_day"),
        )
        .where(Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False))
        .cte("windows")
        .prefix_with("MATERIALIZED")
    )
    # Bounding the window on both sides lets PostgreSQL's planner see it is narrow, so it seeks
    # the index once per KPI instead of merging with every reading of the scorecard.
    in_window = col(Reading.period).between(windows.c.first_day, windows.c.last_day)
    query = (
        select(Reading.kpi_id, Reading.period, Reading.value)
        .join(windows, (windows.c.kpi_id == Reading.kpi_id) & in_window)
        .order_by(Reading.kpi_id, Reading.period, Reading.id)
    )
    # A day with several readings keeps the last one logged (the highest id, read last).
    newest_by_day: dict[int, dict[date, float]] = defaultdict(dict)
    for kpi_id, period, value in session.connection().execute(query).all():
        newest_by_day[kpi_id][period] = value
    return {
        kpi_id: [Point(period, value) for period, value in days.items()]
        for kpi_id, days in newest_by_day.items()
    }


def points_since(session: Session, kpi_ids: Collection[int], since: date) -> dict[int, list[Point]]:
    """Every reading of these KPIs from `since` on, oldest first, one value a day (the last
    logged): the longer history a lagged cause-and-effect link is judged on."""
    if not kpi_ids:
        return {}
    query = (
        select(Reading.kpi_id, Reading.period, Reading.value)
        .where(col(Reading.kpi_id).in_(sorted(kpi_ids)), col(Reading.period) >= since)
        .order_by(Reading.kpi_id, Reading.period, Reading.id)
    )
    newest_by_day: dict[int, dict[date, float]] = defaultdict(dict)
    for kpi_id, period, value in session.connection().execute(query).all():
        newest_by_day[kpi_id][period] = value
    return {
        kpi_id: [Point(period, value) for period, value in days.items()]
        for kpi_id, days in newest_by_day.items()
    }
