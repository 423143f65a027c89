"""The Home tab's scorecard: everything one person sees when they open Scorecard's Home tab.

`home_for` gathers it in a handful of set-based reads (the overview, a short recent history of
every KPI, forecasts fitted all at once, the person's open actions, actions serving nothing), so
a scorecard of hundreds of KPIs is read in a few queries (`python -m bench.home` measures it).
A workspace without a scorecard gets a `Home` whose `scorecard` is None: how to start.
"""

from dataclasses import dataclass
from datetime import date

from scorecard.actions import MyAction, my_actions
from scorecard.caller import Caller
from scorecard.digest import SPARKLINE_POINTS, history_bounds
from scorecard.forecast import Forecast, NotEnoughData, forecast_kpis
from scorecard.nudges import reading_overdue
from scorecard.overview import KpiView, ObjectiveView, PerspectiveView, load_overview
from scorecard.stalling import is_overdue
from scorecard.vocabulary import AT_RISK, NO_DATA, OFF_TRACK
from scorecard.workspace import local_today
from storage.action_queries import ActionFacts, actions_serving_no_objective
from storage.digest_queries import recent_points
from storage.models import Scorecard
from storage.scorecards import find_scorecard

# "Yours" lists the most urgent first: off track, at risk, then the rest (KPIs); overdue,
# stalled, then by due date (actions).
KPI_URGENCY = {OFF_TRACK: 0, AT_RISK: 1, NO_DATA: 2}


@dataclass(frozen=True)
class HomeKpi:
    """A KPI as the Home tab shows it: where it stands, its recent values, where it is heading."""

    view: KpiView
    history: tuple[float, ...]  # recent values for the sparkline, oldest first
    forecast: Forecast | NotEnoughData | None  # None: a binary KPI, or no readings yet
    reading_overdue: bool


@dataclass(frozen=True)
class HomeObjective:
    view: ObjectiveView
    kpis: tuple[HomeKpi, ...]


@dataclass(frozen=True)
class HomePerspective:
    view: PerspectiveView
    objectives: tuple[HomeObjective, ...]


@dataclass(frozen=True)
class YourAction:
    mine: MyAction
    overdue: bool  # open past its due date (it is then stalled too)

    @property
    def stalled(self) -> bool:
        return self.mine.stalled


@dataclass(frozen=True)
class Home:
    viewer: str  # Slack user id
    scorecard: Scorecard | None  # None: this workspace has no scorecard yet
    today: date | None = None
    perspectives: tuple[HomePerspective, ...] = ()
    unmeasured: tuple[HomeKpi, ...] = ()  # KPIs measuring no objective
    your_kpis: tuple[HomeKpi, ...] = ()  # most urgent first
    your_actions: tuple[YourAction, ...] = ()  # overdue and stalled first
    unlinked: tuple[ActionFacts, ...] = ()  # open actions serving no objective
    kpi_count: int = 0
    objective_count: int = 0
    may_set_channel: bool = False  # the viewer may choose the updates channel


def home_for(caller: Caller) -> Home:
    """The Home tab of `caller.user` in `caller.workspace`, as of `caller.now`."""
    with caller.database.reading() as session:
        scorecard = find_scorecard(session, caller.workspace)
        if scorecard is None:
            return Home(caller.user, None)
        assert scorecard.id is not None
        today = local_today(scorecard, caller.now)
        overview = load_overview(session, scorecard, today)
        history = recent_points(session, scorecard.id, history_bounds(today), SPARKLINE_POINTS)
        actions = my_actions(session, caller.workspace, caller.user, caller.now)
        unlinked = actions_serving_no_objective(session, scorecard.id)

    views = list(overview.kpis.values())
    points = {
        view.kpi.id: [(point.period, point.value) for point in history.get(view.kpi.id, [])]
        for view in views
    }
    forecasts = forecast_kpis([(view.goal, points[view.kpi.id]) for view in views], today)
    kpis = {
        view.kpi.id: HomeKpi(
            view,
            tuple(value for _, value in points[view.kpi.id]),
            forecast if view.reading is not None else None,
            _reading_overdue(view, today),
        )
        for view, forecast in zip(views, forecasts, strict=True)
    }
    perspectives = tuple(
        HomePerspective(
            perspective,
            tuple(
                HomeObjective(objective, tuple(kpis[k.kpi.id] for k in objective.kpis))
                for objective in perspective.objectives
            ),
        )
        for perspective in overview.perspectives
    )
    yours = [kpi for kpi in kpis.values() if kpi.view.kpi.owner == caller.user]
    yours.sort(key=lambda kpi: (not kpi.reading_overdue, KPI_URGENCY.get(kpi.view.status, 3)))
    your_actions = [YourAction(mine, is_overdue(mine.action, today)) for mine in actions]
    your_actions.sort(key=lambda a: (not a.overdue, not a.stalled, a.mine.action.due or date.max))
    return Home(
        viewer=caller.user,
        scorecard=scorecard,
        today=today,
        perspectives=perspectives,
        unmeasured=tuple(kpis[view.kpi.id] for view in overview.unmeasured_kpis),
        your_kpis=tuple(yours),
        your_actions=tuple(your_actions),
        unlinked=tuple(unlinked),
        kpi_count=len(kpis),
        may_set_channel=caller.is_workspace_admin,
        objective_count=len(overview.objectives),
    )


def _reading_overdue(view: KpiView, today: date) -> bool:
    """The rule the digest and nudges use; without any reading the clock starts with the KPI."""
    last = view.reading.period if view.reading else view.goal.start
    return reading_overdue(view.kpi.frequency, last, today)
