"""/why: from an action, KPI or objective up the cause-and-effect chain to the mission."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from scorecard import matching
from scorecard.errors import UserError
from scorecard.overview import KpiView, ObjectiveView, Overview, load_overview
from scorecard.workspace import local_today, require_scorecard
from storage.models import Action
from storage.scorecards import actions_of

# A diamond-shaped strategy map can have many routes to the top; a reply shows the first few.
MAX_PATHS = 4

Kind = Literal["action", "kpi", "objective"]


@dataclass(frozen=True)
class Candidate:
    kind: Kind
    key: str
    title: str
    item: object


@dataclass
class Trace:
    """An item and why it exists. `objective` is None for an action that serves no objective."""

    kind: Kind
    title: str
    mission: str
    objective: ObjectiveView | None
    paths: list[list[ObjectiveView]] = field(default_factory=list)  # upward, nearest first
    hidden_paths: int = 0
    action: Action | None = None
    kpi: KpiView | None = None

    @property
    def serves_nothing(self) -> bool:
        return self.objective is None


@dataclass(frozen=True)
class Choices:
    """Several items match: the person picks one."""

    query: str
    candidates: list[Candidate]


def trace_to_mission(
    session: Session, workspace: str, query: str, now: datetime
) -> Trace | Choices:
    scorecard = require_scorecard(session, workspace)
    query = query.strip()
    if not query:
        raise UserError("Why what? Try `/why daily meme posts` with an action, KPI or objective.")
    overview = load_overview(session, scorecard, local_today(scorecard, now))
    candidates = _candidates(overview, actions_of(session, scorecard.id))
    found = matching.resolve(query, candidates, lambda c: (c.key, c.title))
    if not found:
        close = matching.closest(query, candidates, lambda c: (c.key, c.title))
        hint = f" Did you mean *{close.title}*?" if close else ""
        raise UserError(
            f"Nothing on the scorecard is called “{query}”.{hint} "
            "`/action mine` and `/kpi list` show what there is."
        )
    if len(found) > 1:
        return Choices(query, found)
    return _trace(overview, found[0])


def _candidates(overview: Overview, actions: list[Action]) -> list[Candidate]:
    return (
        [Candidate("action", a.key, a.title, a) for a in actions]
        + [Candidate("kpi", v.kpi.key, v.kpi.name, v) for v in overview.kpis.values()]
        + [
            Candidate("objective", o.objective.key, o.objective.title, o)
            for o in overview.objectives.values()
        ]
    )


def _trace(overview: Overview, candidate: Candidate) -> Trace:
    mission = overview.scorecard.mission
    if isinstance(candidate.item, Action):
        objective = overview.objective(candidate.item.objective_id)
        trace = Trace("action", candidate.title, mission, objective, action=candidate.item)
    elif isinstance(candidate.item, KpiView):
        objective = overview.objective(candidate.item.kpi.objective_id)
        trace = Trace("kpi", candidate.title, mission, objective, kpi=candidate.item)
    else:
        assert isinstance(candidate.item, ObjectiveView)
        trace = Trace("objective", candidate.title, mission, candidate.item)
    if trace.objective is not None:
        paths = paths_to_top(trace.objective)
        trace.paths, trace.hidden_paths = paths[:MAX_PATHS], max(0, len(paths) - MAX_PATHS)
    return trace


def paths_to_top(start: ObjectiveView) -> list[list[ObjectiveView]]:
    """Every route from the objectives `start` supports up to ones that support nothing further."""
    paths: list[list[ObjectiveView]] = []

    def walk(node: ObjectiveView, path: list[ObjectiveView]) -> None:
        if not node.supports:
            if path:
                paths.append(path)
            return
        for parent in node.supports:
            if parent not in path and parent is not start:  # cycles are refused on import
                walk(parent, [*path, parent])

    walk(start, [])
    return paths
