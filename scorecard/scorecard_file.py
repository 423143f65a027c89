"""The scorecard file: the YAML a team keeps next to its code, read and checked in full.

Checking is all-or-nothing and reports every problem at once, each with where it is (`kpis[3]
(instagram_followers), line 42`), so one run of `scorecard import` shows everything to fix.
Items are numbered from 1, as a person counts them in the file.

Each list section (perspectives, objectives, ...) is one parse function plus one entry in
`SECTIONS`; a section may refer to the keys of the sections before it.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

import yaml

from scorecard.errors import UserError
from scorecard.file_checker import SECTION_LINE, Checker, Row
from scorecard.file_fields import (
    Rule,
    choice,
    describe_type,
    is_blank,
    read_band,
    read_channel,
    read_count,
    read_date,
    read_days,
    read_key,
    read_number,
    read_number_format,
    read_owner,
    read_schedule,
    read_share,
    read_supports,
    read_targets,
    read_text,
    read_timezone,
    read_weight,
    read_workspace,
)
from scorecard.scorecard_spec import (
    DEFAULT_PERSPECTIVE_SPECS,
    DEFAULT_WEIGHT,
    ActionSpec,
    DigestSpec,
    KpiSpec,
    LinkSpec,
    ObjectiveSpec,
    PerspectiveSpec,
    ScorecardSpec,
    SettingsSpec,
    ThemeSpec,
)
from scorecard.vocabulary import (
    ACTION_STATUSES,
    BAND,
    BINARY,
    DIGEST_FILTERS,
    DIRECTIONS,
    DOWN,
    FREQUENCIES,
    KPI_KINDS,
    UP,
)


class ScorecardFileError(UserError):
    """The file can't be imported; `problems` lists every reason, each saying where."""

    def __init__(self, problems: list[str]) -> None:
        count = "a problem" if len(problems) == 1 else f"{len(problems)} problems"
        lines = "\n".join(f"- {problem}" for problem in problems)
        super().__init__(f"The scorecard file has {count}, so nothing was imported:\n{lines}")
        self.problems = problems


# A loop through more objectives than this is shown by its ends only.
LONGEST_LOOP_SHOWN = 12

PERSPECTIVE_RULES = {"key": Rule(read_key, required=True), "name": Rule(read_text, required=True)}
THEME_RULES = {**PERSPECTIVE_RULES, "description": Rule(read_text)}

OBJECTIVE_RULES = {
    "key": Rule(read_key, required=True),
    "title": Rule(read_text, required=True),
    "perspective": Rule(read_key, required=True),
    "owner": Rule(read_owner),
    "supports": Rule(read_supports),
    "weight": Rule(read_weight),
    "theme": Rule(read_key),
    "description": Rule(read_text),
    "updates_channel": Rule(read_channel),
}

KPI_RULES = {
    "key": Rule(read_key, required=True),
    "name": Rule(read_text, required=True),
    "objective": Rule(read_key),
    "unit": Rule(read_text),
    "baseline": Rule(read_number),
    "target": Rule(read_number),
    "direction": Rule(choice(DIRECTIONS)),
    "frequency": Rule(choice(FREQUENCIES)),
    "owner": Rule(read_owner),
    "target_date": Rule(read_date),
    "baseline_date": Rule(read_date),
    "band": Rule(read_band),
    "targets": Rule(read_targets),
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
    "theme": Rule(read_key),
}


def parse_perspectives(raw: Any, checker: Checker) -> tuple[PerspectiveSpec, ...]:
    if raw is None:
        checker.keys["perspectives"] = {
            spec.key: "the default perspectives" for spec in DEFAULT_PERSPECTIVE_SPECS
        }
        return DEFAULT_PERSPECTIVE_SPECS
    rows = checker.read_section("perspectives", raw, PERSPECTIVE_RULES)
    return tuple(PerspectiveSpec(**row.values) for row in rows if row.ok)


def parse_themes(raw: Any, checker: Checker) -> tuple[ThemeSpec, ...]:
    """Without a `themes` section, the themes objectives and actions name are taken as they
    are (see implied_themes), as files written before themes had a section did."""
    if raw is None:
        return ()
    rows = checker.read_section("themes", raw, THEME_RULES)
    return tuple(ThemeSpec(**row.values) for row in rows if row.ok)


def check_theme(row: Row, checker: Checker) -> None:
    if "themes" in checker.keys:
        checker.check_reference(row, "theme", "themes", "theme")


def implied_themes(spec: ScorecardSpec) -> tuple[ThemeSpec, ...]:
    """The themes a file without a `themes` section names, in order of first use."""
    named = [item.theme for item in (*spec.objectives, *spec.actions) if item.theme]
    return tuple(ThemeSpec(key, key) for key in dict.fromkeys(named))


