"""The set-based reads a digest needs, so a 5,000-KPI scorecard costs a handful of queries.

Nothing here loads every reading: "as of" values are one index seek per KPI inside one
statement, and recent history is cut to the last few readings per KPI with ROW_NUMBER().
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from storage.models import Kpi, Reading


@dataclass(frozen=True)
class Point:
    period: date
    value: float


def values_as_of(session: Session, scorecard_id: int, moment: datetime) -> dict[int, float]:
    """Each KPI's current value as it stood at `moment` (readings logged by then), by KPI id."""
    as_of = (
        select(Reading.id)
        .where(Reading.kpi_id == Kpi.id, col(Reading.logged_at) <= moment)
        .order_by(col(Reading.period).desc(), col(Reading.id).desc())
        .limit(1)
        .correlate(Kpi)
        .scalar_subquery()
    )
    query = (
        select(Reading.kpi_id, Reading.value)
        .join(Kpi, col(Reading.id) == as_of)
        .where(Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False))
    )
    return {kpi_id: value for kpi_id, value in session.exec(query).all()}


def recent_points(
    session: Session, scorecard_id: int, since_by_frequency: Mapping[str, date], points: int
) -> dict[int, list[Point]]:
    """The last `points` days with a reading of every KPI, oldest first, one value a day.

    `since_by_frequency` bounds how far back to look for each reading frequency (a daily KPI
    needs a couple of weeks, a quarterly one years), so the window functions only ever see
    recent rows, found through the (kpi_id, period) index.
    """
    # One bound per KPI, worked out from its frequency: as a CASE (rather than ORs) it can
    # bound the index range for each KPI.
    oldest = min(since_by_frequency.values())
    since = case(
        *((Kpi.frequency == frequency, day) for frequency, day in since_by_frequency.items()),
        else_=oldest,
    )
    per_day = (
        select(
            Reading.kpi_id,
            Reading.period,
            Reading.value,
            func.row_number()
            .over(partition_by=(Reading.kpi_id, Reading.period), order_by=col(Reading.id).desc())
            .label("newest_that_day"),
        )
        .join(Kpi, col(Kpi.id) == Reading.kpi_id)
        .where(Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False))
        .where(col(Reading.period) >= since)
        .subquery()
    )
    ranked = (
        select(
            per_day.c.kpi_id,
            per_day.c.period,
            per_day.c.value,
            func.row_number()
            .over(partition_by=per_day.c.kpi_id, order_by=per_day.c.period.desc())
            .label("age"),
        )
        .where(per_day.c.newest_that_day == 1)
        .subquery()
    )
    query = (
        select(ranked.c.kpi_id, ranked.c.period, ranked.c.value)
        .where(ranked.c.age <= points)
        .order_by(ranked.c.kpi_id, ranked.c.period)
    )
    series: dict[int, list[Point]] = defaultdict(list)
    for kpi_id, period, value in session.execute(query).all():
        series[kpi_id].append(Point(period, value))
    return dict(series)
