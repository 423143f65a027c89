"""Values as people type them, and as replies show them."""

import pytest

from scorecard.errors import UserError
from scorecard.values import (
    NUMBER_FORMATS,
    AmbiguousValue,
    format_change,
    format_value,
    looks_like_value,
    parse_value,
    unit_agreeing,
)


@pytest.mark.parametrize(
    ("typed", "unit", "expected"),
    [
        ("12400", "", 12400),
        ("12.4k", "", 12400),
        ("12.4K", "", 12400),
        ("1.2M", "", 1_200_000),
        ("1.5m", "", 1_500_000),
        ("2bn", "", 2_000_000_000),
        ("2b", "", 2_000_000_000),
        ("1.2 million", "", 1_200_000),
        ("35%", "%", 35),
        ("35 %", "%", 35),
        ("35%", "", 35),
        ("35", "%", 35),
        ("3.5", "", 3.5),
        ("-2", "", -2),
        ("−2", "", -2),  # the minus sign replies use
        ("+5", "", 5),
        ("1200€", "€", 1200),
        ("$3.5k", "", 3500),
        ("-$5", "$", -5),
        ("1,234,567", "", 1_234_567),
        ("12k,", "", 12000),  # "followers 12k, after the giveaway"
        (".5", "", 0.5),
        ("12.4k followers", "followers", 12400),
    ],
)
def test_parse_value_reads_what_people_type(typed: str, unit: str, expected: float) -> None:
    assert parse_value(typed, unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("typed", "unit", "expected"),
    [("12,400", "", 12400), ("€1,200", "€", 1200), ("12,400 followers", "followers", 12400)],
)
def test_one_comma_before_three_digits_groups_thousands_in_an_english_scorecard(
    typed: str, unit: str, expected: float
) -> None:
    """Without the setting (or the KPI's scale), "12,400" is asked about: see the next test."""
    assert parse_value(typed, unit, number_format=NUMBER_FORMATS["1,234.5"]) == expected


@pytest.mark.parametrize(
    ("typed", "readings"), [("12,400", (12400, 12.4)), ("1.350", (1350, 1.35))]
)
def test_one_separator_before_three_digits_is_asked_about_when_nothing_settles_it(
    typed: str, readings: tuple[float, float]
) -> None:
    with pytest.raises(AmbiguousValue) as raised:
        parse_value(typed)
    assert raised.value.readings == readings
    assert "number_format" in raised.value.message


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3,5", 3.5),  # a thousands group has three digits, so this is a decimal comma
        ("12,75", 12.75),
        ("1.234,5", 1234.5),
        ("1.234.567", 1_234_567),
        ("1,5k", 1500),
    ],
)
def test_parse_value_understands_european_decimal_commas(typed: str, expected: float) -> None:
    assert parse_value(typed) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("typed", "unit", "expected"),
    [("2h", "h", 2), ("90 min", "h", 1.5), ("2h", "min", 120), ("5m", "m", 5)],
)
def test_a_suffix_that_is_the_kpis_unit_is_the_unit(typed: str, unit: str, expected: float) -> None:
    assert parse_value(typed, unit) == pytest.approx(expected)


@pytest.mark.parametrize("typed", ["abc", "Q4", "12 apples", "1,23,456", "nan", "inf", "1e5"])
def test_parse_value_refuses_non_numbers_with_an_example(typed: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_value(typed)
    assert raised.value.message == f"“{typed}” isn't a number. Try 12400, 12.4k or 35%."


def test_parse_value_refuses_two_signs() -> None:
    with pytest.raises(UserError, match="two signs"):
        parse_value("--5")


def test_parse_value_asks_for_a_missing_value() -> None:
    with pytest.raises(UserError, match="What was the value"):
        parse_value("   ")


def test_parse_value_refuses_infinite_numbers() -> None:
    with pytest.raises(UserError, match="too big"):
        parse_value("9" * 400)


@pytest.mark.parametrize(
    ("typed", "unit", "complaint"),
    [("35%", "followers", "percentage"), ("$5", "followers", "money"), ("2h", "km", "km")],
)
def test_parse_value_says_when_the_unit_does_not_fit_the_kpi(
    typed: str, unit: str, complaint: str
) -> None:
    with pytest.raises(UserError, match=complaint):
        parse_value(typed, unit)


@pytest.mark.parametrize(
    ("token", "unit", "expected"),
    [
        ("12.4k", "", True),
        ("35%", "", True),
        ("€1,200", "", True),
        ("10", "", True),
        ("2h", "h", True),
        ("2h", "", False),
        ("great", "", False),
        ("Q4", "", False),
        ("top", "", False),
        ("", "", False),
    ],
)
def test_looks_like_value(token: str, unit: str, expected: bool) -> None:
    assert looks_like_value(token, unit) is expected


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (12400, "", "12,400"),
        (12400.0, "", "12,400"),
        (3.0, "", "3"),
        (3.456, "", "3.46"),
        (0.0042, "", "0.0042"),
        (1 / 3, "", "0.333"),
        (0, "", "0"),
        (999_999, "", "999,999"),
        (999_999.999, "", "1M"),
        (1_250_000, "", "1.25M"),
        (12_345_678, "", "12.35M"),
        (2_500_000_000, "", "2.5bn"),
        (-300, "", "−300"),
        (35, "%", "35%"),
        (2.5, "%", "2.5%"),
        (1200, "€", "€1,200"),
        (-1200, "$", "−$1,200"),
        (1_500_000, "£", "£1.5M"),
        (12400, "followers", "12,400 followers"),
        (2.1000000001, "h", "2.1 h"),
        (None, "", "—"),
        (None, "%", "—"),
    ],
)
def test_format_value(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


@pytest.mark.parametrize("value", [12400, 12.4, 1_250_000, 35, -2])
def test_a_shown_value_can_be_logged_again(value: float) -> None:
    """Replies write numbers as 12,400 and 3.5: read back in that format, they are the same."""
    shown = format_value(value)
    assert parse_value(shown, number_format=NUMBER_FORMATS["1,234.5"]) == pytest.approx(value)


@pytest.mark.parametrize(
    ("change", "unit", "shown"),
    [
        (1200, "", "+1,200"),
        (-300, "", "−300"),
        (0, "", "±0"),
        (1e-12, "", "±0"),
        (2.5, "%", "+2.5 pts"),
        (-1, "%", "−1 pt"),
        (0, "%", "±0 pts"),
        (1200, "€", "+€1,200"),
        (-50, "followers", "−50 followers"),
        (1_500_000, "", "+1.5M"),
        (None, "", ""),
    ],
)
def test_format_change(change: float | None, unit: str, shown: str) -> None:
    assert format_change(change, unit) == shown


@pytest.mark.parametrize(
    ("unit", "one", "agreeing"),
    [
        ("guests", True, "guest"),
        ("guest", False, "guests"),
        ("hours", True, "hour"),
        ("member stories", True, "member story"),
        ("stories", False, "stories"),
        ("story", False, "stories"),
        ("boxes", True, "box"),
        ("days", True, "day"),
        ("people", True, "person"),
        ("min", True, "min"),
    ],
)
def test_a_unit_agrees_with_its_number(unit: str, one: bool, agreeing: str) -> None:
    assert unit_agreeing(unit, one) == agreeing
