"""Reading KPI values the way people type them, and writing them the way people read them.

People type `12400`, `12,400`, `12 400`, `12.4k`, `1.2M`, `35%`, `€1,200`, `52 000 €` or `3,5`;
replies show `12,400`, `1.25M`, `35%`, `€1,200` and changes as `+1,200` or `+2.5 pts`. Negative
numbers are written with a real minus sign (−), which `parse_value` also reads back.

`parse_value` is the one reader of values: `/kpi log`, the Log-reading modal, the readings CSV and
the scorecard file all use it. When a number could be read two ways and nothing settles it, it
raises `AmbiguousValue` (a Question) with both readings, and the caller asks which one was meant:

- `12,000` or `1.350`: one separator before exactly three digits is a thousands separator or a
  decimal mark. Settled, in this order, by the scorecard's `number_format` setting, by the KPI's
  scale (its baseline, target and latest reading: `12,000` followers is 12000 when the KPI is
  around 10,000), then by the number format usual where the scorecard's time zone is
  (`usual_number_format`). `0,500`, `3,5`, `1,234.5`, `1.234.567` and `12 400` settle themselves.
- `0.04` on a KPI kept in % whose scale is 3%: 0.04% or 4%? Typing the `%` settles it.
"""

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from babel.core import UnknownLocaleError, get_global
from babel.languages import get_official_languages
from babel.numbers import get_decimal_symbol, get_group_symbol

from scorecard.errors import Question, UserError

CURRENCY_SYMBOLS = ("€", "$", "£")
CURRENCY_CODES = ("eur", "usd", "gbp")
CURRENCY_OF_CODE = {"eur": "€", "usd": "$", "gbp": "£"}
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
# Units that agree with their number ("1 hour", "2 guests") follow English rules; these don't.
PLURAL_OF = {"person": "people", "child": "children"}
SINGULAR_OF = {plural: singular for singular, plural in PLURAL_OF.items()}
UNCHANGING_UNITS = frozenset(
    ("min", "mins", "sec", "secs", "hrs", "pts", "pct", "percent", "kwh", "news", "series")
)
# Below this, numbers are shown in full with thousands separators; from it on as 1.25M or 2.5bn.
SHORT_FORM_FROM = 1e6
# A reading within this factor of a KPI's scale is plausible; one at least OFF_SCALE times away
# from it is not. Used to settle `12,000` (12000 or 12) and to ask "0.04% or 4%?".
ON_SCALE = 10.0
OFF_SCALE = 30.0
# Spaces that group digits: a plain space, the no-break space (Excel, macOS) and the narrow
# no-break space (French and Swiss formats); and the apostrophes of Swiss formats.
GROUPING_SPACES = " \u00a0\u202f"
GROUPING_APOSTROPHES = "'’"


@dataclass(frozen=True)
class NumberFormat:
    """How a scorecard writes numbers: its decimal mark and its thousands separator."""

    setting: str  # as written in the scorecard file: "1,234.5", "1.234,5" or "1 234,5"
    decimal: str  # "." or ","

    def reads_as_decimal(self, separator: str) -> bool:
        """Whether `separator` ("." or ",") before three digits is this format's decimal mark."""
        return separator == self.decimal


NUMBER_FORMATS = {
    "1,234.5": NumberFormat("1,234.5", "."),
    "1.234,5": NumberFormat("1.234,5", ","),
    "1 234,5": NumberFormat("1 234,5", ","),
}


class AmbiguousValue(Question):
    """The typed number reads two ways (`readings`, in the KPI's unit) and nothing settled which.

    Raised without choices: the caller knows the command to offer for each reading."""

    def __init__(self, message: str, typed: str, readings: Sequence[float]) -> None:
        super().__init__(message)
        self.typed = typed
        self.readings = tuple(readings)


def number_format_named(setting: str) -> NumberFormat:
    """The NumberFormat of a `number_format` setting; UserError naming the ones there are."""
    found = NUMBER_FORMATS.get(setting.strip().replace("\u00a0", " ").replace("\u202f", " "))
    if found is None:
        known = ", ".join(f"“{name}”" for name in NUMBER_FORMATS)
        raise UserError(f"“{setting}” is not a number format: use one of {known}")
    return found


