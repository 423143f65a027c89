"""The scorecard file: the YAML a team keeps next to its code, read and checked in full.

Checking is all-or-nothing and reports every problem at once, each with where it is (`kpis[3]
(instagram_followers), line 42`), so one run of `scorecard import` shows everything to fix.
Items are numbered from 1, as a person counts them in the file.

Each list section (perspectives, objectives, ...) is one parse function plus one entry in
`SECTIONS`; a section may refer to the keys of the sections before it.
"""

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from scorecard.errors import UserError
from scorecard.schedules import DEFAULT_SCHEDULE_TEXT, parse_schedule
from scorecard.values import parse_value
from scorecard.vocabulary import (
    ACTION_STATUSES,
    ACTIVE,
    DEFAULT_AT_RISK_TOLERANCE,
    DEFAULT_PERSPECTIVES,
    DEFAULT_STALL_AFTER_DAYS,
    DEFAULT_TIMEZONE,
    DIRECTIONS,
    FREQUENCIES,
    KPI_KINDS,
    UP,
)

DEFAULT_FREQUENCY = "weekly"
SECTION_LINE = -1  # the index under which load_yaml records where a section itself starts
DEFAULT_WEIGHT = 1.0
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
WORKSPACE_PATTERN = re.compile(r"^[TE][A-Z0-9]{2,31}$")
# Slack user ids; `<@U123>`, `<@U123|ann>` and `@U123` are accepted and cut down to `U123`.
USER_ID_PATTERN = re.compile(r"^[UW][A-Z0-9]{2,}$")
MENTION_PATTERN = re.compile(r"^<@([^|>]+)(\|[^>]*)?>$")
CHANNEL_ID_PATTERN = re.compile(r"^[CGD][A-Z0-9]{2,}$")
CHANNEL_MENTION_PATTERN = re.compile(r"^<#([^|>]+)(\|[^>]*)?>$")


@dataclass(frozen=True)
class SettingsSpec:
    at_risk_tolerance: float = DEFAULT_AT_RISK_TOLERANCE
    stall_after_days: int = DEFAULT_STALL_AFTER_DAYS


@dataclass(frozen=True)
class PerspectiveSpec:
    key: str
    name: str


@dataclass(frozen=True)
class ObjectiveSpec:
    key: str
    title: str
    perspective: str
    owner: str | None = None
    supports: tuple[str, ...] = ()
    weight: float = DEFAULT_WEIGHT
    theme: str | None = None
    description: str = ""


@dataclass(frozen=True)
class KpiSpec:
    key: str
    name: str
    objective: str | None = None
    unit: str = ""
    baseline: float = 0.0
    target: float = 0.0
    direction: str = UP
    frequency: str = DEFAULT_FREQUENCY
    owner: str | None = None
    target_date: date | None = None
    baseline_date: date | None = None
    kind: str | None = None
    weight: float = DEFAULT_WEIGHT


@dataclass(frozen=True)
class ActionSpec:
    """`last_update` is the day of the latest progress update, which stall detection reads."""

    key: str
    title: str
    objective: str | None = None
    owner: str | None = None
    due: date | None = None
    status: str = ACTIVE
    stall_after_days: int | None = None
    last_update: date | None = None


@dataclass(frozen=True)
class DigestSpec:
    """A channel that gets the digest; `schedule` is stored in its canonical words."""

    channel: str
    schedule: str = DEFAULT_SCHEDULE_TEXT


DEFAULT_PERSPECTIVE_SPECS = tuple(PerspectiveSpec(key, name) for key, name in DEFAULT_PERSPECTIVES)


@dataclass(frozen=True)
class ScorecardSpec:
    workspace: str
    name: str
    mission: str = ""
    timezone: str = DEFAULT_TIMEZONE
    settings: SettingsSpec = field(default_factory=SettingsSpec)
    perspectives: tuple[PerspectiveSpec, ...] = DEFAULT_PERSPECTIVE_SPECS
    objectives: tuple[ObjectiveSpec, ...] = ()
    kpis: tuple[KpiSpec, ...] = ()
    actions: tuple[ActionSpec, ...] = ()
    digests: tuple[DigestSpec, ...] = ()


class ScorecardFileError(UserError):
    """The file can't be imported; `problems` lists every reason, each saying where."""

    def __init__(self, problems: list[str]) -> None:
        count = "a problem" if len(problems) == 1 else f"{len(problems)} problems"
        lines = "\n".join(f"- {problem}" for problem in problems)
        super().__init__(f"The scorecard file has {count}, so nothing was imported:\n{lines}")
        self.problems = problems


