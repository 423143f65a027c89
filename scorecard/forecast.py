"""Where a KPI is heading: a straight-line fit through its recent readings, projected to a day.

The fit is ordinary least squares (a straight line, as numpy.polyfit(days, values, 1) gives it,
worked out with numpy arrays for many KPIs at once) on the latest RECENT_READINGS readings, day
numbers against values. The range is the fit's 80% prediction interval for a
single future value (Student's t with n-2 degrees of freedom; see any regression text, e.g.
NIST/SEMATECH e-Handbook of Statistical Methods, 4.5.2.5 / "prediction interval"): it widens
with the scatter of the readings and with the distance of the projected day from them, so a
noisy or short history shows an honestly wide range. Below MIN_READINGS there is no forecast.

A KPI is projected to its target date, to its current stepped target's date, or, without either
(or when that date has passed), to the end of the current quarter. Binary KPIs are not
forecast: a done / not done history has no trend to extend.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy

from scorecard.status import Goal, target_in_force
from scorecard.vocabulary import BAND, BINARY, DOWN

# Fewer readings than this give no forecast: with 3 points a line always looks convincing.
MIN_READINGS = 4
# The trend is the line through at most this many latest readings.
RECENT_READINGS = 8
# Two-sided 80% Student's t quantiles (the 0.9 quantile) by degrees of freedom; beyond the
# table the normal quantile is close enough.
T_80 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397}
T_80_LARGE = 1.282

# What a forecast says about the target (Forecast.verdict).
REACHES = "reaches"  # even the pessimistic end of the range meets the target
MAY_MISS = "may_miss"  # the projection meets it, the range's pessimistic end does not
MISSES = "misses"  # the projection itself falls short


@dataclass(frozen=True)
class Forecast:
    """The projected value on `by`, with its 80% range (`low` <= `value` <= `high`)."""

    by: date
    value: float
    low: float
    high: float
    target: float  # the target in force on `by` (a band's middle for a band KPI)
    verdict: str  # REACHES, MAY_MISS or MISSES
    readings: int  # how many readings the fit used
    band: tuple[float, float] | None = None

    @property
    def misses(self) -> bool:
        return self.verdict == MISSES


@dataclass(frozen=True)
class NotEnoughData:
    readings: int
    needed: int = MIN_READINGS


Point = tuple[date, float]  # a reading: its day and value


def forecast_kpi(
    goal: Goal, points: Sequence[Point], today: date
) -> Forecast | NotEnoughData | None:
    """The KPI's projection from its readings (oldest first); None for a shape not forecast."""
    return forecast_kpis([(goal, points)], today)[0]


def forecast_kpis(
    kpis: Sequence[tuple[Goal, Sequence[Point]]], today: date
) -> list[Forecast | NotEnoughData | None]:
    """`forecast_kpi` for many KPIs at once, in order: one set of array operations fits every
    line, so a digest of thousands of KPIs does not pay numpy's per-call overhead thousands of
    times over."""
    results: list[Forecast | NotEnoughData | None] = []
    fitted: list[tuple[int, Goal, list[Point]]] = []  # (index in results, goal, readings)
    for goal, points in kpis:
        recent = list(points)[-RECENT_READINGS:]
        if goal.direction == BINARY:
            results.append(None)
        elif len(recent) < MIN_READINGS or len({day for day, _ in recent}) < 2:
            results.append(NotEnoughData(len(recent)))
        else:
            results.append(None)
            fitted.append((len(results) - 1, goal, recent))
    if not fitted:
        return results
    lines = _fit_lines([recent for _, _, recent in fitted])
    for (index, goal, recent), line in zip(fitted, lines, strict=True):
        results[index] = _project(goal, line, len(recent), today)
    return results


@dataclass(frozen=True)
class _Line:
    """A least-squares line through n readings: value = slope * day + intercept (days are date
    ordinals); `scatter` is the residual standard error, `mean_day` and `spread` (the sum of
    squared distances of the days from their mean) size the prediction interval."""

    slope: float
    intercept: float
    scatter: float
    mean_day: float
    spread: float