def parse_objectives(raw: Any, checker: Checker) -> tuple[ObjectiveSpec, ...]:
    rows = checker.read_section("objectives", raw, OBJECTIVE_RULES)
    for row in rows:
        checker.check_reference(row, "perspective", "perspectives", "perspective")
        check_theme(row, checker)
        supported = tuple(link.objective for link in row.values.get("supports", ()))
        checker.check_reference(
            Row(row.where, {"supports": supported}, True), "supports", "objectives", "objective"
        )
    keyed = [row.values for row in rows if "key" in row.values]
    supports = {
        values["key"]: [link.objective for link in values.get("supports", ())] for values in keyed
    }
    for cycle in find_cycles(supports):
        shown = cycle if len(cycle) <= LONGEST_LOOP_SHOWN else [*cycle[:3], "…", *cycle[-2:]]
        size = f" ({len(cycle) - 1:,} objectives)" if len(cycle) > LONGEST_LOOP_SHOWN else ""
        checker.report(
            checker.keys["objectives"][cycle[0]],
            f"`supports` goes round in a circle: {' → '.join(shown)}{size} "
            "(an objective can't end up supporting itself)",
        )
    return tuple(ObjectiveSpec(**row.values) for row in rows if row.ok)


def parse_kpis(raw: Any, checker: Checker) -> tuple[KpiSpec, ...]:
    rows = checker.read_section("kpis", raw, KPI_RULES)
    for row, item in zip(rows, raw if isinstance(raw, list) else [], strict=True):
        checker.check_reference(row, "objective", "objectives", "objective")
        if isinstance(item, dict):
            # The fields the item names, usable or not: a bad `target` is not also "missing".
            named = {str(name) for name, value in item.items() if not is_blank(value)}
            for problem in kpi_shape_problems(row.values, named):
                checker.report(row.where, problem)
                row.ok = False
        start, end = row.values.get("baseline_date"), row.values.get("target_date")
        if start and end and end <= start:
            checker.report(row.where, "`target_date` should come after `baseline_date`")
        steps = row.values.get("targets")
        if start and steps and steps[0].until <= start:
            checker.report(row.where, "the first of `targets` should come after `baseline_date`")
    return tuple(KpiSpec(**row.values) for row in rows if row.ok)


# Which target fields each shape of KPI takes, and how to say what it takes instead.
SHAPE_FIELDS = {
    UP: ("target", "target_date", "targets"),
    DOWN: ("target", "target_date", "targets"),
    BAND: ("band",),
    BINARY: ("target_date",),
}
SHAPE_HINTS = {
    BAND: "a band KPI stays between the two values of `band`, like band: [1, 2]",
    BINARY: "a binary KPI's target is being done (log 1 for done, 0 for not done)",
}


def kpi_shape_problems(values: Mapping[str, Any], named: set[str]) -> list[str]:
    """What is wrong with a KPI's target fields for its shape (`direction`), if anything."""
    direction = values.get("direction", UP)
    allowed = SHAPE_FIELDS.get(direction, SHAPE_FIELDS[UP])
    problems = [
        f"`{name}` doesn't apply to `direction: {direction}` ({SHAPE_HINTS.get(direction, '')})"
        if direction in SHAPE_HINTS
        else f"`{name}` only applies to `direction: band`"
        for name in ("target", "band", "targets")
        if name in named and name not in allowed
    ]
    if direction == BAND and "band" not in named:
        problems.append("`band` is missing: a band KPI needs its two ends, like band: [1, 2]")
    if direction in (UP, DOWN):
        if "targets" in named and ("target" in named or "target_date" in named):
            problems.append(
                "use either `target` (with `target_date`) or stepped `targets`, not both"
            )
        elif "target" not in named and "targets" not in named:
            problems.append("`target` is missing (or give stepped `targets`)")
    return problems


def parse_actions(raw: Any, checker: Checker) -> tuple[ActionSpec, ...]:
    rows = checker.read_section("actions", raw, ACTION_RULES)
    for row in rows:
        checker.check_reference(row, "objective", "objectives", "objective")
        check_theme(row, checker)
    return tuple(ActionSpec(**row.values) for row in rows if row.ok)


DIGEST_RULES = {
    "channel": Rule(read_channel, required=True),
    "schedule": Rule(read_schedule),
    **{kind: Rule(read_key) for kind in DIGEST_FILTERS},
}


def parse_digests(raw: Any, checker: Checker) -> tuple[DigestSpec, ...]:
    rows = checker.read_section("digests", raw, DIGEST_RULES)
    seen: dict[str, str] = {}
    for row in rows:
        channel = row.values.get("channel")
        if channel in seen:
            checker.report(row.where, f"channel {channel} is listed twice (also {seen[channel]})")
        elif channel:
            seen[channel] = row.where
        for kind in DIGEST_FILTERS:
            if f"{kind}s" in checker.keys:
                checker.check_reference(row, kind, f"{kind}s", kind)
        named = [f"`{kind}`" for kind in DIGEST_FILTERS if kind in row.values]
        if len(named) > 1:
            checker.report(
                row.where, f"a digest is for one part at most, not {' and '.join(named)}"
            )
            row.ok = False
    return tuple(DigestSpec(**row.values) for row in rows if row.ok)