# --- Reading single values -------------------------------------------------------------------


class Invalid(Exception):
    """A field's value can't be used; the message says why, for the person editing the file."""


Reader = Callable[[Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Rule:
    read: Reader
    required: bool = False


def read_text(value: Any, item: Mapping[str, Any]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(f"should be text, not {describe_type(value)} (put it in quotes)")
    return str(value).strip()


def read_key(value: Any, item: Mapping[str, Any]) -> str:
    text = read_text(value, item)
    if not KEY_PATTERN.match(text):
        raise Invalid(
            f"“{text}” can't be a key: use letters, digits, `_` and `-`, like `instagram_followers`"
        )
    return text


def read_number(value: Any, item: Mapping[str, Any]) -> float:
    if isinstance(value, bool):
        raise Invalid(f"should be a number, not {describe_type(value)}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        unit = item.get("unit")
        try:
            number = parse_value(value, unit if isinstance(unit, str) else "")
        except UserError as error:
            raise Invalid(error.message.rstrip(".")) from None
    else:
        raise Invalid(f"should be a number, not {describe_type(value)}")
    if not math.isfinite(number):
        raise Invalid("should be a finite number")
    return number


def read_weight(value: Any, item: Mapping[str, Any]) -> float:
    number = read_number(value, item)
    if number < 0:
        raise Invalid("can't be negative")
    return number


def read_days(value: Any, item: Mapping[str, Any]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(f"should be a whole number of days, 1 or more, not {show(value)}")
    return value


def read_share(value: Any, item: Mapping[str, Any]) -> float:
    """A share such as a tolerance: 0.1 or “10%”."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip().removesuffix("%")) / 100
        except ValueError:
            raise Invalid(f"“{value}” is not a share (write it like 0.1 or 10%)") from None
    else:
        number = read_number(value, {})
    if not 0 <= number < 1:
        raise Invalid(f"should be between 0 and 1 (0.1 means 10%), not {show(value)}")
    return number


def read_date(value: Any, item: Mapping[str, Any]) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"{show(value)} is not a date (write it as YYYY-MM-DD, like 2027-06-30)")


def read_owner(value: Any, item: Mapping[str, Any]) -> str:
    return read_user_id(read_text(value, item))


def read_user_id(text: str) -> str:
    mention = MENTION_PATTERN.match(text)
    user = (mention.group(1) if mention else text).strip().removeprefix("@").upper()
    if not USER_ID_PATTERN.match(user):
        raise Invalid(
            f"“{text}” is not a Slack user id: use one like U012AB3CD "
            "(in Slack: the person's profile → ⋮ → Copy member ID)"
        )
    return user


def read_keys(value: Any, item: Mapping[str, Any]) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(f"should be a list of keys, like [a, b], not {describe_type(value)}")
    return tuple(dict.fromkeys(read_key(each, item) for each in value))


def choice(options: Iterable[str]) -> Reader:
    options = tuple(options)

    def read_choice(value: Any, item: Mapping[str, Any]) -> str:
        text = read_text(value, item).lower()
        if text not in options:
            raise Invalid(f"“{value}” is not one of {', '.join(options)}{suggest(text, options)}")
        return text

    return read_choice


def read_timezone(value: Any, item: Mapping[str, Any]) -> str:
    name = read_text(value, item)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest(name, available_timezones()) or " (use a name like Europe/Amsterdam)"
        raise Invalid(f"“{name}” is not a known time zone{hint}") from None
    return name


def read_workspace(value: Any, item: Mapping[str, Any]) -> str:
    text = read_text(value, item)
    if not WORKSPACE_PATTERN.match(text):
        raise Invalid(f"“{text}” is not a Slack team id (like T012AB3C4)")
    return text


def describe_type(value: Any) -> str:
    if value is None:
        return "nothing"
    names = {bool: "yes/no", int: "a number", float: "a number", str: "text"}
    names |= {list: "a list", dict: "a mapping", date: "a date", datetime: "a date and time"}
    return names.get(type(value), type(value).__name__)


def show(value: Any) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return f"“{value}”"
    return describe_type(value)


def suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" — did you mean “{close[0]}”?" if close else ""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Reading items and sections --------------------------------------------------------------


@dataclass
class Row:
    """One item of a list section as read: its place, its fields, and whether all were usable."""

    where: str
    values: dict[str, Any]
    ok: bool


class Checker:
    """Collects problems, and the keys each section defines for the sections after it."""

    def __init__(self, lines: Mapping[tuple[str, int], int]) -> None:
        self.lines = lines
        self.found: list[tuple[int, str]] = []  # (line, problem); line 0 for the top level
        self.keys: dict[str, dict[str, str]] = {}  # section -> key -> where it is defined
        self.line_of: dict[str, int] = {}  # where -> line

    @property
    def problems(self) -> list[str]:
        """Every problem, in the order of the file."""
        return [problem for _, problem in sorted(self.found, key=lambda found: found[0])]

    def report(self, where: str, message: str) -> None:
        self.found.append((self.line_of.get(where, 0), f"{where}: {message}"))

    def read_fields(
        self, where: str, raw: Any, rules: Mapping[str, Rule], what: str
    ) -> tuple[dict[str, Any], bool]:
        """The usable fields of one mapping, read by `rules`, and whether all of them were."""
        if not isinstance(raw, dict):
            self.report(
                where,
                f"should be {what} with fields like {', '.join(list(rules)[:3])}, "
                f"not {describe_type(raw)}",
            )
            return {}, False
        ok = not self.report_unknown(where, raw, rules)
        values: dict[str, Any] = {}
        for name, rule in rules.items():
            value = raw.get(name)
            if is_blank(value):
                if rule.required:
                    ok = False
                    self.report(where, f"`{name}` is missing")
                continue
            try:
                values[name] = rule.read(value, raw)
            except Invalid as problem:
                ok = False
                self.report(where, f"`{name}`: {problem}")
        return values, ok

    def report_unknown(self, where: str, raw: Mapping[Any, Any], known: Iterable[str]) -> bool:
        """Report fields nobody reads (most likely typos); True if there were any."""
        known = list(known)
        unknown = [str(name) for name in raw if str(name) not in known]
        for name in unknown:
            hint = suggest(name, known) or f" (fields: {', '.join(known)})"
            self.report(where, f"unknown field “{name}”{hint}")
        return bool(unknown)

    def read_section(self, section: str, raw: Any, rules: Mapping[str, Rule]) -> list[Row]:
        """Every item of a list section; duplicate keys are problems, keys are remembered."""
        keys = self.keys.setdefault(section, {})
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.line_of[section] = self.lines.get((section, SECTION_LINE), 0)
            self.report(section, f"should be a list (“- key: …”), not {describe_type(raw)}")
            return []
        rows = []
        for index, item in enumerate(raw):
            where = self.where(section, index, item)
            values, ok = self.read_fields(where, item, rules, "an item")
            key = values.get("key") or self.loose_key(item)
            if key is not None:
                if key in keys:
                    self.report(where, f"duplicate key “{key}” (also used by {keys[key]})")
                    ok = False
                else:
                    keys[key] = where
            rows.append(Row(where, values, ok))
        return rows

    def check_reference(self, row: Row, name: str, section: str, noun: str) -> None:
        key = row.values.get(name)
        if key is None:
            return
        for each in key if isinstance(key, tuple) else (key,):
            known = self.keys.get(section, {})
            if each not in known:
                hint = suggest(each, known) or f" (add it to `{section}`)"
                self.report(row.where, f"`{name}`: there is no {noun} “{each}”{hint}")

    def where(self, section: str, index: int, item: Any) -> str:
        key = self.loose_key(item)
        label = f"{section}[{index + 1}]" + (f" ({key})" if key else "")
        line = self.lines.get((section, index))
        if not line:
            return label
        where = f"{label}, line {line}"
        self.line_of[where] = line
        return where

    @staticmethod
    def loose_key(item: Any) -> str | None:
        key = item.get("key") if isinstance(item, dict) else None
        return str(key) if isinstance(key, str | int) and not isinstance(key, bool) else None


PERSPECTIVE_RULES = {"key": Rule(read_key, required=True), "name": Rule(read_text, required=True)}

OBJECTIVE_RULES = {
    "key": Rule(read_key, required=True),
    "title": Rule(read_text, required=True),
    "perspective": Rule(read_key, required=True),
    "owner": Rule(read_owner),
    "supports": Rule(read_keys),
    "weight": Rule(read_weight),
    "theme": Rule(read_text),
    "description": Rule(read_text),
}

KPI_RULES = {
    "key": Rule(read_key, required=True),
    "name": Rule(read_text, required=True),
    "objective": Rule(read_key),
    "unit": Rule(read_text),
    "baseline": Rule(read_number),
    "target": Rule(read_number, required=True),
    "direction": Rule(choice(DIRECTIONS)),
    "frequency": Rule(choice(FREQUENCIES)),
    "owner": Rule(read_owner),
    "target_date": Rule(read_date),
    "baseline_date": Rule(read_date),
    "kind": Rule(choice(KPI_KINDS)),
    "weight": Rule(read_weight),
}

ACTION_RULES = {
    "key": Rule(read_key, required=True),
    "title": Rule(read_text, required=True),
    "objective": Rule(read_key),
    "owner": Rule(read_owner),
    "due": Rule(read_date),
    "status": Rule(choice(ACTION_STATUSES)),
    "stall_after_days": Rule(read_days),
    "last_update": Rule(read_date),
}


def parse_perspectives(raw: Any, checker: Checker) -> tuple[PerspectiveSpec, ...]:
    if raw is None:
        checker.keys["perspectives"] = {
            spec.key: "the default perspectives" for spec in DEFAULT_PERSPECTIVE_SPECS
        }
        return DEFAULT_PERSPECTIVE_SPECS
    rows = checker.read_section("perspectives", raw, PERSPECTIVE_RULES)
    return tuple(PerspectiveSpec(**row.values) for row in rows if row.ok)


def parse_objectives(raw: Any, checker: Checker) -> tuple[ObjectiveSpec, ...]:
    rows = checker.read_section("objectives", raw, OBJECTIVE_RULES)
    for row in rows:
        checker.check_reference(row, "perspective", "perspectives", "perspective")
        checker.check_reference(row, "supports", "objectives", "objective")
    keyed = [row.values for row in rows if "key" in row.values]
    supports = {values["key"]: values.get("supports", ()) for values in keyed}
    for cycle in find_cycles(supports):
        checker.report(
            checker.keys["objectives"][cycle[0]],
            f"`supports` goes round in a circle: {' → '.join(cycle)} "
            "(an objective can't end up supporting itself)",
        )
    return tuple(ObjectiveSpec(**row.values) for row in rows if row.ok)


def parse_kpis(raw: Any, checker: Checker) -> tuple[KpiSpec, ...]:
    rows = checker.read_section("kpis", raw, KPI_RULES)
    for row in rows:
        checker.check_reference(row, "objective", "objectives", "objective")
        start, end = row.values.get("baseline_date"), row.values.get("target_date")
        if start and end and end <= start:
            checker.report(row.where, "`target_date` should come after `baseline_date`")
    return tuple(KpiSpec(**row.values) for row in rows if row.ok)


def parse_actions(raw: Any, checker: Checker) -> tuple[ActionSpec, ...]:
    rows = checker.read_section("actions", raw, ACTION_RULES)
    for row in rows:
        checker.check_reference(row, "objective", "objectives", "objective")
    return tuple(ActionSpec(**row.values) for row in rows if row.ok)


def read_channel(value: Any, item: Mapping[str, Any]) -> str:
    """A Slack channel id; `<#C0123|general>` is cut down to `C0123`."""
    text = read_text(value, item)
    match = CHANNEL_MENTION_PATTERN.match(text)
    channel = match.group(1) if match else text
    if not CHANNEL_ID_PATTERN.match(channel):
        raise Invalid(f"“{text}” is not a channel id like C0123ABCD (not the channel's name)")
    return channel


def read_schedule(value: Any, item: Mapping[str, Any]) -> str:
    try:
        return parse_schedule(read_text(value, item)).canonical()
    except UserError as problem:
        raise Invalid(problem.message) from None


DIGEST_RULES = {"channel": Rule(read_channel, required=True), "schedule": Rule(read_schedule)}


def parse_digests(raw: Any, checker: Checker) -> tuple[DigestSpec, ...]:
    rows = checker.read_section("digests", raw, DIGEST_RULES)
    seen: dict[str, str] = {}
    for row in rows:
        channel = row.values.get("channel")
        if channel in seen:
            checker.report(row.where, f"channel {channel} is listed twice (also {seen[channel]})")
        elif channel:
            seen[channel] = row.where
    return tuple(DigestSpec(**row.values) for row in rows if row.ok)


@dataclass(frozen=True)
class Section:
    """A list section of the file; its name is also the ScorecardSpec field it fills."""

    name: str
    parse: Callable[[Any, Checker], tuple[Any, ...]]


SECTIONS = (
    Section("perspectives", parse_perspectives),
    Section("objectives", parse_objectives),
    Section("kpis", parse_kpis),
    Section("actions", parse_actions),
    Section("digests", parse_digests),
)

HEADER_RULES = {
    "workspace": Rule(read_workspace, required=True),
    "name": Rule(read_text, required=True),
    "mission": Rule(read_text),
    "timezone": Rule(read_timezone),
}
SETTINGS_RULES = {"at_risk_tolerance": Rule(read_share), "stall_after_days": Rule(read_days)}
TOP_LEVEL_FIELDS = (*HEADER_RULES, "settings", *(section.name for section in SECTIONS))


def find_cycles(supports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each distinct loop in the supports graph once, as a path that ends where it began."""
    order = {key: index for index, key in enumerate(supports)}  # name loops from the first
    cycles: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, str] = {}  # "open" while on the current path, "done" once fully explored
    path: list[str] = []

    def visit(key: str) -> None:
        state[key] = "open"
        path.append(key)
        for target in supports.get(key, ()):
            if state.get(target) == "open":
                loop = path[path.index(target) :]
                turn = min(range(len(loop)), key=lambda i: order[loop[i]])
                loop = loop[turn:] + loop[:turn]
                cycles.setdefault(tuple(loop), [*loop, loop[0]])
            elif target not in state and target in supports:
                visit(target)
        path.pop()
        state[key] = "done"

    for key in supports:
        if key not in state:
            visit(key)
    return list(cycles.values())


# --- The whole file --------------------------------------------------------------------------


def parse_scorecard(text: str) -> ScorecardSpec:
    """The scorecard a file describes, or a ScorecardFileError listing every problem in it."""
    document, lines = load_yaml(text)
    checker = Checker(lines)
    if not isinstance(document, dict):
        found = describe_type(document)
        raise ScorecardFileError([f"the file should start with `workspace:`, not be {found}"])
    checker.report_unknown("top level", document, TOP_LEVEL_FIELDS)
    header_fields = {name: document.get(name) for name in HEADER_RULES}
    header, _ = checker.read_fields("top level", header_fields, HEADER_RULES, "a mapping")
    settings = SettingsSpec()
    if document.get("settings") is not None:
        values, _ = checker.read_fields(
            "settings", document["settings"], SETTINGS_RULES, "a mapping"
        )
        settings = SettingsSpec(**values)
    sections = {
        section.name: section.parse(document.get(section.name), checker) for section in SECTIONS
    }
    if checker.found:
        raise ScorecardFileError(checker.problems)
    return ScorecardSpec(**header, settings=settings, **sections)


# libyaml's loader when PyYAML has it: ten times faster on a file with thousands of actions.
BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FileLoader(BaseLoader):  # type: ignore[valid-type,misc]
    """Safe YAML, except that a date-like value that isn't a real date (2027-13-01) stays text,
    so it is reported with the other problems instead of stopping the whole file."""

    def construct_lenient_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


FileLoader.add_constructor("tag:yaml.org,2002:timestamp", FileLoader.construct_lenient_timestamp)


def load_yaml(text: str) -> tuple[Any, dict[tuple[str, int], int]]:
    """The document, and the line each top-level field (index SECTION_LINE) and each item of
    each list section starts on."""
    loader = FileLoader(text)
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        raise ScorecardFileError([describe_yaml_error(error)]) from None
    finally:
        loader.dispose()
    lines: dict[tuple[str, int], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines[(str(key_node.value), SECTION_LINE)] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.SequenceNode):
                for index, item in enumerate(value_node.value):
                    lines[(str(key_node.value), index)] = item.start_mark.line + 1
    return document, lines


def describe_yaml_error(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "the file"
    return f"{where}: this is not valid YAML ({problem})"


# --- Writing a spec back out -----------------------------------------------------------------


def dump_spec(spec: ScorecardSpec) -> dict[str, Any]:
    """The spec as plain data in the file's shape and key order; empty optionals are left out."""
    document: dict[str, Any] = {"workspace": spec.workspace, "name": spec.name}
    if spec.mission:
        document["mission"] = spec.mission
    document["timezone"] = spec.timezone
    if spec.settings != SettingsSpec():
        document["settings"] = dump_item(spec.settings, keep_defaults=True)
    for section in SECTIONS:
        items = getattr(spec, section.name)
        if items:
            document[section.name] = [dump_item(item) for item in items]
    return document


def dump_item(item: Any, keep_defaults: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec_field in fields(item):
        value = getattr(item, spec_field.name)
        if value is None or value == "" or value == ():
            continue
        if spec_field.name == "weight" and value == DEFAULT_WEIGHT and not keep_defaults:
            continue
        out[spec_field.name] = plain(value)
    return out


def plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, tuple):
        return list(value)
    return value
