"""Reading KPI values the way people type them, and writing them the way people read them.

People type `12400`, `12,400`, `12.4k`, `1.2M`, `35%`, `€1,200` or `3,5`; replies show `12,400`,
`1.25M`, `35%`, `€1,200` and changes as `+1,200` or `+2.5 pts`. Negative numbers are written with
a real minus sign (−), which `parse_value` also reads back.
"""

import math
import re

from scorecard.errors import UserError

CURRENCY_SYMBOLS = ("€", "$", "£")
CURRENCY_CODES = ("eur", "usd", "gbp")
PERCENT_UNITS = ("%", "percent", "pct")
MINUS = "−"
NO_VALUE = "—"

# Suffixes that scale a number. A suffix that is also the KPI's unit ("5m" for metres) is the unit.
MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
# Durations a KPI may be counted in, in seconds, so "90 min" can be logged to a KPI in hours.
# "m" is left out on purpose: in "1.5m" it means million.
SECONDS_PER = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
}
# Below this, numbers are shown in full with thousands separators; from it on as 1.25M or 2.5bn.
SHORT_FORM_FROM = 1e6

# Plus, ASCII hyphen-minus, the minus sign and the en dash people paste from documents.
_SIGN = r"[+\-−–]"
_LEADING = re.compile(rf"^({_SIGN}?)\s*([€$£]?)\s*({_SIGN}?)\s*")
_DIGITS = re.compile(r"^[.,]?\d[\d.,]*")
_TRAILING_PUNCTUATION = ".,;:!?"


def parse_value(text: str, unit: str = "") -> float:
    """The number in `text`, for a KPI counted in `unit`; a UserError explains anything else."""
    typed = _shortened(text.strip())
    cleaned = text.strip().rstrip(_TRAILING_PUNCTUATION).strip()
    if not cleaned:
        raise UserError(f"What was the value? Try {_examples(unit)}.")
    leading = _LEADING.match(cleaned)
    assert leading is not None  # every part of the pattern is optional
    sign, currency, second_sign = leading.groups()
    signs = sign + second_sign  # "-$5" and "$-5" both mean minus five dollars
    if len(signs) > 1:
        raise UserError(f"“{typed}” has two signs. Try {_examples(unit)}.")
    rest = cleaned[leading.end() :]
    digits = _DIGITS.match(rest)
    number = _plain_number(digits.group()) if digits else None
    if number is None:
        raise UserError(f"“{typed}” isn't a number. Try {_examples(unit)}.")
    if currency and not _is_money(unit):
        raise UserError(f"“{typed}” is an amount of money, but this KPI counts {unit}.")
    scale = _scale(rest[digits.end() :].strip(), unit, typed)
    value = -number * scale if signs and signs != "+" else number * scale
    if not math.isfinite(value):
        raise UserError(f"“{typed}” is too big to be a reading.")
    return value


def looks_like_value(token: str, unit: str = "") -> bool:
    """Would `parse_value` accept this? Used to tell a value from the words of a name or note."""
    try:
        parse_value(token, unit)
    except UserError:
        return False
    return True


def format_value(value: float | None, unit: str = "") -> str:
    """12400 -> "12,400", 1250000 -> "1.25M", (35, "%") -> "35%", (1200, "€") -> "€1,200".

    Up to 2 decimals (3 significant figures below 1), no trailing zeros; None -> "—".
    """
    if value is None:
        return NO_VALUE
    sign = MINUS if value < 0 and _number(abs(value)) != "0" else ""
    return sign + _with_unit(_number(abs(value)), unit)


def format_change(change: float | None, unit: str = "") -> str:
    """+1,200, −300 or ±0; for percentages, percentage points: +2.5 pts. None -> "" (no change
    to show), so a template can leave the phrase out."""
    if change is None:
        return ""
    magnitude = _number(abs(change))
    sign = "±" if magnitude == "0" else ("+" if change > 0 else MINUS)
    if unit.strip().casefold() in PERCENT_UNITS:
        return f"{sign}{magnitude} {'pt' if magnitude == '1' else 'pts'}"
    return sign + _with_unit(magnitude, unit)


