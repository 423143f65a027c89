from datetime import date, timedelta

import pytest

from scorecard.status import (
    BY_BAND,
    BY_DONE,
    BY_LINE,
    BY_PACE,
    BY_STEPS,
    REACHED,
    Goal,
    Step,
    expected_value,
    roll_up,
    score_kpi,
)
from scorecard.vocabulary import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK

TODAY = date(2026, 7, 2)
FOLLOWERS = Goal(baseline=10_000, target=20_000, direction="up", start=date(2026, 1, 1))
RESPONSE_HOURS = Goal(baseline=6.0, target=2.0, direction="down", start=date(2026, 1, 1))


def test_with_a_target_date_it_is_compared_with_the_straight_line_to_the_target() -> None:
    by_year_end = Goal(10_000, 20_000, "up", date(2026, 1, 1), date(2027, 1, 1))
    halfway = expected_value(by_year_end, TODAY)
    assert round(halfway) == 14_986  # 182 of 365 days
    assert score_kpi(by_year_end, 15_000, TODAY, 0.1).status == ON_TRACK
    assert score_kpi(by_year_end, 14_000, TODAY, 0.1).status == AT_RISK
    assert score_kpi(by_year_end, 13_000, TODAY, 0.1).status == OFF_TRACK


def test_the_line_stops_at_the_target_after_the_target_date() -> None:
    past = Goal(10_000, 20_000, "up", date(2025, 1, 1), date(2025, 12, 31))
    assert expected_value(past, TODAY) == 20_000


def test_lower_is_better_when_the_direction_is_down() -> None:
    by_today = Goal(6.0, 2.0, "down", date(2026, 1, 1), TODAY)
    assert score_kpi(by_today, 1.5, TODAY, 0.1).status == ON_TRACK
    assert score_kpi(by_today, 2.4, TODAY, 0.1).status == AT_RISK  # 0.4 h of a 4 h way
    assert score_kpi(by_today, 3.0, TODAY, 0.1).status == OFF_TRACK


def test_the_at_risk_band_follows_the_scorecard_setting() -> None:
    by_today = Goal(10_000, 20_000, "up", date(2026, 1, 1), TODAY)
    assert score_kpi(by_today, 18_000, TODAY, 0.2).status == AT_RISK
    assert score_kpi(by_today, 18_000, TODAY, 0.1).status == OFF_TRACK


def test_no_reading_means_no_data_and_progress_is_the_share_of_the_way() -> None:
    assert score_kpi(FOLLOWERS, None, TODAY, 0.1).status == NO_DATA
    assert score_kpi(FOLLOWERS, 12_500, TODAY, 0.1).progress == 0.25


def test_objectives_roll_their_kpis_up_by_weight_ignoring_kpis_without_data() -> None:
    assert roll_up([(ON_TRACK, 1), (NO_DATA, 5)]) == (ON_TRACK, 1.0)
    assert roll_up([(ON_TRACK, 3), (OFF_TRACK, 1)]) == (AT_RISK, 0.75)
    assert roll_up([(ON_TRACK, 1), (OFF_TRACK, 3)])[0] == OFF_TRACK
    assert roll_up([(ON_TRACK, 4), (OFF_TRACK, 1)])[0] == ON_TRACK
    assert roll_up([]) == (NO_DATA, None)


# Item 9 of issue 7: without a target date, a KPI is judged by its pace toward the target.
# FOLLOWERS: 10,000 -> 20,000 from 1 Jan, weekly, so its horizon is 182 days.
@pytest.mark.parametrize(
    ("value", "on", "status", "basis"),
    [
        (20_000, TODAY, ON_TRACK, REACHED),
        (21_000, TODAY, ON_TRACK, REACHED),
        (19_000, TODAY, ON_TRACK, BY_PACE),  # 9,000 in 182 days: the rest takes 20 days
        (15_500, TODAY, ON_TRACK, BY_PACE),  # the rest takes 149 days, within 182
        (14_000, TODAY, AT_RISK, BY_PACE),  # 273 days: within twice the horizon
        (11_000, TODAY, OFF_TRACK, BY_PACE),  # 1,638 days
        (9_000, TODAY, OFF_TRACK, BY_PACE),  # moving away from the target
        (10_400, date(2026, 1, 8), ON_TRACK, BY_PACE),  # first reading, +400 a week
        (10_300, date(2026, 1, 8), AT_RISK, BY_PACE),  # first reading, +300 a week: 226 days
        (10_000, date(2026, 1, 3), AT_RISK, BY_PACE),  # too early to see any movement
    ],
)
def test_without_a_target_date_status_follows_the_pace_toward_the_target(
    value: float, on: date, status: str, basis: str
) -> None:
    score = score_kpi(FOLLOWERS, value, on, 0.1, on)
    assert (score.status, score.basis) == (status, basis)


def test_an_improving_kpi_without_a_target_date_is_not_off_track_from_its_first_reading() -> None:
    weekly = [(date(2026, 1, 1) + timedelta(weeks=n), 10_000 + 450 * n) for n in range(1, 9)]
    for day, value in weekly:
        assert score_kpi(FOLLOWERS, value, day, 0.1, day).status == ON_TRACK
    lower = Goal(6.0, 2.0, "down", date(2026, 1, 1), frequency="daily")  # horizon 91 days
    assert score_kpi(lower, 4.5, date(2026, 2, 1), 0.1, date(2026, 2, 1)).status == ON_TRACK
    assert score_kpi(lower, 5.8, date(2026, 2, 1), 0.1, date(2026, 2, 1)).status == OFF_TRACK


