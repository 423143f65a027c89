"""What /why reads: the names of live items, and KPIs with their latest readings.

/why runs on scorecards with thousands of actions, so names come back as plain rows rather than
model objects, and KPIs only for the objectives a trace shows.
"""

from collections.abc import Collection, Sequence
from typing import NamedTuple

from sqlalchemy import func, literal_column, or_, union_all
from sqlmodel import Session, col, select

from storage.models import Action, Kpi, Objective, Reading
from storage.readings import current_reading_id

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


def kpis_with_latest_readings(
    session: Session,
    scorecard_id: int,
    objective_ids: Collection[int],
    kpi_ids: Collection[int] = (),
) -> Sequence[tuple[Kpi, Reading | None]]:
    """Live KPIs measuring `objective_ids`, and those in `kpi_ids`, each with its current reading.

    In scorecard order; one query, walking the (kpi_id, period, id) index once per KPI.
    """
    newest = current_reading_id()
    wanted = or_(col(Kpi.objective_id).in_(list(objective_ids)), col(Kpi.id).in_(list(kpi_ids)))
    query = (
        select(Kpi, Reading)
        .outerjoin(Reading, col(Reading.id) == newest)
        .where(Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False), wanted)
        .order_by(col(Kpi.position), col(Kpi.id))
    )
    return session.exec(query).all()
