"""The history of changes, read back: `/kpi history <item>` and `scorecard history` exports.

The changes themselves are recorded in one place, storage/audit.py, whatever path made them.
"""

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.finding import find_one
from scorecard.spreadsheet_cells import neutralise_cell
from scorecard.workspace import local_now, require_scorecard
from storage.audit import CHANGED, changes_since, changes_to, recorded_items
from storage.db import Database
from storage.models import Change, Scorecard
from storage.scorecards import actions_of, kpis_of, objectives_of, perspectives_of

# `/kpi history` shows this many of an item's latest changes.
HISTORY_LENGTH = 15
SETTINGS_WORDS = ("settings", "scorecard")
# The kinds of item `/kpi history` finds by name or key (links come with their objectives).
ITEM_KINDS_BY_NAME = ("perspective", "objective", "kpi", "action")
# A Slack user id as the history stores who changed something ("U0LEAD", "W0ADMIN").
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")
# A channel as typed: "#C0DIGEST", "<#C0DIGEST>", "C0DIGEST".
CHANNEL_ID = re.compile(r"<?#?(?P<id>[CGD][A-Z0-9]{2,})(?:\|[^>]*)?>?")
# Empty fields of a new or removed item, left out of `/kpi history` (kept in the export).
UNREMARKABLE = ([None, ""], ["", None], [None, False], [False, None], [None, None])
EXPORT_COLUMNS = ("when", "workspace", "who", "kind", "key", "change", "field", "before", "after")


@dataclass(frozen=True)
class Item:
    """Anything the history names: kind ("kpi", "objective", …), key and the name people know."""

    kind: str
    key: str
    name: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str  # "" when there was none
    after: str


@dataclass(frozen=True)
class HistoryLine:
    when: datetime  # in the scorecard's time zone
    user: str | None  # the Slack user who made it, when a person did
    who: str  # otherwise: "file import by the CLI", "Scorecard"
    kind: str
    key: str
    change: str  # created, changed or removed
    fields: list[FieldChange]


@dataclass(frozen=True)
class ItemHistory:
    item: Item
    lines: list[HistoryLine]  # newest first


def item_history(caller: Caller, text: str) -> ItemHistory:
    """`/kpi history <item>`: a KPI, objective, action or perspective (name or key), a digest
    channel, or "settings". Raises UserError when no item of the caller's scorecard matches."""
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        assert scorecard.id is not None
        item = _find_item(session, scorecard, text)
        changes = changes_to(session, scorecard.id, [(item.kind, item.key)], HISTORY_LENGTH)
        return ItemHistory(item, [_line(change, scorecard) for change in changes])


def _find_item(session: Session, scorecard: Scorecard, text: str) -> Item:
    assert scorecard.id is not None
    words = text.strip()
    if words.casefold() in SETTINGS_WORDS:
        return Item("settings", scorecard.workspace, "the scorecard's settings")
    channel = CHANNEL_ID.fullmatch(words.removeprefix("digest").strip())
    if channel is not None:
        return Item("digest", channel["id"], f"the digest in <#{channel['id']}>")
    items = [Item("perspective", p.key, p.name) for p in perspectives_of(session, scorecard.id)]
    items += [Item("objective", o.key, o.title) for o in objectives_of(session, scorecard.id)]
    items += [Item("kpi", k.key, k.name) for k in kpis_of(session, scorecard.id)]
    items += [Item("action", a.key, a.title) for a in actions_of(session, scorecard.id)]
    # Archived and removed items are found by their key, as the history knows them.
    live = {(item.kind, item.key) for item in items}
    items += [
        Item(kind, key, key)
        for kind, key in recorded_items(session, scorecard.id)
        if kind in ITEM_KINDS_BY_NAME and (kind, key) not in live
    ]
    return find_one(words, items, lambda item: (item.key, item.name), "item", "/kpi list")


def _line(change: Change, scorecard: Scorecard) -> HistoryLine:
    return HistoryLine(
        when=local_now(scorecard, change.changed_at),
        user=change.actor if _is_user(change.actor) else None,
        who=who_made(change),
        kind=change.item_kind,
        key=change.item_key,
        change=change.change,
        fields=[
            FieldChange(name, _shown(before), _shown(after))
            for name, (before, after) in change.fields.items()
            if change.change == CHANGED or [before, after] not in UNREMARKABLE
        ],
    )


def who_made(change: Change) -> str:
    return change.actor or "Scorecard"


def _is_user(actor: str | None) -> bool:
    return actor is not None and SLACK_USER.fullmatch(actor) is not None


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_history(
    database: Database,
    workspaces: Sequence[str] | None,
    since: datetime | None,
    format: str,
) -> str:
    """`scorecard history`: every change, oldest first, as CSV (one row per field) or JSON.

    `workspaces` None: all. Raises UserError for an unknown format.
    """
    if format not in ("csv", "json"):
        raise UserError(f"I can export the history as csv or json, not “{format}”.")
    with database.reading() as session:
        changes = changes_since(session, workspaces, since)
    if format == "json":
        return json.dumps([_as_record(change) for change in changes], indent=2, ensure_ascii=False)
    return _as_csv(changes)


def _as_record(change: Change) -> dict[str, Any]:
    return {
        "when": change.changed_at.isoformat(),
        "workspace": change.workspace,
        "who": who_made(change),
        "kind": change.item_kind,
        "key": change.item_key,
        "change": change.change,
        "fields": {name: {"before": b, "after": a} for name, (b, a) in change.fields.items()},
    }


def _as_csv(changes: Sequence[Change]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for change in changes:
        start = [change.changed_at.isoformat(), change.workspace, who_made(change)]
        start += [change.item_kind, change.item_key, change.change]
        for name, (before, after) in change.fields.items():
            row = [*start, name, _shown(before), _shown(after)]
            writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()
