"""Forecasts: a straight line through the recent readings, projected with an honest range."""

from datetime import date, timedelta

import numpy
import pytest

from scorecard.forecast import (
    MAY_MISS,
    MIN_READINGS,
    MISSES,
    REACHES,
    Forecast,
    NotEnoughData,
    end_of_quarter,
    forecast_kpi,
)
from scorecard.status import Goal, Step

TODAY = date(2026, 11, 24)
BY_MARCH = Goal(10_000, 15_000, "up", date(2026, 1, 1), date(2027, 3, 31))


def weekly(first: float, step: float, count: int = 8, wobble: float = 0.0) -> list:
    """`count` weekly readings up to today, `step` apart, alternately `wobble` above and below."""
    start = TODAY - timedelta(weeks=count - 1)
    return [
        (start + timedelta(weeks=n), first + step * n + (wobble if n % 2 else -wobble))
        for n in range(count)
    ]


def test_a_straight_line_is_projected_to_the_target_date() -> None:
    forecast = forecast_kpi(BY_MARCH, weekly(12_000, 100), TODAY)

    assert isinstance(forecast, Forecast)
    assert forecast.by == date(2027, 3, 31)
    # 127 days after the last reading at 100 a week: 12,700 + 1,814.
    assert forecast.value == pytest.approx(12_700 + 100 * 127 / 7)
    assert forecast.low == pytest.approx(forecast.value)  # a perfect line: no scatter
    assert forecast.target == 15_000
    assert forecast.verdict == MISSES


def test_the_range_widens_with_scatter_and_matches_the_textbook_interval() -> None:
    readings = weekly(12_000, 130, wobble=250)
    forecast = forecast_kpi(BY_MARCH, readings, TODAY)
    assert isinstance(forecast, Forecast)

    # The 80% prediction interval, worked out independently of the module.
    x = numpy.array([day.toordinal() for day, _ in readings], dtype=float)
    y = numpy.array([value for _, value in readings])
    slope, intercept = numpy.polyfit(x, y, 1)
    x0 = date(2027, 3, 31).toordinal()
    s = numpy.sqrt(numpy.sum((y - (slope * x + intercept)) ** 2) / (len(x) - 2))
    se = s * numpy.sqrt(1 + 1 / len(x) + (x0 - x.mean()) ** 2 / numpy.sum((x - x.mean()) ** 2))
    assert forecast.high - forecast.value == pytest.approx(1.440 * se)  # t(0.9, 6 df)
    assert forecast.low < 15_000 < forecast.value  # projected to make it, but it could miss
    assert forecast.verdict == MAY_MISS


@pytest.mark.parametrize(
    ("goal", "readings", "verdict"),
    [
        (BY_MARCH, weekly(12_000, 300), REACHES),
        (BY_MARCH, weekly(12_000, 100), MISSES),
        (BY_MARCH, weekly(12_000, -50), MISSES),
        (Goal(6, 2, "down", date(2026, 1, 1), date(2027, 3, 31)), weekly(5, -0.2), REACHES),
        (Goal(6, 2, "down", date(2026, 1, 1), date(2027, 3, 31)), weekly(5, -0.01), MISSES),
        (Goal(0, 1.5, "band", date(2026, 1, 1), band=(1, 2)), weekly(1.5, 0.0), REACHES),
        (Goal(0, 1.5, "band", date(2026, 1, 1), band=(1, 2)), weekly(1.5, 0.05), MISSES),
    ],
)
def test_the_verdict_compares_the_projection_with_the_target(
    goal: Goal, readings: list, verdict: str
) -> None:
    forecast = forecast_kpi(goal, readings, TODAY)
    assert isinstance(forecast, Forecast)
    assert forecast.verdict == verdict


def test_too_few_readings_give_no_forecast_and_say_how_many_it_takes() -> None:
    assert forecast_kpi(BY_MARCH, weekly(12_000, 100, count=3), TODAY) == NotEnoughData(3)
    assert MIN_READINGS == 4
    same_day = [(TODAY, 12_000.0)] * 5
    assert isinstance(forecast_kpi(BY_MARCH, same_day, TODAY), NotEnoughData)


def test_only_the_recent_readings_make_the_trend() -> None:
    old_slump = [(TODAY - timedelta(weeks=30 - n), 20_000 - 500 * n) for n in range(10)]
    forecast = forecast_kpi(BY_MARCH, old_slump + weekly(12_000, 300), TODAY)
    assert isinstance(forecast, Forecast) and forecast.readings == 8
    assert forecast.verdict == REACHES


def test_without_a_target_date_it_projects_to_the_end_of_the_quarter() -> None:
    undated = Goal(10_000, 15_000, "up", date(2026, 1, 1))
    forecast = forecast_kpi(undated, weekly(12_000, 100), TODAY)
    assert isinstance(forecast, Forecast) and forecast.by == date(2026, 12, 31)
    assert [end_of_quarter(date(2027, m, 5)) for m in (1, 4, 8, 12)] == [
        date(2027, 3, 31),
        date(2027, 6, 30),
        date(2027, 9, 30),
        date(2027, 12, 31),
    ]


def test_stepped_targets_project_to_the_step_in_force() -> None:
    stepped = Goal(
        10_000,
        15_000,
        "up",
        date(2026, 1, 1),
        date(2027, 6, 30),
        steps=(Step(date(2027, 3, 31), 12_000), Step(date(2027, 6, 30), 15_000)),
    )
    forecast = forecast_kpi(stepped, weekly(11_000, 100), TODAY)
    assert isinstance(forecast, Forecast)
    assert (forecast.by, forecast.target, forecast.verdict) == (date(2027, 3, 31), 12_000, REACHES)


def test_a_binary_kpi_is_not_forecast() -> None:
    brand_guide = Goal(0, 1, "binary", date(2026, 1, 1), date(2027, 3, 31))
    assert forecast_kpi(brand_guide, weekly(0, 0), TODAY) is None


def test_a_kpi_that_cannot_go_below_zero_is_not_projected_below_it() -> None:
    response_hours = Goal(8, 2, "down", date(2026, 1, 1), date(2027, 3, 31))

    forecast = forecast_kpi(response_hours, weekly(6, -0.5, wobble=0.2), TODAY)

    assert isinstance(forecast, Forecast)
    assert forecast.value == 0 and forecast.low == 0 and forecast.high >= 0