def _plain_number(digits: str) -> float | None:
    """The number in "12,400", "3,5", "1.234,5" or "12.4", or None if its separators make no sense.

    A comma followed by exactly three digits groups thousands (English style); any other single
    comma is a decimal comma. When both appear, the last one is the decimal separator.
    """
    if digits[-1] in ".,":
        return None
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        whole, _, fraction = digits.rpartition(decimal)
        grouping = "." if decimal == "," else ","
        if not fraction.isdigit() or not (whole.isdigit() or _is_grouped(whole, grouping)):
            return None
        return float(f"{whole.replace(grouping, '')}.{fraction}")
    if "," in digits:
        if _is_grouped(digits, ","):
            return float(digits.replace(",", ""))
        return float(digits.replace(",", ".")) if digits.count(",") == 1 else None
    if digits.count(".") > 1:
        return float(digits.replace(".", "")) if _is_grouped(digits, ".") else None
    return float(digits)


def _is_grouped(digits: str, separator: str) -> bool:
    head, *groups = digits.split(separator)
    return (
        bool(groups)
        and 1 <= len(head) <= 3
        and head.isdigit()
        and all(len(group) == 3 and group.isdigit() for group in groups)
    )


def _scale(suffix: str, unit: str, typed: str) -> float:
    """What the text after the digits multiplies the number by: "k" 1000, "%" 1, "min" for h..."""
    wanted = unit.strip().casefold()
    found = suffix.casefold()
    if not found or found == wanted:
        return 1.0
    if found in CURRENCY_SYMBOLS or found in CURRENCY_CODES:
        if _is_money(unit):
            return 1.0
        raise UserError(f"“{typed}” is an amount of money, but this KPI counts {unit}.")
    if found in PERCENT_UNITS:
        if wanted in ("", *PERCENT_UNITS):
            return 1.0
        raise UserError(
            f"“{typed}” is a percentage, but this KPI counts {unit}. Try 12400 or 12.4k."
        )
    if wanted in SECONDS_PER and found in SECONDS_PER:
        return SECONDS_PER[found] / SECONDS_PER[wanted]
    multiplier = re.match(r"^(thousand|million|billion|bn|mn|k|m|b)\b\s*(.*)$", found)
    money = CURRENCY_SYMBOLS if _is_money(unit) else ()
    if multiplier and multiplier.group(2) in ("", wanted, *money):
        return MULTIPLIERS[multiplier.group(1)]
    if wanted:
        raise UserError(f"I can't read “{typed}” as {unit}. Try {_examples(unit)}.")
    raise UserError(f"“{typed}” isn't a number. Try {_examples(unit)}.")


def _shortened(typed: str) -> str:
    """What the person typed, short enough to quote back in a reply."""
    return typed if len(typed) <= 40 else typed[:39] + "…"


def _is_money(unit: str) -> bool:
    return unit.strip() in ("", *CURRENCY_SYMBOLS) or unit.strip().casefold() in CURRENCY_CODES


def _examples(unit: str) -> str:
    if unit.strip().casefold() in PERCENT_UNITS:
        return "35 or 35%"
    if unit.strip() in CURRENCY_SYMBOLS:
        return f"1200, {unit.strip()}1,200 or 1.2k"
    if unit.strip().casefold() in SECONDS_PER:
        return f"2 or 2{unit.strip()}"
    return "12400, 12.4k or 35%"


def _number(magnitude: float) -> str:
    """A non-negative number as people read it: 12,400 · 3.5 · 0.0042 · 1.25M · 2.5bn."""
    if magnitude == 0:
        return "0"
    decimals = 2 if magnitude >= 1 else min(9, 2 - math.floor(math.log10(magnitude)))
    rounded = round(magnitude, decimals)
    if rounded < SHORT_FORM_FROM:
        return _trim(f"{rounded:,.{decimals}f}")
    millions = round(rounded / 1e6, 2)
    if millions < 1000:
        return _trim(f"{millions:,.2f}") + "M"
    return _trim(f"{rounded / 1e9:,.2f}") + "bn"


def _trim(number: str) -> str:
    return number.rstrip("0").rstrip(".") if "." in number else number


def _with_unit(number: str, unit: str) -> str:
    unit = unit.strip()
    if not unit:
        return number
    if unit in CURRENCY_SYMBOLS:
        return unit + number
    if unit == "%":
        return number + "%"
    return f"{number} {unit}"
