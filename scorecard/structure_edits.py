"""Creating and editing objectives, KPIs and actions from a form, by the scorecard file's rules.

A form's change is made the way a changed file would make it: the scorecard as its file would
describe it (`read_spec`), with the one item added or replaced, checked in full by the file's own
rules (`spec_from_document`, the checks `scorecard import` runs), then stored by the import's
`apply_spec`. So a form can never store what the file would refuse, and no rule is written twice.
Only admins may (scorecard/permissions.py); a problem names the form field it is about.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from scorecard import matching
from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.permissions import require_admin
from scorecard.scorecard_file import ScorecardFileError, dump_spec, spec_from_document
from scorecard.scorecard_spec import ObjectiveSpec, PerspectiveSpec, ScorecardSpec
from scorecard.vocabulary import DIRECTIONS, FREQUENCIES, PLANNED
from scorecard.workspace import local_today, require_scorecard
from storage.models import Scorecard
from storage.sync import apply_spec, read_spec

# A title taken from a message is cut to this many characters (Slack's own text limits are higher).
MAX_TITLE_FROM_MESSAGE = 150
_PROBLEM_FIELD = re.compile(r"`(\w+)`")


@dataclass(frozen=True)
class ItemKind:
    """One kind of item a form edits: its name in commands, its file section and form fields."""

    name: str  # "objective", "kpi", "action": what `/kpi new <name>` says
    label: str  # how a sentence names it: "objective", "KPI", "action"
    section: str  # the scorecard file's section
    title_field: str  # the field people know it by
    fields: tuple[str, ...]  # the fields its form shows, in order


OBJECTIVE = ItemKind(
    "objective",
    "objective",
    "objectives",
    "title",
    ("title", "perspective", "owner", "supports", "theme", "description"),
)
KPI = ItemKind(
    "kpi",
    "KPI",
    "kpis",
    "name",
    (
        "name",
        "objective",
        "owner",
        "unit",
        "baseline",
        "target",
        "direction",
        "frequency",
        "target_date",
    ),
)
ACTION = ItemKind("action", "action", "actions", "title", ("title", "objective", "owner", "due"))
KINDS = {kind.name: kind for kind in (OBJECTIVE, KPI, ACTION)}
KIND_WORDS = {"objective": OBJECTIVE, "kpi": KPI, "action": ACTION, "initiative": ACTION}
# The objective picker's value for an action that serves no objective, chosen on purpose.
NO_OBJECTIVE = "-"
USAGE = "`/kpi new objective`, `/kpi new kpi`, `/kpi new action` or `/kpi edit <item>`"


@dataclass(frozen=True)
class StructureForm:
    """What a create or edit form shows."""

    kind: ItemKind
    key: str | None  # the item edited; None for a new one
    values: dict[str, Any]  # its fields in the file's shape (initial values)
    perspectives: list[PerspectiveSpec]
    objectives: list[ObjectiveSpec]
    directions: tuple[str, ...] = DIRECTIONS
    frequencies: tuple[str, ...] = FREQUENCIES
    # A message turned into an action: ask for its objective, or "none" on purpose.
    from_message: bool = False

    @property
    def perspective_choices(self) -> list[tuple[str, str]]:
        return [(perspective.key, perspective.name) for perspective in self.perspectives]

    @property
    def objective_choices(self) -> list[tuple[str, str]]:
        return [(objective.key, objective.title) for objective in self.objectives]

    @property
    def direction_choices(self) -> list[tuple[str, str]]:
        return [(direction, direction) for direction in self.directions]

    @property
    def frequency_choices(self) -> list[tuple[str, str]]:
        return [(frequency, frequency) for frequency in self.frequencies]


@dataclass(frozen=True)
class ItemSaved:
    kind: ItemKind
    key: str
    title: str
    created: bool
    serves: str | None = None  # the title of the objective it serves, if any


class FormProblems(UserError):
    """What the file's rules found wrong, by form field: {field: message}."""

    def __init__(self, by_field: dict[str, str]) -> None:
        super().__init__(" ".join(by_field.values()))
        self.by_field = by_field


@dataclass
class _Loaded:
    scorecard: Scorecard
    spec: ScorecardSpec
    document: dict[str, Any] = field(default_factory=dict)


def kind_named(word: str) -> ItemKind:
    kind = KIND_WORDS.get(word.strip().casefold())
    if kind is None:
        raise UserError(f"I can make objectives, KPIs and actions: {USAGE}.")
    return kind


def new_item_form(caller: Caller, kind_word: str) -> StructureForm:
    """`/kpi new objective|kpi|action`: an empty form (admins only)."""
    kind = kind_named(kind_word)
    with caller.database.reading() as session:
        loaded = _load_for_admin(session, caller, f"add {_article(kind)} {kind.label}")
    return _form(loaded.spec, kind, None, {})


def edit_item_form(caller: Caller, text: str) -> StructureForm:
    """`/kpi edit [objective|kpi|action] <name or key>`: the item's form (admins only)."""
    words = text.split(maxsplit=1)
    kinds: Sequence[ItemKind] = (OBJECTIVE, KPI, ACTION)
    if words and words[0].casefold() in KIND_WORDS and len(words) > 1:
        kinds, text = (KIND_WORDS[words[0].casefold()],), words[1]
    if not text.strip():
        raise UserError(f"Which item? Try `/kpi edit kpi instagram followers`. ({USAGE})")
    with caller.database.reading() as session:
        loaded = _load_for_admin(session, caller, "change the scorecard")
    found = [
        (kind, item)
        for kind in kinds
        for item in matching.resolve(text, getattr(loaded.spec, kind.section), _names(kind))
    ]
    if not found:
        raise UserError(f"Nothing on the scorecard is called “{text.strip()}”. {USAGE}.")
    if len(found) > 1:
        options = ", ".join(f"`/kpi edit {kind.name} {item.key}`" for kind, item in found[:5])
        raise UserError(f"“{text.strip()}” could be several items. Try {options}.")
    kind, item = found[0]
    values = dump_spec(_only(loaded.spec, kind, item))[kind.section][0]
    return _form(loaded.spec, kind, item.key, values)


