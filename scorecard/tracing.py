"""/why: from an action, KPI or objective up the cause-and-effect chain to the mission."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlmodel import Session

from scorecard import matching
from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.forecast_questions import decision_on_kpi
from scorecard.overview import (
    KpiView,
    ObjectiveView,
    load_strategy_map,
    rate_objective,
    view_kpi,
)
from scorecard.reviews import DecisionLine
from scorecard.workspace import local_today, require_scorecard
from storage.models import Action, Scorecard, Theme
from storage.readings import kpis_with_current_readings
from storage.scorecards import themes_of
from storage.tracing_queries import ItemName, names_of, names_spelled

# A diamond-shaped strategy map can have many routes to the top; a reply shows the first few.
MAX_PATHS = 4

Kind = Literal["action", "kpi", "objective"]


@dataclass(frozen=True)
class Candidate:
    kind: Kind
    key: str
    title: str
    id: int
    objective_id: int | None = None  # what an action serves, a KPI measures; an objective itself


@dataclass
class Trace:
    """An item and why it exists. `objective` is None for an action that serves no objective.

    Only `objective` and the objectives above it carry their KPIs and a status.
    """

    kind: Kind
    title: str
    mission: str
    objective: ObjectiveView | None
    paths: list[list[ObjectiveView]] = field(default_factory=list)  # upward, nearest first
    hidden_paths: int = 0
    action: Action | None = None
    kpi: KpiView | None = None
    theme: Theme | None = None  # an action's own theme, else its objective's
    decision: DecisionLine | None = None  # a KPI's latest decision (a forecast's, a review's)

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
    found = find_items(session, scorecard, query)
    if len(found) > 1:
        return Choices(query, found)
    return _trace(session, scorecard, found[0], local_today(scorecard, now))


def find_items(session: Session, scorecard: Scorecard, query: str) -> list[Candidate]:
    """What `query` means, as `matching.resolve` over every live item says.

    A key or name typed exactly is looked up in SQL; only a miss reads every name (as plain rows)
    to match fuzzily. Scorecards hold thousands of actions, so the exact case must stay cheap.
    """
    assert scorecard.id is not None
    wanted = matching.normalize(query)
    if wanted:
        rows = names_spelled(session, scorecard.id, _spellings(query))
        exact = [c for c in _candidates(rows) if wanted in map(matching.normalize, _names(c))]
        if exact:
            return exact
    candidates = _candidates(names_of(session, scorecard.id))
    found = matching.resolve(query, candidates, _names)
    if not found:
        close = matching.closest(query, candidates, _names)
        hint = f" Did you mean *{close.title}*?" if close else ""
        raise UserError(
            f"Nothing on the scorecard is called “{query}”.{hint} "
            "`/action mine` and `/kpi list` show what there is."
        )
    return found


def _spellings(query: str) -> set[str]:
    """How a key, or a lower-cased name, that `matching.normalize` makes equal to the query is
    most likely stored.

    Anything stored some other way ("Q & A" for "q&a", key "QA" for "qa") is still found by the
    fuzzy path, unless an exact spelling of something else is found first.
    """
    words = matching.normalize(query)
    return {query, query.casefold(), words, words.replace(" ", "_")}


def _candidates(rows: list[ItemName]) -> list[Candidate]:
    return [
        Candidate(row.kind, row.key, row.name, row.id, row.objective_id)  # type: ignore[arg-type]
        for row in rows
    ]


def _names(candidate: Candidate) -> tuple[str, str]:
    return candidate.key, candidate.title


def _trace(session: Session, scorecard: Scorecard, found: Candidate, today: date) -> Trace:
    assert scorecard.id is not None
    _, objectives = load_strategy_map(session, scorecard.id)
    objective = objectives.get(found.objective_id) if found.objective_id is not None else None
    above = _objectives_above(objective) if objective else []
    kpis = _score_kpis(session, scorecard, today, above, [found.id] if found.kind == "kpi" else [])
    action = session.get(Action, found.id) if found.kind == "action" else None
    kpi = kpis.get(found.id) if found.kind == "kpi" else None
    trace = Trace(found.kind, found.title, scorecard.mission, objective, action=action, kpi=kpi)
    theme_key = (action.theme if action else None) or (
        objective.objective.theme if objective else None
    )
    if theme_key:
        trace.theme = next(
            (t for t in themes_of(session, scorecard.id) if t.key == theme_key), None
        )
    if found.kind == "kpi":
        trace.decision = decision_on_kpi(session, scorecard, found.id)
    if objective is not None:
        paths = paths_to_top(objective)
        trace.paths, trace.hidden_paths = paths[:MAX_PATHS], max(0, len(paths) - MAX_PATHS)
    return trace


def _objectives_above(start: ObjectiveView) -> list[ObjectiveView]:
    """`start` and every objective it supports, directly or further up."""
    found = [start]
    for view in found:  # `found` grows while this walks it
        for parent in view.supports:
            if parent not in found:
                found.append(parent)
    return found


def _score_kpis(
    session: Session,
    scorecard: Scorecard,
    today: date,
    objectives: list[ObjectiveView],
    kpi_ids: list[int],
) -> dict[int, KpiView]:
    """Score the KPIs of `objectives` (then the objectives) and those in `kpi_ids`, by KPI id."""
    assert scorecard.id is not None
    by_id = {view.objective.id: view for view in objectives}
    kpis: dict[int, KpiView] = {}
    for kpi, reading in kpis_with_current_readings(session, scorecard.id, list(by_id), kpi_ids):
        kpis[kpi.id] = view_kpi(kpi, reading, today, scorecard.at_risk_tolerance)
        if kpi.objective_id in by_id:
            by_id[kpi.objective_id].kpis.append(kpis[kpi.id])
    for view in objectives:
        rate_objective(view)
    return kpis


def paths_to_top(start: ObjectiveView) -> list[list[ObjectiveView]]:
    """Every route from the objectives `start` supports up to ones that support nothing further.
    Walked with a stack of its own: a chain of thousands of objectives can't overflow Python's."""
    paths: list[list[ObjectiveView]] = []
    stack: list[tuple[ObjectiveView, list[ObjectiveView]]] = [(start, [])]
    while stack:
        node, path = stack.pop()
        if not node.supports:
            if path:
                paths.append(path)
            continue
        for parent in reversed(node.supports):  # reversed: popped in the order they're listed
            if parent not in path and parent is not start:  # cycles are refused on import
                stack.append((parent, [*path, parent]))
    return paths


def trace_for(caller: Caller, query: str) -> Trace | Choices:
    """`/why <anything>`, in its own reading session."""
    with caller.database.reading() as session:
        return trace_to_mission(session, caller.workspace, query, caller.now)
