"""What /why reads to find an item: the names of live actions, KPIs and objectives.

/why runs on scorecards with thousands of actions, so names come back as plain rows rather than
model objects.
"""

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import func, literal_column, or_, union_all
from sqlmodel import Session, col, select

from storage.models import Action, Kpi, Objective

# The order names are listed in, as the numbers the union below sorts them by.
KINDS = ("action", "kpi", "objective")


class ItemName(NamedTuple):
    kind: str  # one of KINDS
    id: int
    key: str
    name: str  # an action's or objective's title, a KPI's name
    objective_id: int | None  # what an action serves or a KPI measures; an objective's own id


def names_of(session: Session, scorecard_id: int) -> list[ItemName]:
    """Every live action, KPI and objective: actions first, each kind in scorecard order."""
    return _names(session, scorecard_id, None)


def names_spelled(
    session: Session, scorecard_id: int, spellings: Collection[str]
) -> list[ItemName]:
    """Live items whose key, or lower-cased name, is one of `spellings`.

    Keys are compared as stored, so the (scorecard_id, key) unique index finds them; names need
    a scan unless an index on (scorecard_id, lower(name)) exists.
    """
    return _names(session, scorecard_id, list(spellings))


def _names(session: Session, scorecard_id: int, spellings: list[str] | None) -> list[ItemName]:
    parts = []
    kinds = [
        (Action, Action.title, Action.objective_id),
        (Kpi, Kpi.name, Kpi.objective_id),
        (Objective, Objective.title, Objective.id),
    ]
    for number, (table, name, objective_id) in enumerate(kinds):
        part = select(
            literal_column(str(number)).label("kind"),
            col(table.position).label("position"),
            col(table.id).label("id"),
            col(table.key).label("key"),
            col(name).label("name"),
            col(objective_id).label("objective_id"),
        ).where(table.scorecard_id == scorecard_id, col(table.archived).is_(False))
        if spellings is not None:
            part = part.where(
                or_(col(table.key).in_(spellings), func.lower(col(name)).in_(spellings))
            )
        parts.append(part)
    names = union_all(*parts).subquery()
    columns = [names.c.kind, names.c.id, names.c.key, names.c.name, names.c.objective_id]
    query = select(*columns).order_by(names.c.kind, names.c.position, names.c.id)
    return [ItemName(KINDS[row[0]], *row[1:]) for row in session.exec(query)]