@functools.lru_cache(maxsize=256)
def usual_number_format(timezone: str) -> NumberFormat | None:
    """The number format usual where `timezone` is (Europe/Amsterdam -> 1.234,5), or None where
    that can't be told (UTC). Time zone -> territory -> its main language, via Babel's CLDR data."""
    territory = get_global("zone_territories").get(timezone)
    languages = get_official_languages(territory, de_facto=True) if territory else ()
    if not languages:
        return None
    try:
        locale = f"{languages[0]}_{territory}"
        decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    except (UnknownLocaleError, ValueError):
        return None
    if decimal == ".":
        return NUMBER_FORMATS["1,234.5"]
    if decimal == ",":
        return NUMBER_FORMATS["1.234,5" if group == "." else "1 234,5"]
    return None


# Plus, ASCII hyphen-minus, the minus sign and the en dash people paste from documents.
_SIGN = r"[+\-−–]"
_LEADING = re.compile(rf"^({_SIGN}?)\s*([€$£]?)\s*({_SIGN}?)\s*")
_DIGITS = re.compile(rf"^[.,]?\d(?:[\d.,{GROUPING_SPACES}{GROUPING_APOSTROPHES}]*\d)?")
_TRAILING_PUNCTUATION = ".,;:!?"


def parse_value(
    text: str,
    unit: str = "",
    *,
    number_format: NumberFormat | None = None,
    usual_format: NumberFormat | None = None,
    scale: Sequence[float] = (),
) -> float:
    """The number in `text`, for a KPI counted in `unit`; a UserError explains anything else.

    `number_format` is the scorecard's own setting, `usual_format` the one usual in its time zone,
    `scale` the KPI's baseline, target and latest reading: together they settle `12,000` (see the
    module docstring). Raises AmbiguousValue when nothing does, or when a value typed without `%`
    for a KPI kept in % is a hundred times off its scale.
    """
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
    readings = _readings(digits.group()) if digits else ()
    if digits is None or not readings:
        raise UserError(f"“{typed}” isn't a number. Try {_examples(unit)}.")
    if currency:
        _check_currency(currency, unit, typed)
    suffix = rest[digits.end() :].strip()
    factor = _scale(suffix, unit, typed)
    negative = bool(signs) and signs != "+"
    values = [-number * factor if negative else number * factor for number in readings]
    if any(not math.isfinite(value) for value in values):
        raise UserError(f"“{typed}” is too big to be a reading.")
    if len(values) > 1:
        separator = "," if "," in digits.group() else "."
        value = _settle(values, separator, typed, number_format, usual_format, scale, unit)
    else:
        value = values[0]
    if _is_percent(unit) and not suffix:
        _check_percent_scale(value, typed, scale)
    return value


def looks_like_value(token: str, unit: str = "") -> bool:
    """Would `parse_value` accept this? Used to tell a value from the words of a name or note.

    A number that reads two ways is still a value: the question comes once the KPI is known."""
    try:
        parse_value(token, unit)
    except AmbiguousValue:
        return True
    except UserError:
        return False
    return True


def unmistakable(value: float, unit: str = "") -> str:
    """A value written so nobody can misread its separators, whatever they are used to: digits
    grouped by spaces and a decimal point, "1 350" or "1.35", with the unit ("€52 000")."""
    whole, _, fraction = plain_number(value).partition(".")
    sign = MINUS if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}".replace(",", " ")
    return sign + _with_unit(grouped + (f".{fraction.rstrip('0')}" if fraction else ""), unit)


