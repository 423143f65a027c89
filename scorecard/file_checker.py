"""Checking a scorecard file item by item: every problem collected, each saying where it is."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scorecard.file_fields import Invalid, Rule, describe_type, is_blank, suggest

SECTION_LINE = -1  # the index under which load_yaml records where a section itself starts


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
