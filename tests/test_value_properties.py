"""Properties of the one value parser and the `/kpi log` splitter, checked with Hypothesis: any
number written in any supported style reads back as itself, no input crashes them, and every
refusal says something to the person."""

import re
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.dates import parse_day
from scorecard.errors import Question, UserError
from scorecard.log_arguments import split_log_arguments
from scorecard.values import NUMBER_FORMATS, NumberFormat, format_value, parse_value

TODAY = date(2026, 11, 24)
# Locales whose way of writing numbers people paste: decimal point or comma, and thousands
# grouped by comma, dot, (narrow) no-break space or apostrophe.
LOCALES = ("en_US", "en_GB", "de_DE", "nl_NL", "fr_FR", "de_CH", "es_ES", "pt_BR", "sv_SE", "it_IT")
KPI_NAMES = ["Instagram followers", "Engagement rate", "Top 10 posts", "Response time"]
UNITS = {"engagement rate": "%", "response time": "h"}

# Amounts with up to two decimals, as readings are typed.
amounts = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("999999999"), places=2, allow_nan=False
).map(lambda amount: amount.normalize())


def number_format_of(locale: str) -> NumberFormat:
    written = format_decimal(1234.5, locale=locale)
    return NUMBER_FORMATS["1,234.5" if written.endswith(".5") else "1.234,5"]


@given(amount=amounts, locale=st.sampled_from(LOCALES))
def test_a_number_written_the_way_a_locale_writes_it_reads_back(
    amount: Decimal, locale: str
) -> None:
    written = format_decimal(amount, locale=locale, decimal_quantization=False)

    assert parse_value(written, number_format=number_format_of(locale)) == float(amount)


@given(
    amount=amounts,
    style=st.sampled_from(sorted(NUMBER_FORMATS)),
    space=st.sampled_from(" \u00a0\u202f"),
)
def test_a_number_in_each_setting_style_reads_back(amount: Decimal, style: str, space: str) -> None:
    whole, _, fraction = f"{amount:f}".partition(".")
    group = {"1,234.5": ",", "1.234,5": ".", "1 234,5": space}[style]
    decimal = "." if style == "1,234.5" else ","
    grouped = f"{int(whole):,}".replace(",", group)
    written = grouped + (decimal + fraction if fraction else "")

    assert parse_value(written, number_format=NUMBER_FORMATS[style]) == float(amount)


@given(amount=amounts)
def test_a_number_grouped_with_spaces_needs_no_setting(amount: Decimal) -> None:
    whole, _, fraction = f"{amount:f}".partition(".")
    written = f"{int(whole):,}".replace(",", "\u202f") + (f",{fraction}" if fraction else "")

    value = parse_value(written)

    assert value == float(amount)


@given(amount=amounts.filter(lambda amount: amount < 1_000_000))
def test_a_value_a_reply_shows_reads_back(amount: Decimal) -> None:
    shown = format_value(float(amount))

    assert parse_value(shown, number_format=NUMBER_FORMATS["1,234.5"]) == float(round(amount, 2))


@settings(max_examples=300)
@given(text=st.text(), unit=st.sampled_from(["", "%", "€", "h", "followers"]))
def test_no_input_crashes_the_value_parser_and_every_refusal_says_why(text: str, unit: str) -> None:
    try:
        parse_value(text, unit)
    except UserError as refusal:
        assert refusal.message.strip()


@settings(max_examples=300)
@given(
    text=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "instagram",
                    "followers",
                    "top",
                    "10",
                    "posts",
                    "12.4k",
                    "12",
                    "400",
                    "1.350",
                    "yesterday",
                    "on",
                    "friday",
                    "last",
                    "of",
                    "october",
                    "20",
                    "nov",
                    "3/4",
                    "31.11.2026",
                    "2026-11-20",
                    "tomorrow",
                    "€",
                    "%",
                    ":",
                    "=",
                    "-",
                    "in",
                    "3",
                    "days",
                    "ago",
                    "20th",
                    "“",
                    "'",
                    "q&a",
                ]
            ),
            st.text(max_size=8),
        ),
        max_size=8,
    ).map(" ".join)
)
def test_no_text_crashes_the_log_splitter_and_every_refusal_says_why(text: str) -> None:
    try:
        arguments = split_log_arguments(
            text, TODAY, KPI_NAMES, lambda name: UNITS.get(name.casefold(), "")
        )
    except UserError as refusal:
        assert refusal.message.strip()
        if isinstance(refusal, Question):
            assert all(choice.text.strip() for choice in refusal.choices)
        return
    placed = [arguments.kpi_text, arguments.value_text, arguments.day_text, arguments.note]
    # Nothing typed is dropped: every word (bar separators) is in one of the parts.
    kept = " ".join(placed)
    # A separator may also stand inside a word ("followers:12k", "A:0"): its pieces are kept.
    for word in text.split():
        for piece in re.split(r"[:=;]", word):
            piece = piece.strip(":=-–—,;\"“”'‘’")
            assert not piece or piece in kept


@given(words=st.lists(st.text(max_size=10), max_size=6))
def test_no_words_crash_the_date_parser(words: list[str]) -> None:
    try:
        found = parse_day(words, TODAY)
    except UserError as refusal:
        assert refusal.message.strip()
        return
    assert found is None or 1 <= found[1] <= len(words)
