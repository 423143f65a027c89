"""The history of changes: every change to a scorecard's structure, recorded where it is flushed.

One SQLAlchemy `after_flush` listener on every session sees each new, changed and removed row of
the structural tables (settings, perspectives, objectives, cause-and-effect links, KPIs with their
targets, actions with their status and owner, digest subscriptions), whichever path made the
change: a command, a button, a modal, the Home tab or a file import. New paths need nothing more.

Who made the change comes from `session.info[ACTOR_INFO]`, set by `Database.writing()` from
`Database.actor` (a Caller's database acts for its user; the importer acts as FILE_IMPORT_ACTOR).
Readings, nudges and bookkeeping times are not structure and are not recorded. Changes made with
bulk SQL statements (`update()`, `delete()`) bypass the listener: structural writes go through
the ORM.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, event, insert, inspect, or_, select
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as sql_select

from storage.models import (
    Action,
    Change,
    DigestSubscription,
    Kpi,
    Objective,
    ObjectiveLink,
    Perspective,
    Scorecard,
)
from storage.types import utc_now

# session.info key naming who a write session acts for.
ACTOR_INFO = "scorecard_actor"
FILE_IMPORT_ACTOR = "file import by the CLI"

CREATED, CHANGED, REMOVED = "created", "changed", "removed"

# What each structural table is called in the history, in the order changes are listed.
ITEM_KINDS: dict[type[SQLModel], str] = {
    Scorecard: "settings",
    Perspective: "perspective",
    Objective: "objective",
    ObjectiveLink: "link",
    Kpi: "kpi",
    Action: "action",
    DigestSubscription: "digest",
}
# Bookkeeping that moves without anyone changing the structure.
IGNORED_FIELDS = frozenset(
    {"id", "scorecard_id", "created_at", "updated_at", "last_update_at", "created_by", "last_error"}
)
# Parent rows named by key rather than by id: field -> (table, name in the history).
PARENT_FIELDS: dict[str, tuple[type[SQLModel], str]] = {
    "perspective_id": (Perspective, "perspective"),
    "objective_id": (Objective, "objective"),
}

Fields = dict[str, list[Any]]  # {"target": [before, after]}


def link_key(objective: str, supports: str) -> str:
    """How a cause-and-effect link is named in the history: "grow-revenue → delight-customers"."""
    return f"{objective} → {supports}"


@event.listens_for(Session, "after_flush")
def record_changes(session: Session, _flush_context: Any) -> None:
    """Write one `changes` row per structural row this flush created, changed or removed."""
    touched = (session.new, session.dirty, session.deleted)
    if not any(type(instance) in ITEM_KINDS for rows in touched for instance in rows):
        return  # a reading, a nudge: the usual flush costs no more than this look
    lookup = _Lookup(session)
    rows: list[dict[str, Any]] = []
    for change, instances in (
        (CREATED, session.new),
        (CHANGED, session.dirty),
        (REMOVED, session.deleted),
    ):
        for instance in instances:
            kind = ITEM_KINDS.get(type(instance))
            if kind is None or (kind == "settings" and change == REMOVED):
                continue  # a deleted workspace takes its history with it
            row = _describe(instance, kind, change, lookup)
            if row is not None:
                rows.append(row)
    gone = {instance.id for instance in session.deleted if isinstance(instance, Scorecard)}
    rows = [row for row in rows if row["scorecard_id"] not in gone]
    if not rows:
        return
    actor, now = session.info.get(ACTOR_INFO), utc_now()
    kinds = list(ITEM_KINDS.values())
    rows.sort(key=lambda row: (kinds.index(row["item_kind"]), row["item_key"]))
    for row in rows:
        row.update(actor=actor, changed_at=now, workspace=lookup.workspace(row["scorecard_id"]))
    session.connection().execute(insert(Change), rows)


def _describe(
    instance: SQLModel, kind: str, change: str, lookup: "_Lookup"
) -> dict[str, Any] | None:
    if isinstance(instance, ObjectiveLink):
        objective = lookup.key(Objective, instance.objective_id)
        supports = lookup.key(Objective, instance.supports_id)
        if objective is None or supports is None:
            return None
        if change == CHANGED:  # what a link carries besides its two ends (a lag, a decision)
            fields = _fields(instance, CHANGED, lookup)
        else:
            fields = {"supports": [None, supports] if change == CREATED else [supports, None]}
        key = link_key(objective, supports)
        scorecard_id = lookup.scorecard_of(instance.objective_id)
    else:
        fields = _fields(instance, change, lookup)
        key = instance.workspace if isinstance(instance, Scorecard) else _item_key(instance)
        scorecard_id = instance.id if isinstance(instance, Scorecard) else instance.scorecard_id
    if not fields or scorecard_id is None:
        return None
    return {
        "scorecard_id": scorecard_id,
        "item_kind": kind,
        "item_key": key,
        "change": change,
        "fields": fields,
    }


def _item_key(instance: Any) -> str:
    return instance.channel if isinstance(instance, DigestSubscription) else instance.key


def _fields(instance: SQLModel, change: str, lookup: "_Lookup") -> Fields:
    """{"field": [before, after]} for the fields that differ, parents named by key."""
    state = inspect(instance)
    fields: Fields = {}
    for attribute in state.mapper.column_attrs:
        name = attribute.key
        if name in IGNORED_FIELDS:
            continue
        history = state.attrs[name].history
        if change == CREATED:
            before, after = None, state.attrs[name].value
        elif change == REMOVED:
            before, after = state.attrs[name].value, None
        elif not history.has_changes():
            continue
        else:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
        if name in PARENT_FIELDS:
            model, name = PARENT_FIELDS[name]
            before, after = lookup.key(model, before), lookup.key(model, after)
        if before != after:
            fields[name] = [_plain(before), _plain(after)]
    return fields


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: dates and times as ISO text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


class _Lookup:
    """Keys and workspaces of parent rows, read once per flush on the flush's own connection."""

    def __init__(self, session: Session) -> None:
        self._connection = session.connection()
        self._keys: dict[tuple[type[SQLModel], int], str | None] = {}
        self._scorecards: dict[int, int | None] = {}
        self._workspaces: dict[int, str] = {}

    def key(self, model: type[SQLModel], row_id: int | None) -> str | None:
        if row_id is None:
            return None
        if (model, row_id) not in self._keys:
            table = model.__table__  # type: ignore[attr-defined]
            query = select(table.c.key).where(table.c.id == row_id)
            self._keys[(model, row_id)] = self._connection.execute(query).scalar()
        return self._keys[(model, row_id)]

    def scorecard_of(self, objective_id: int) -> int | None:
        if objective_id not in self._scorecards:
            table = Objective.__table__  # type: ignore[attr-defined]
            query = select(table.c.scorecard_id).where(table.c.id == objective_id)
            self._scorecards[objective_id] = self._connection.execute(query).scalar()
        return self._scorecards[objective_id]

    def workspace(self, scorecard_id: int) -> str:
        if scorecard_id not in self._workspaces:
            table = Scorecard.__table__  # type: ignore[attr-defined]
            query = select(table.c.workspace).where(table.c.id == scorecard_id)
            self._workspaces[scorecard_id] = self._connection.execute(query).scalar() or ""
        return self._workspaces[scorecard_id]


