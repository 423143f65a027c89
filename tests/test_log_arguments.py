"""Splitting `/kpi log` text into KPI, value, day and note."""

from datetime import date

import pytest

from scorecard.errors import UserError
from scorecard.log_arguments import LogArguments, split_log_arguments

TODAY = date(2026, 11, 24)  # a Tuesday
KPI_NAMES = [
    "ig_followers",
    "Instagram followers",
    "TikTok followers",
    "top_posts",
    "Top 10 posts",
    "Q4 revenue",
    "Revenue",
    "Revenue 2024",
    "2024 signups",
    "Engagement rate",
    "Time to reply",
]
UNITS = {"engagement rate": "%", "time to reply": "h", "q4 revenue": "€"}


def split(text: str) -> LogArguments:
    return split_log_arguments(text, TODAY, KPI_NAMES, lambda name: UNITS.get(name.casefold(), ""))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "instagram followers 12.4k yesterday after the giveaway",
            LogArguments("instagram followers", "12.4k", date(2026, 11, 23), "after the giveaway"),
        ),
        ("instagram followers 12,400", LogArguments("instagram followers", "12,400", None, "")),
        ("ig_followers 12400", LogArguments("ig_followers", "12400", None, "")),
        ("followers 12k", LogArguments("followers", "12k", None, "")),
        (
            "ig followers 12k, giveaway ended",
            LogArguments("ig followers", "12k", None, "giveaway ended"),
        ),
        (
            "instagram folowers 12.4k 20 nov",
            LogArguments("instagram folowers", "12.4k", date(2026, 11, 20), ""),
        ),
        (
            "instagram followers 12.4k last friday - campaign paused",
            LogArguments("instagram followers", "12.4k", date(2026, 11, 20), "campaign paused"),
        ),
        (
            "engagement rate 3.5% 3 days ago algorithm change",
            LogArguments("engagement rate", "3.5%", date(2026, 11, 21), "algorithm change"),
        ),
        ("q4 revenue €1.2M", LogArguments("q4 revenue", "€1.2M", None, "")),
        ("time to reply 2h", LogArguments("time to reply", "2h", None, "")),
        (
            "time to reply 90 min slow week",
            LogArguments("time to reply", "90 min", None, "slow week"),
        ),
        ("engagement rate 35 %", LogArguments("engagement rate", "35 %", None, "")),
        (
            "instagram followers 12k the 2 new posts did well",
            LogArguments("instagram followers", "12k", None, "the 2 new posts did well"),
        ),
    ],
)
def test_split_log_arguments(text: str, expected: LogArguments) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "kpi_text", "value_text", "note"),
    [
        ("top 10 posts 45", "top 10 posts", "45", ""),
        ("Top 10 posts 45 great week", "Top 10 posts", "45", "great week"),
        ("top 10 psts 45", "top 10 psts", "45", ""),  # a typo still beats "top" alone
        ("revenue 2024 1.2M", "revenue 2024", "1.2M", ""),  # the longer exact name wins
        ("revenue 1.2M 2024 was better", "revenue", "1.2M", "2024 was better"),
        ("2024 signups 300", "2024 signups", "300", ""),
        ("q4 revenue 12k", "q4 revenue", "12k", ""),
    ],
)
def test_a_kpi_name_may_contain_numbers(
    text: str, kpi_text: str, value_text: str, note: str
) -> None:
    arguments = split(text)
    assert (arguments.kpi_text, arguments.value_text, arguments.note) == (
        kpi_text,
        value_text,
        note,
    )


def test_a_date_with_a_name_with_numbers() -> None:
    assert split("top 10 posts 45 20 nov 2026 best month") == LogArguments(
        "top 10 posts", "45", date(2026, 11, 20), "best month"
    )


@pytest.mark.parametrize(
    "text",
    [
        "followers: 12.4k",
        "followers:12.4k",
        "followers = 12.4k",
        "followers=12.4k",
        '"followers" 12.4k',
        "“followers”: 12.4k",
        "'followers' = 12.4k",
    ],
)
def test_separators_and_quotes_around_the_name(text: str) -> None:
    assert split(text) == LogArguments("followers", "12.4k", None, "")


def test_quotes_keep_a_name_with_numbers_together() -> None:
    assert split('"top 10 posts" 45 yesterday') == LogArguments(
        "top 10 posts", "45", date(2026, 11, 23), ""
    )


def test_a_note_may_contain_colons_and_numbers() -> None:
    assert split("q4 revenue 12k yesterday ratio: 3 to 1") == LogArguments(
        "q4 revenue", "12k", date(2026, 11, 23), "ratio: 3 to 1"
    )


def test_a_note_may_start_with_a_negative_number() -> None:
    assert split("followers 12k -5% on last week").note == "-5% on last week"


def test_an_unknown_name_is_split_at_the_first_value_so_the_reply_can_name_it() -> None:
    assert split("xyz 10 20") == LogArguments("xyz", "10", None, "20")


def test_a_value_with_the_wrong_unit_is_still_taken_as_the_value() -> None:
    """parse_value then says what is wrong with it, instead of "what was the value?"."""
    assert split("instagram followers 35%").value_text == "35%"


@pytest.mark.parametrize("text", ["instagram followers", "instagram followers great week", '"q4"'])
def test_a_missing_value_is_asked_for(text: str) -> None:
    with pytest.raises(UserError, match="What was the value"):
        split(text)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_gets_an_example(text: str) -> None:
    with pytest.raises(UserError, match="/kpi log instagram followers 12.4k"):
        split(text)


def test_a_missing_kpi_is_asked_for() -> None:
    with pytest.raises(UserError, match="Which KPI is 12.4k for"):
        split("12.4k")


def test_an_ambiguous_date_after_the_value_is_questioned() -> None:
    with pytest.raises(UserError, match="could be"):
        split("followers 12k 3/4")