def plain_number(value: float) -> str:
    """A number written so any parser reads it one way: 1350, 1.35, −0.04 as "-0.04", and
    1.125 as "1.1250" (three decimals alone could be read as 1,125)."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    if text in ("", "-0"):
        return "0"
    whole, _, fraction = text.partition(".")
    return f"{text}0" if len(fraction) == 3 and whole.lstrip("-") != "0" else text


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


def _readings(digits: str) -> tuple[float, ...]:
    """The numbers "12,400", "12 400", "3,5", "1.234,5" or "1.350" can be: one, two when a single
    separator before exactly three digits may be a decimal mark or a thousands separator (the
    grouped reading first), none when the separators make no sense."""
    if digits[-1] in ".,":
        return ()
    for spacing in (GROUPING_SPACES, GROUPING_APOSTROPHES):
        if any(space in digits for space in spacing):
            whole, decimal, fraction = _split_decimal(re.sub(f"[{spacing}]", " ", digits))
            groups = whole.split(" ")
            if not _is_grouped(groups) or (decimal and not fraction.isdigit()):
                return ()
            return (float(f"{''.join(groups)}.{fraction or 0}"),)
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        whole, _, fraction = digits.rpartition(decimal)
        grouping = "." if decimal == "," else ","
        if not fraction.isdigit() or not (whole.isdigit() or _is_grouped(whole.split(grouping))):
            return ()
        return (float(f"{whole.replace(grouping, '')}.{fraction}"),)
    separator = "," if "," in digits else "." if "." in digits else ""
    if not separator:
        return (float(digits),)
    parts = digits.split(separator)
    if len(parts) > 2:
        return (float("".join(parts)),) if _is_grouped(parts) else ()
    whole, fraction = parts
    as_decimal = float(f"{whole or 0}.{fraction}") if fraction.isdigit() else None
    if as_decimal is None:
        return ()
    if _is_grouped(parts):
        return (float(whole + fraction), as_decimal)
    return (as_decimal,)


def _split_decimal(digits: str) -> tuple[str, str, str]:
    """ "1 234,5" -> ("1 234", ",", "5"); without a decimal mark, ("1 234", "", "")."""
    at = max(digits.rfind(","), digits.rfind("."))
    if at < 0:
        return digits, "", ""
    return digits[:at], digits[at], digits[at + 1 :]


def _is_grouped(groups: Sequence[str]) -> bool:
    """["12", "400"] and ["1", "234", "567"] group thousands; ["0", "500"], ["12", "40"] don't."""
    head, *rest = groups
    return (
        bool(rest)
        and 1 <= len(head) <= 3
        and head.isdigit()
        and not head.startswith("0")
        and all(len(group) == 3 and group.isdigit() for group in rest)
    )


def _settle(
    readings: Sequence[float],
    separator: str,
    typed: str,
    number_format: NumberFormat | None,
    usual_format: NumberFormat | None,
    scale: Sequence[float],
    unit: str,
) -> float:
    """Which of a grouped and a decimal reading was meant; AmbiguousValue when nothing says."""
    grouped, decimal = readings
    if number_format is not None:
        return decimal if number_format.reads_as_decimal(separator) else grouped
    plausible = [value for value in readings if _on_scale(value, scale)]
    implausible = [value for value in readings if _off_scale(value, scale)]
    if len(plausible) == 1 and len(implausible) == 1:
        return plausible[0]
    if usual_format is not None:
        return decimal if usual_format.reads_as_decimal(separator) else grouped
    raise AmbiguousValue(
        f"Is “{typed}” {unmistakable(grouped, unit)} or {unmistakable(decimal, unit)}? "
        f"Set `number_format` in the scorecard's settings to stop this question.",
        typed,
        readings,
    )


def _check_percent_scale(value: float, typed: str, scale: Sequence[float]) -> None:
    """ "0.04" for a KPI whose target is 3%: the person may have typed a fraction for 4%."""
    if value == 0 or not _off_scale(value, scale):
        return
    for other in (value * 100, value / 100):
        if _on_scale(other, scale):
            shown = sorted((value, other), key=abs)
            raise AmbiguousValue(
                f"Is “{typed}” {format_value(shown[0], '%')} or {format_value(shown[1], '%')}? "
                "Type the % sign to say which.",
                typed,
                shown,
            )


