"""Reading a scorecard's structure: perspectives, objectives and their links, KPIs, actions."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Action,
    Kpi,
    Objective,
    ObjectiveLink,
    Perspective,
    Scorecard,
    Theme,
    WorkspaceUninstall,
)


def find_scorecard(session: Session, workspace: str) -> Scorecard | None:
    return session.exec(select(Scorecard).where(Scorecard.workspace == workspace)).first()


def all_scorecards(session: Session) -> Sequence[Scorecard]:
    return session.exec(select(Scorecard).order_by(Scorecard.workspace)).all()


def installed_scorecards(session: Session) -> Sequence[Scorecard]:
    """The scorecards of workspaces that have not removed the app: the only ones the clock
    posts to. A removed app's scorecard is kept (see WorkspaceUninstall) but hears nothing."""
    query = (
        select(Scorecard)
        .outerjoin(WorkspaceUninstall, col(WorkspaceUninstall.workspace) == Scorecard.workspace)
        .where(col(WorkspaceUninstall.workspace).is_(None))
    )
    return session.exec(query.order_by(Scorecard.workspace)).all()


def perspectives_of(session: Session, scorecard_id: int) -> Sequence[Perspective]:
    query = select(Perspective).where(Perspective.scorecard_id == scorecard_id)
    return session.exec(query.order_by(Perspective.position, Perspective.id)).all()


def objectives_of(session: Session, scorecard_id: int) -> Sequence[Objective]:
    query = select(Objective).where(
        Objective.scorecard_id == scorecard_id, col(Objective.archived).is_(False)
    )
    return session.exec(query.order_by(Objective.position, Objective.id)).all()


def links_of(session: Session, scorecard_id: int) -> Sequence[tuple[int, int]]:
    """Every (objective id, supported objective id) pair of the scorecard."""
    query = (
        select(ObjectiveLink.objective_id, ObjectiveLink.supports_id)
        .join(Objective, col(Objective.id) == ObjectiveLink.objective_id)
        .where(Objective.scorecard_id == scorecard_id)
    )
    return [(row[0], row[1]) for row in session.exec(query).all()]


def link_rows_of(session: Session, scorecard_id: int) -> Sequence[ObjectiveLink]:
    """Every cause-and-effect link of the scorecard, with its lag and latest decision."""
    query = (
        select(ObjectiveLink)
        .join(Objective, col(Objective.id) == ObjectiveLink.objective_id)
        .where(Objective.scorecard_id == scorecard_id)
        .order_by(col(ObjectiveLink.objective_id), col(ObjectiveLink.supports_id))
    )
    return session.exec(query).all()


def find_link(
    session: Session, scorecard_id: int, objective_key: str, supports_key: str
) -> ObjectiveLink | None:
    """The link by which `objective_key` supports `supports_key`, live objectives only."""
    cause = aliased(Objective)
    effect = aliased(Objective)
    query = (
        select(ObjectiveLink)
        .join(cause, col(cause.id) == ObjectiveLink.objective_id)
        .join(effect, col(effect.id) == ObjectiveLink.supports_id)
        .where(cause.scorecard_id == scorecard_id, col(cause.archived).is_(False))
        .where(cause.key == objective_key, effect.key == supports_key)
    )
    return session.exec(query).first()


def themes_of(session: Session, scorecard_id: int) -> Sequence[Theme]:
    query = select(Theme).where(Theme.scorecard_id == scorecard_id, col(Theme.archived).is_(False))
    return session.exec(query.order_by(Theme.position, Theme.id)).all()


def kpis_of(session: Session, scorecard_id: int) -> Sequence[Kpi]:
    query = select(Kpi).where(Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False))
    return session.exec(query.order_by(Kpi.position, Kpi.id)).all()


@dataclass(frozen=True)
class KpiLabel:
    """Just enough of a KPI to tell which one someone typed, without loading whole rows."""

    id: int
    key: str
    name: str
    unit: str


def kpi_labels_of(session: Session, scorecard_id: int) -> list[KpiLabel]:
    query = select(Kpi.id, Kpi.key, Kpi.name, Kpi.unit).where(
        Kpi.scorecard_id == scorecard_id, col(Kpi.archived).is_(False)
    )
    rows = session.exec(query.order_by(Kpi.position, Kpi.id)).all()
    return [KpiLabel(*row) for row in rows]


@dataclass(frozen=True)
class KpiRecord:
    """A KPI as plain data, field for field: overviews of thousands of KPIs read these instead of
    model objects, which cost several times as much to build (and to garbage-collect)."""

    id: int
    scorecard_id: int
    objective_id: int | None
    key: str
    name: str
    unit: str
    baseline: float
    target: float
    direction: str
    frequency: str
    owner: str | None
    target_date: date | None
    baseline_date: date | None
    kind: str | None
    weight: float
    position: int
    archived: bool
    created_at: datetime
    band_low: float | None
    band_high: float | None
    targets: list[dict] | None


KPI_RECORD_COLUMNS = tuple(getattr(Kpi, field.name) for field in fields(KpiRecord))


def actions_of(
    session: Session, scorecard_id: int, statuses: Sequence[str] | None = None
) -> Sequence[Action]:
    query = select(Action).where(
        Action.scorecard_id == scorecard_id, col(Action.archived).is_(False)
    )
    if statuses is not None:
        query = query.where(col(Action.status).in_(statuses))
    return session.exec(query.order_by(Action.position, Action.id)).all()