def test_the_pace_is_measured_to_the_day_of_the_reading_not_today() -> None:
    late_look = score_kpi(FOLLOWERS, 10_400, date(2026, 6, 1), 0.1, date(2026, 1, 8))
    assert late_look.status == ON_TRACK
    assert late_look.days_to_target is not None and round(late_look.days_to_target) == 168


RESPONSE_BAND = Goal(0, 1.5, "band", date(2026, 1, 1), band=(1.0, 2.0))
RATIO_BAND = Goal(0, 50, "band", date(2026, 1, 1), band=(40.0, 60.0))
BRAND_GUIDE = Goal(0, 1, "binary", date(2026, 1, 1), date(2027, 3, 31))
BRAND_GUIDE_UNDATED = Goal(0, 1, "binary", date(2026, 1, 1))
STEPPED = Goal(
    10_000,
    15_000,
    "up",
    date(2027, 1, 1),
    date(2027, 6, 30),
    steps=(Step(date(2027, 3, 31), 12_000), Step(date(2027, 6, 30), 15_000)),
)


@pytest.mark.parametrize(
    ("goal", "value", "today", "status", "basis"),
    [
        # band: inside is on track; just outside (up to 10% of its width) at risk; further off
        (RESPONSE_BAND, 1.5, TODAY, ON_TRACK, BY_BAND),
        (RESPONSE_BAND, 1.0, TODAY, ON_TRACK, BY_BAND),
        (RESPONSE_BAND, 2.0, TODAY, ON_TRACK, BY_BAND),
        (RESPONSE_BAND, 2.05, TODAY, AT_RISK, BY_BAND),
        (RESPONSE_BAND, 0.95, TODAY, AT_RISK, BY_BAND),
        (RESPONSE_BAND, 2.2, TODAY, OFF_TRACK, BY_BAND),
        (RESPONSE_BAND, 0.5, TODAY, OFF_TRACK, BY_BAND),
        (RESPONSE_BAND, None, TODAY, NO_DATA, BY_BAND),
        (RATIO_BAND, 50, TODAY, ON_TRACK, BY_BAND),
        (RATIO_BAND, 61, TODAY, AT_RISK, BY_BAND),
        (RATIO_BAND, 63, TODAY, OFF_TRACK, BY_BAND),
        (RATIO_BAND, 37, TODAY, OFF_TRACK, BY_BAND),
        # binary: done is on track; not done is fine until a reading interval before its date
        (BRAND_GUIDE, 1, date(2027, 1, 10), ON_TRACK, BY_DONE),
        (BRAND_GUIDE, 1, date(2027, 5, 1), ON_TRACK, BY_DONE),
        (BRAND_GUIDE, 0, date(2027, 1, 10), ON_TRACK, BY_DONE),
        (BRAND_GUIDE, 0, date(2027, 3, 28), AT_RISK, BY_DONE),
        (BRAND_GUIDE, 0, date(2027, 3, 31), AT_RISK, BY_DONE),
        (BRAND_GUIDE, 0, date(2027, 4, 1), OFF_TRACK, BY_DONE),
        (BRAND_GUIDE, None, date(2027, 4, 1), NO_DATA, BY_DONE),
        (BRAND_GUIDE_UNDATED, 0, TODAY, AT_RISK, BY_DONE),
        (BRAND_GUIDE_UNDATED, 1, TODAY, ON_TRACK, BY_DONE),
        # stepped targets: the line runs through each step in turn
        (STEPPED, 12_000, date(2027, 3, 31), ON_TRACK, BY_STEPS),
        (STEPPED, 11_000, date(2027, 3, 31), OFF_TRACK, BY_STEPS),  # 1,000 short of 12,000
        (STEPPED, 11_600, date(2027, 3, 31), AT_RISK, BY_STEPS),  # 400 short, 10% is 500
        (STEPPED, 13_600, date(2027, 5, 15), ON_TRACK, BY_STEPS),  # expected 13,484
        (STEPPED, 14_000, date(2027, 6, 30), OFF_TRACK, BY_STEPS),
        (STEPPED, 14_600, date(2027, 6, 30), AT_RISK, BY_STEPS),
        (STEPPED, 15_000, date(2027, 9, 1), ON_TRACK, BY_STEPS),
        # up and down with a target date: the straight line
        (
            Goal(10_000, 20_000, "up", date(2026, 1, 1), date(2027, 1, 1)),
            15_000,
            TODAY,
            ON_TRACK,
            BY_LINE,
        ),
    ],
)
def test_every_shape_is_judged_by_its_own_rule(
    goal: Goal, value: float | None, today: date, status: str, basis: str
) -> None:
    score = score_kpi(goal, value, today, 0.1)
    assert (score.status, score.basis) == (status, basis)


def test_stepped_targets_expect_the_line_through_each_step() -> None:
    assert expected_value(STEPPED, date(2027, 1, 1)) == 10_000
    assert expected_value(STEPPED, date(2027, 3, 31)) == 12_000
    assert round(expected_value(STEPPED, date(2027, 5, 15))) == 13_484  # 45 of 91 days
    assert expected_value(STEPPED, date(2028, 1, 1)) == 15_000
    score = score_kpi(STEPPED, 13_000, date(2027, 5, 15), 0.1)
    assert score.step == Step(date(2027, 6, 30), 15_000)