def _ratio_to_scale(value: float, scale: Sequence[float]) -> float | None:
    """How many times `value` is from the nearest of the scale's non-zero numbers (1 = equal)."""
    magnitudes = [abs(number) for number in scale if number]
    if not value or not magnitudes:
        return None
    return min(max(abs(value) / m, m / abs(value)) for m in magnitudes)


def _on_scale(value: float, scale: Sequence[float]) -> bool:
    ratio = _ratio_to_scale(value, scale)
    return ratio is not None and ratio < ON_SCALE


def _off_scale(value: float, scale: Sequence[float]) -> bool:
    ratio = _ratio_to_scale(value, scale)
    return ratio is not None and ratio >= OFF_SCALE


def _check_currency(currency: str, unit: str, typed: str) -> None:
    """ "$52k" for a KPI kept in €: refused, never converted."""
    kept_in = _currency_of(unit)
    if not _is_money(unit):
        raise UserError(f"“{typed}” is an amount of money, but this KPI counts {unit}.")
    if kept_in and currency != kept_in:
        raise UserError(
            f"“{typed}” is in {currency}, but this KPI is kept in {kept_in}, and I don't convert "
            f"currencies. Log the amount in {kept_in}, like {kept_in}52,000."
        )


def _currency_of(unit: str) -> str:
    """ "€" for a KPI kept in "€" or "EUR"; "" when its unit is not a currency."""
    unit = unit.strip()
    return unit if unit in CURRENCY_SYMBOLS else CURRENCY_OF_CODE.get(unit.casefold(), "")


def _is_percent(unit: str) -> bool:
    return unit.strip().casefold() in PERCENT_UNITS


def _scale(suffix: str, unit: str, typed: str) -> float:
    """What the text after the digits multiplies the number by: "k" 1000, "%" 1, "min" for h..."""
    wanted = unit.strip().casefold()
    found = suffix.casefold()
    if not found or found == wanted:
        return 1.0
    if found in CURRENCY_SYMBOLS or found in CURRENCY_CODES:
        _check_currency(CURRENCY_OF_CODE.get(found, found), unit, typed)
        return 1.0
    if found in PERCENT_UNITS:
        if wanted in ("", *PERCENT_UNITS):
            return 1.0
        raise UserError(
            f"“{typed}” is a percentage, but this KPI counts {unit}. Try 12400 or 12.4k."
        )
    if wanted in SECONDS_PER and found in SECONDS_PER:
        return SECONDS_PER[found] / SECONDS_PER[wanted]
    multiplier = re.match(r"^(thousand|million|billion|bn|mn|k|m|b)\b\s*(.*)$", found)
    money = (*CURRENCY_SYMBOLS, *CURRENCY_CODES) if _is_money(unit) else ()
    if multiplier and multiplier.group(2) in ("", wanted, *money):
        if multiplier.group(2) in money:
            money_word = multiplier.group(2)
            _check_currency(CURRENCY_OF_CODE.get(money_word, money_word), unit, typed)
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
    return f"{number} {unit_agreeing(unit, number == '1')}"


def unit_agreeing(unit: str, one: bool) -> str:
    """A unit written as a word, agreeing with its number: ("hours", one) -> "hour",
    ("guest", not one) -> "guests". Abbreviations ("h", "min", "km") and symbols stay as they are;
    only the last word of a unit changes ("active users" -> "active user")."""
    head, _, word = unit.rpartition(" ")
    if not word.isalpha() or word.casefold() in UNCHANGING_UNITS or len(word) < 3:
        return unit
    singular = SINGULAR_OF.get(word) or _singular(word)
    changed = (
        singular
        if one
        else PLURAL_OF.get(singular) or (word if word != singular else _plural(word))
    )
    return f"{head} {changed}" if head else changed


def _singular(word: str) -> str:
    """ "stories" -> "story", "guests" -> "guest", "boxes" -> "box"; a word that isn't plural as
    it is."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if _looks_plural(word) else word


def _plural(word: str) -> str:
    """ "story" -> "stories", "box" -> "boxes", "guest" -> "guests"."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    if word.endswith(("x", "ch", "sh")):
        return word + "es"
    return word + "s"


def _looks_plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3