def _fit_lines(series: Sequence[Sequence[Point]]) -> list[_Line]:
    """Ordinary least squares for each series (each with at least 3 points on 2 or more days):
    the closed form, on a padded array with a mask, so all lines are fitted together. The same
    line as numpy.polyfit(days, values, 1) gives (tests/test_forecast.py checks it)."""
    width = max(len(points) for points in series)
    days = numpy.zeros((len(series), width))
    values = numpy.zeros((len(series), width))
    mask = numpy.zeros((len(series), width))
    origin = numpy.array([points[0][0].toordinal() for points in series], dtype=float)
    for row, points in enumerate(series):
        days[row, : len(points)] = [day.toordinal() for day, _ in points]
        values[row, : len(points)] = [value for _, value in points]
        mask[row, : len(points)] = 1.0
    days = (days - origin[:, None]) * mask  # days since each series' first: exact in floats
    count = mask.sum(axis=1)
    mean_day = days.sum(axis=1) / count
    mean_value = (values * mask).sum(axis=1) / count
    from_mean = (days - mean_day[:, None]) * mask
    spread = (from_mean**2).sum(axis=1)
    slope = (from_mean * (values - mean_value[:, None])).sum(axis=1) / spread
    intercept = mean_value - slope * mean_day
    residuals = (values - (slope[:, None] * days + intercept[:, None])) * mask
    scatter = numpy.sqrt((residuals**2).sum(axis=1) / (count - 2))
    return [
        _Line(
            slope=float(slope[row]),
            intercept=float(intercept[row] - slope[row] * origin[row]),
            scatter=float(scatter[row]),
            mean_day=float(mean_day[row] + origin[row]),
            spread=float(spread[row]),
        )
        for row in range(len(series))
    ]


def _project(goal: Goal, line: _Line, readings: int, today: date) -> Forecast:
    by, target = projection_day(goal, today)
    x = float(by.toordinal())
    projected = line.slope * x + line.intercept
    t = T_80.get(readings - 2, T_80_LARGE)
    distance = (x - line.mean_day) ** 2 / line.spread
    half_width = t * line.scatter * math.sqrt(1 + 1 / readings + distance)
    low, high = projected - half_width, projected + half_width
    if goal.baseline >= 0 and goal.target >= 0:  # a count, a time, a share: never below zero
        projected, low, high = max(projected, 0.0), max(low, 0.0), max(high, 0.0)
    return Forecast(
        by=by,
        value=projected,
        low=low,
        high=high,
        target=target,
        verdict=_verdict(goal, projected, low, high, target),
        readings=readings,
        band=goal.band if goal.direction == BAND else None,
    )


def projection_day(goal: Goal, today: date) -> tuple[date, float]:
    """The day to project to, and the target in force then."""
    step = target_in_force(goal, today)
    if step is not None and step.until >= today:
        return step.until, step.value
    if step is None and goal.target_date is not None and goal.target_date >= today:
        return goal.target_date, goal.target
    end = end_of_quarter(today)
    step_then = target_in_force(goal, end)
    if goal.direction == BAND and goal.band:
        return end, sum(goal.band) / 2
    return end, step_then.value if step_then else goal.target


def end_of_quarter(today: date) -> date:
    first_month_of_next = 3 * ((today.month - 1) // 3) + 4
    if first_month_of_next > 12:
        return date(today.year, 12, 31)
    return date.fromordinal(date(today.year, first_month_of_next, 1).toordinal() - 1)


def _verdict(goal: Goal, projected: float, low: float, high: float, target: float) -> str:
    if goal.direction == BAND and goal.band:
        bottom, top = goal.band
        if not bottom <= projected <= top:
            return MISSES
        return REACHES if bottom <= low and high <= top else MAY_MISS
    if goal.direction == DOWN:
        meets, pessimistic = projected <= target, high <= target
    else:
        meets, pessimistic = projected >= target, low >= target
    if not meets:
        return MISSES
    return REACHES if pessimistic else MAY_MISS