def changes_to(
    session: Session, scorecard_id: int, items: Iterable[tuple[str, str]], limit: int
) -> list[Change]:
    """The latest `limit` changes to any of `items` ((kind, key) pairs), newest first; an
    objective's include its cause-and-effect links."""
    items = list(items)
    wanted = [
        and_(col(Change.item_kind) == kind, col(Change.item_key) == key) for kind, key in items
    ]
    wanted += [
        and_(col(Change.item_kind) == "link", ends)
        for kind, key in items
        if kind == "objective"
        for ends in (
            col(Change.item_key).startswith(link_key(key, ""), autoescape=True),
            col(Change.item_key).endswith(link_key("", key), autoescape=True),
        )
    ]
    query = (
        sql_select(Change)
        .where(Change.scorecard_id == scorecard_id, or_(*wanted))
        .order_by(col(Change.changed_at).desc(), col(Change.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def recorded_items(session: Session, scorecard_id: int) -> list[tuple[str, str]]:
    """Every (kind, key) the scorecard's history names, archived and removed items too."""
    query = (
        sql_select(Change.item_kind, Change.item_key)
        .where(Change.scorecard_id == scorecard_id)
        .distinct()
    )
    return [(row[0], row[1]) for row in session.exec(query).all()]


def changes_since(
    session: Session, workspaces: Iterable[str] | None, since: datetime | None
) -> list[Change]:
    """Every recorded change, oldest first, of the given workspaces (None: all) since a moment."""
    query = sql_select(Change).order_by(col(Change.changed_at), col(Change.id))
    if workspaces is not None:
        query = query.where(col(Change.workspace).in_(list(workspaces)))
    if since is not None:
        query = query.where(col(Change.changed_at) >= since)
    return list(session.exec(query).all())
