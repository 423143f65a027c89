from datetime import date

from scorecard.status import Goal, expected_value, roll_up, score_kpi
from scorecard.vocabulary import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK

TODAY = date(2026, 7, 2)
FOLLOWERS = Goal(baseline=10_000, target=20_000, direction="up", start=date(2026, 1, 1))
RESPONSE_HOURS = Goal(baseline=6.0, target=2.0, direction="down", start=date(2026, 1, 1))


def test_without_a_target_date_the_kpi_is_compared_with_its_target() -> None:
    assert score_kpi(FOLLOWERS, 20_000, TODAY, 0.1).status == ON_TRACK
    assert score_kpi(FOLLOWERS, 19_000, TODAY, 0.1).status == AT_RISK  # 1,000 short = 10%
    assert score_kpi(FOLLOWERS, 18_999, TODAY, 0.1).status == OFF_TRACK


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
    assert score_kpi(RESPONSE_HOURS, 1.5, TODAY, 0.1).status == ON_TRACK
    assert score_kpi(RESPONSE_HOURS, 2.4, TODAY, 0.1).status == AT_RISK  # 0.4 h of a 4 h way
    assert score_kpi(RESPONSE_HOURS, 3.0, TODAY, 0.1).status == OFF_TRACK


def test_the_at_risk_band_follows_the_scorecard_setting() -> None:
    assert score_kpi(FOLLOWERS, 18_000, TODAY, 0.2).status == AT_RISK
    assert score_kpi(FOLLOWERS, 18_000, TODAY, 0.1).status == OFF_TRACK


def test_no_reading_means_no_data_and_progress_is_the_share_of_the_way() -> None:
    assert score_kpi(FOLLOWERS, None, TODAY, 0.1).status == NO_DATA
    assert score_kpi(FOLLOWERS, 12_500, TODAY, 0.1).progress == 0.25


def test_objectives_roll_their_kpis_up_by_weight_ignoring_kpis_without_data() -> None:
    assert roll_up([(ON_TRACK, 1), (NO_DATA, 5)]) == (ON_TRACK, 1.0)
    assert roll_up([(ON_TRACK, 3), (OFF_TRACK, 1)]) == (AT_RISK, 0.75)
    assert roll_up([(ON_TRACK, 1), (OFF_TRACK, 3)])[0] == OFF_TRACK
    assert roll_up([(ON_TRACK, 4), (OFF_TRACK, 1)])[0] == ON_TRACK
    assert roll_up([]) == (NO_DATA, None)