def action_from_message(caller: Caller, text: str, author: str | None) -> StructureForm:
    """The message shortcut "Make this an action": a planned action titled by the message's first
    line, owned by its author (or the caller), with its objective still to choose."""
    with caller.database.reading() as session:
        loaded = _load_for_admin(session, caller, "add an action")
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = first_line[:MAX_TITLE_FROM_MESSAGE]
    values = {"title": title, "owner": author or caller.user}
    form = _form(loaded.spec, ACTION, None, values)
    return StructureForm(**{**vars(form), "from_message": True})


def save_item(
    caller: Caller,
    kind_name: str,
    key: str | None,
    entered: dict[str, Any],
    objective_on_purpose: bool = False,
) -> ItemSaved:
    """A create or edit form submitted: `entered` holds its fields ({field: text, list or None}).
    With `objective_on_purpose` (a message made an action) the objective must be chosen, or
    NO_OBJECTIVE chosen on purpose.

    Raises FormProblems naming the fields the file's rules refuse; nothing is stored then."""
    kind = KINDS[kind_name]
    if objective_on_purpose and not entered.get("objective"):
        raise FormProblems({"objective": "Pick the objective it serves, or “serves no objective”."})
    what = f"add {_article(kind)} {kind.label}" if key is None else f"change this {kind.label}"
    with caller.database.reading() as session:  # asks Slack, if it must, outside the write turn
        require_admin_of(session, caller, what)
    with caller.database.writing() as session:
        loaded = _load_for_admin(session, caller, what)
        items: list[dict[str, Any]] = loaded.document.setdefault(kind.section, [])
        if key is None:
            title = str(entered.get(kind.title_field) or "")
            key = _new_key(title, {item["key"] for item in items})
            item: dict[str, Any] = {"key": key}
            if kind is ACTION:  # new work is planned, and its stall clock starts today
                item["status"] = PLANNED
                item["last_update"] = local_today(loaded.scorecard, caller.now)
            items.append(item)
        else:
            item = next((each for each in items if each["key"] == key), {})
            if not item:
                raise UserError(f"That {kind.label} is no longer on the scorecard.")
        for name in kind.fields:
            value = entered.get(name)
            if value is None or value == "" or value == [] or value == NO_OBJECTIVE:
                item.pop(name, None)
            else:
                item[name] = value
        try:
            spec = spec_from_document(loaded.document)
        except ScorecardFileError as error:
            raise FormProblems(_by_field(error.problems, kind, items.index(item))) from None
        summary = apply_spec(session, spec)
    saved = next(each for each in getattr(spec, kind.section) if each.key == key)
    serves = getattr(saved, "objective", None)
    titles = {objective.key: objective.title for objective in spec.objectives}
    return ItemSaved(
        kind,
        key,
        getattr(saved, kind.title_field),
        created=getattr(summary, kind.section).created > 0,
        serves=titles.get(serves) if serves else None,
    )


def require_admin_of(session: Session, caller: Caller, what: str) -> Scorecard:
    """The caller's scorecard, if they are an admin of it; else NotAllowed naming the admins."""
    scorecard = require_scorecard(session, caller.workspace)
    require_admin(session, scorecard, caller.user, caller.confirmed_workspace_admin, what)
    return scorecard


def _load_for_admin(session: Session, caller: Caller, what: str) -> _Loaded:
    scorecard = require_admin_of(session, caller, what)
    spec = read_spec(session, scorecard)
    return _Loaded(scorecard, spec, dump_spec(spec))


def _form(spec: ScorecardSpec, kind: ItemKind, key: str | None, values: dict) -> StructureForm:
    objectives = [objective for objective in spec.objectives if objective.key != key]
    return StructureForm(kind, key, values, list(spec.perspectives), objectives)


def _only(spec: ScorecardSpec, kind: ItemKind, item: Any) -> ScorecardSpec:
    return ScorecardSpec(workspace=spec.workspace, name=spec.name, **{kind.section: (item,)})


def _names(kind: ItemKind):  # noqa: ANN202 (a names function for matching)
    return lambda item: (item.key, getattr(item, kind.title_field))


def _by_field(problems: list[str], kind: ItemKind, index: int) -> dict[str, str]:
    """The file's problems about the item at `index` of its section, by the field each names;
    anything else (another item it would break) shows on the title."""
    where = f"{kind.section}[{index + 1}]"
    found: dict[str, str] = {}
    for problem in problems:
        place, _, message = problem.partition(": ")
        named = _PROBLEM_FIELD.search(message)
        name = named.group(1) if named and place.startswith(where) else kind.title_field
        if name == "key":
            name = kind.title_field  # the key is made from the title
        if name not in kind.fields:
            name = kind.title_field
        text = _PROBLEM_FIELD.sub(r"\1", message) if place.startswith(where) else problem
        if text.startswith(f"{name} is missing"):
            text = "This is needed."
        text = text.removeprefix(f"{name}: ")
        found[name] = f"{found[name]} {text}" if name in found else text
    return found


def _new_key(title: str, taken: set[str]) -> str:
    """ "Weekly live Q&A" -> "weekly_live_q_and_a", numbered if that key is taken."""
    base = re.sub(r"[^a-z0-9]+", "_", matching.normalize(title)).strip("_")[:40] or "item"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def _article(kind: ItemKind) -> str:
    return "an" if kind.label[0] in "aeiou" else "a"