@dataclass(frozen=True)
class Section:
    """A list section of the file; its name is also the ScorecardSpec field it fills."""

    name: str
    parse: Callable[[Any, Checker], tuple[Any, ...]]


SECTIONS = (
    Section("perspectives", parse_perspectives),
    Section("themes", parse_themes),
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
SETTINGS_RULES = {
    "at_risk_tolerance": Rule(read_share),
    "stall_after_days": Rule(read_days),
    "nudge_interval_days": Rule(read_days),
    "nudges_per_week": Rule(read_count),
    "number_format": Rule(read_number_format),
    "updates_channel": Rule(read_channel),
}
TOP_LEVEL_FIELDS = (*HEADER_RULES, "settings", *(section.name for section in SECTIONS))


def find_cycles(supports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each distinct loop in the supports graph once, as a path that ends where it began.

    A depth-first search with its own stack rather than Python's, so a chain of thousands of
    objectives (each supporting the next) is no deeper for it than two.
    """
    order = {key: index for index, key in enumerate(supports)}  # name loops from the first
    cycles: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, str] = {}  # "open" while on the current path, "done" once fully explored
    for start in supports:
        if start in state:
            continue
        state[start] = "open"
        path = [start]
        pending: list[Iterator[str]] = [iter(supports.get(start, ()))]
        while pending:
            target = next(pending[-1], None)
            if target is None:  # every objective this one supports is explored
                state[path.pop()] = "done"
                pending.pop()
            elif state.get(target) == "open":
                loop = path[path.index(target) :]
                turn = min(range(len(loop)), key=lambda i: order[loop[i]])
                loop = loop[turn:] + loop[:turn]
                cycles.setdefault(tuple(loop), [*loop, loop[0]])
            elif target not in state and target in supports:
                state[target] = "open"
                path.append(target)
                pending.append(iter(supports.get(target, ())))
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
    spec = ScorecardSpec(**header, settings=settings, **sections)
    return (
        spec if document.get("themes") is not None else replace(spec, themes=implied_themes(spec))
    )


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
    each list section starts on. A NUL character, a field given twice in one mapping (the
    second would silently replace the first) or text that isn't YAML is a ScorecardFileError."""
    refuse_nul(text)
    loader = FileLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            refuse_repeated_fields(node)
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        raise ScorecardFileError([describe_yaml_error(error, text)]) from None
    except RecursionError:
        raise ScorecardFileError(["the file nests lists or mappings too deeply to read"]) from None
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


def refuse_nul(text: str) -> None:
    """A NUL character can't be stored (PostgreSQL refuses it in text), so no file may hold one."""
    index = text.find("\0")
    if index >= 0:
        line = text.count("\n", 0, index) + 1
        column = index - text.rfind("\n", 0, index)
        raise ScorecardFileError(
            [f"line {line}, column {column}: the file holds a NUL character (\\0): remove it"]
        )


def refuse_repeated_fields(root: yaml.Node) -> None:
    """Every mapping that names a field twice, with the lines of both: YAML keeps only the last,
    so a second `kpis:` would quietly replace (and archive) the first one's KPIs."""
    problems: list[tuple[int, str]] = []
    seen_nodes: set[int] = set()  # an alias repeats a node: look at each once
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                stack.append(value_node)
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                    continue
                line = key_node.start_mark.line + 1
                if key_node.value in first_line:
                    problems.append(
                        (
                            line,
                            f"line {line}: `{key_node.value}` is given twice in the same place "
                            f"(lines {first_line[key_node.value]} and {line}); keep one",
                        )
                    )
                else:
                    first_line[key_node.value] = line
    if problems:
        raise ScorecardFileError([problem for _, problem in sorted(problems)])


def describe_yaml_error(error: yaml.YAMLError, text: str) -> str:
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML doesn't allow
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return (
            f"line {line}, column {column}: the character U+{code:04X} can't be in a "
            "YAML file (control characters aren't allowed): remove it"
        )
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
    if isinstance(value, LinkSpec):
        return dump_link(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, tuple):
        return [plain(each) for each in value]
    if is_dataclass(value) and not isinstance(value, type):
        return dump_item(value)
    return value


def dump_link(link: LinkSpec) -> str | dict[str, Any]:
    """A plain key when the link says nothing more, else `{objective, lag, review}`."""
    if link.lag_weeks is None and link.review is None:
        return link.objective
    out: dict[str, Any] = {"objective": link.objective}
    if link.lag_weeks is not None:
        out["lag"] = f"{link.lag_weeks} week" + ("" if link.lag_weeks == 1 else "s")
    if link.review is not None:
        out["review"] = dump_item(link.review)
    return out
