"""The whole scorecard with every status worked out: what /kpi list, /why and digests show."""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from scorecard.status import Goal, KpiScore, roll_up, score_kpi, steps_from
from storage.models import Kpi, Objective, Perspective, Reading, Scorecard
from storage.readings import ReadingRecord, kpis_with_current_readings
from storage.scorecards import KpiRecord, links_of, objectives_of, perspectives_of

# A KPI and a reading as the database has them: model objects where one KPI is at hand, plain
# records where the whole scorecard is (cheaper by far for thousands of KPIs).
AnyKpi = Kpi | KpiRecord
AnyReading = Reading | ReadingRecord


@dataclass(eq=False)  # compared by identity: views point at each other
class KpiView:
    kpi: AnyKpi
    reading: AnyReading | None
    score: KpiScore
    goal: Goal  # what the KPI aims for, as the score judged it

    @property
    def status(self) -> str:
        return self.score.status

    @property
    def value(self) -> float | None:
        return None if self.reading is None else self.reading.value


@dataclass(eq=False)  # compared by identity: views point at each other
class ObjectiveView:
    objective: Objective
    perspective: Perspective
    kpis: list[KpiView] = field(default_factory=list)
    supports: list["ObjectiveView"] = field(default_factory=list)
    supported_by: list["ObjectiveView"] = field(default_factory=list)
    status: str = ""
    score: float | None = None


@dataclass(eq=False)  # compared by identity: views point at each other
class PerspectiveView:
    perspective: Perspective
    objectives: list[ObjectiveView] = field(default_factory=list)
    status: str = ""
    score: float | None = None


@dataclass
class Overview:
    scorecard: Scorecard
    today: date
    perspectives: list[PerspectiveView]
    objectives: dict[int, ObjectiveView]
    kpis: dict[int, KpiView]
    unmeasured_kpis: list[KpiView]  # KPIs that measure no objective

    def objective(self, objective_id: int | None) -> ObjectiveView | None:
        return None if objective_id is None else self.objectives.get(objective_id)


def goal_of(kpi: AnyKpi) -> Goal:
    start = kpi.baseline_date or kpi.created_at.date()
    band = None
    if kpi.band_low is not None and kpi.band_high is not None:
        band = (kpi.band_low, kpi.band_high)
    return Goal(
        kpi.baseline,
        kpi.target,
        kpi.direction,
        start,
        kpi.target_date,
        frequency=kpi.frequency,
        band=band,
        steps=steps_from(kpi.targets),
    )


def view_kpi(kpi: AnyKpi, reading: AnyReading | None, today: date, tolerance: float) -> KpiView:
    value = None if reading is None else reading.value
    on = None if reading is None else reading.period
    goal = goal_of(kpi)
    return KpiView(kpi, reading, score_kpi(goal, value, today, tolerance, on), goal)


def load_overview(session: Session, scorecard: Scorecard, today: date) -> Overview:
    assert scorecard.id is not None
    perspectives, objectives = load_strategy_map(session, scorecard.id)
    kpis: dict[int, KpiView] = {}
    unmeasured: list[KpiView] = []
    for kpi, reading in kpis_with_current_readings(session, scorecard.id):
        view = view_kpi(kpi, reading, today, scorecard.at_risk_tolerance)
        kpis[kpi.id] = view
        owner = objectives.get(kpi.objective_id) if kpi.objective_id is not None else None
        (owner.kpis if owner else unmeasured).append(view)

    for objective_view in objectives.values():
        rate_objective(objective_view)
    for perspective_view in perspectives:
        parts = [(o.status, o.objective.weight) for o in perspective_view.objectives]
        perspective_view.status, perspective_view.score = roll_up(parts)
    return Overview(scorecard, today, perspectives, objectives, kpis, unmeasured)


def load_strategy_map(
    session: Session, scorecard_id: int
) -> tuple[list[PerspectiveView], dict[int, ObjectiveView]]:
    """Perspectives and live objectives, linked cause to effect; no KPIs and no statuses yet."""
    perspectives = [PerspectiveView(p) for p in perspectives_of(session, scorecard_id)]
    perspective_by_id = {view.perspective.id: view for view in perspectives}
    objectives: dict[int, ObjectiveView] = {}
    for objective in objectives_of(session, scorecard_id):
        perspective = perspective_by_id[objective.perspective_id]
        view = ObjectiveView(objective, perspective.perspective)
        objectives[objective.id] = view
        perspective.objectives.append(view)
    for objective_id, supports_id in links_of(session, scorecard_id):
        if objective_id in objectives and supports_id in objectives:
            objectives[objective_id].supports.append(objectives[supports_id])
            objectives[supports_id].supported_by.append(objectives[objective_id])
    return perspectives, objectives


def rate_objective(view: ObjectiveView) -> None:
    """Set the objective's status and score from its KPIs' (already in `view.kpis`)."""
    view.status, view.score = roll_up((k.status, k.kpi.weight) for k in view.kpis)
