"""What a digest says: the scorecard as a strategy map, exceptions first.

`build_digest` gathers everything in a handful of set-based queries (the overview, values as of
the previous digest, a short recent history per KPI, open actions, escalations), so a scorecard
with thousands of KPIs and years of readings costs about the same as a small one.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlmodel import Session

from scorecard.digest_filter import DigestFilter, narrow_digest
from scorecard.forecast import Forecast, NotEnoughData, forecast_kpis
from scorecard.link_ledger import (
    LINK_TEST_PERIODS,
    MAY_NOT_HOLD,
    MOVE_THRESHOLD,
    Track,
    judge_link,
)
from scorecard.nudges import reading_overdue
from scorecard.overview import (
    AnyKpi,
    KpiView,
    ObjectiveView,
    PerspectiveView,
    load_overview,
)
from scorecard.stalling import is_overdue, is_stalled
from scorecard.status import improvement
from scorecard.themes import ThemeCount, count_themes
from scorecard.vocabulary import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    READING_INTERVALS,
    RETIRE,
    THEME,
)
from scorecard.workspace import local_now, local_today
from storage.action_queries import (
    ActionFacts,
    actions_serving_no_objective,
    actions_that_may_have_stalled,
)
from storage.digest_queries import Point, points_since, recent_points, values_as_of
from storage.models import ObjectiveLink, Scorecard
from storage.nudges import Escalation, escalated_items
from storage.scorecards import link_rows_of

# Without a previous digest, changes are measured over this long.
DEFAULT_COMPARISON = timedelta(days=7)
# How many recent readings a sparkline draws.
SPARKLINE_POINTS = 8
# How many movers the digest names (a KPI "moved" by link_ledger's MOVE_THRESHOLD).
MOVERS_SHOWN = 5


@dataclass(frozen=True)
class KpiLine:
    """One KPI as the digest shows it."""

    view: KpiView
    objective_title: str | None
    previous: float | None  # its value at the previous digest
    history: tuple[float, ...]  # recent values for the sparkline, oldest first
    reading_overdue: bool
    forecast: Forecast | NotEnoughData | None = None  # None when off track: not needed

    @property
    def kpi(self) -> AnyKpi:
        return self.view.kpi

    @cached_property  # sorting movers reads it many times
    def change(self) -> float | None:
        if self.previous is None or self.view.value is None:
            return None
        return self.view.value - self.previous

    @cached_property
    def movement(self) -> float | None:
        """The change as a share of the baseline-to-target distance; positive is better."""
        if self.change is None:
            return None
        return improvement(self.view.goal, self.change)

    @property
    def improved(self) -> bool:
        return (self.movement or 0.0) > 0

    @property
    def projected_to_miss(self) -> bool:
        return isinstance(self.forecast, Forecast) and self.forecast.misses


@dataclass(frozen=True)
class StalledLine:
    action: ActionFacts
    objective_title: str | None
    past_due: bool
    idle_days: int


@dataclass(frozen=True)
class LinkDoubt:
    """An objective on track or improving for a while whose supported objectives have not moved
    `lag_weeks` later (see link_ledger.judge_link)."""

    objective: ObjectiveView
    unmoved: tuple[ObjectiveView, ...]
    periods: int
    lag_weeks: int = 0


@dataclass(frozen=True)
class ObjectiveLines:
    view: ObjectiveView
    kpis: tuple[KpiLine, ...]


@dataclass
class Digest:
    scorecard: Scorecard
    now: datetime
    today: date
    since: datetime
    since_previous_digest: bool  # False: changes are over DEFAULT_COMPARISON instead
    perspectives: list[PerspectiveView]
    objectives: list[ObjectiveLines]
    off_track: list[KpiLine] = field(default_factory=list)
    at_risk: list[KpiLine] = field(default_factory=list)
    projected_misses: list[KpiLine] = field(default_factory=list)  # on track or at risk today
    overdue: list[KpiLine] = field(default_factory=list)
    stalled: list[StalledLine] = field(default_factory=list)
    unlinked: list[ActionFacts] = field(default_factory=list)
    movers: list[KpiLine] = field(default_factory=list)
    link_doubts: list[LinkDoubt] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    unmeasured: list[KpiLine] = field(default_factory=list)
    themes: list[ThemeCount] = field(default_factory=list)
    focus: DigestFilter | None = None  # None: the whole scorecard

    @property
    def themes_without_action(self) -> list[ThemeCount]:
        return [count for count in self.themes if not count.active]

    @property
    def kpi_count(self) -> int:
        return sum(len(objective.kpis) for objective in self.objectives) + len(self.unmeasured)

    @property
    def all_clear(self) -> bool:
        return not (
            self.off_track
            or self.at_risk
            or self.projected_misses
            or self.overdue
            or self.stalled
            or self.unlinked
            or self.link_doubts
            or self.escalations
        )


def build_digest(
    session: Session,
    scorecard: Scorecard,
    now: datetime,
    since: datetime | None,
    only: DigestFilter | None = None,
) -> Digest:
    """The digest as of `now`; changes are measured from `since` (the previous digest). `only`:
    just that perspective, objective or theme (see digest_filter)."""
    assert scorecard.id is not None
    today = local_today(scorecard, now)
    overview = load_overview(session, scorecard, today)
    compared_from = since or now - DEFAULT_COMPARISON
    previous: dict[int, float] = {}
    history: dict[int, list[Point]] = {}
    if overview.kpis:  # a scorecard without KPIs yet has no values to look up
        previous = values_as_of(session, scorecard.id, compared_from)
        history = recent_points(session, scorecard.id, history_bounds(today), SPARKLINE_POINTS)

    forecasts = _forecasts(overview.kpis.values(), history, today)

    def line(view: KpiView, objective_title: str | None) -> KpiLine:
        points = history.get(view.kpi.id, [])
        return KpiLine(
            view=view,
            objective_title=objective_title,
            previous=previous.get(view.kpi.id),
            history=tuple(point.value for point in points),
            reading_overdue=_reading_overdue(view, today),
            forecast=forecasts.get(view.kpi.id),
        )

    objectives = [
        ObjectiveLines(view, tuple(line(kpi, view.objective.title) for kpi in view.kpis))
        for perspective in overview.perspectives
        for view in perspective.objectives
    ]
    unmeasured = [line(view, None) for view in overview.unmeasured_kpis]
    lines = [kpi for objective in objectives for kpi in objective.kpis] + unmeasured

    digest = Digest(
        scorecard=scorecard,
        now=now,
        today=today,
        since=local_now(scorecard, compared_from),
        since_previous_digest=since is not None,
        perspectives=overview.perspectives,
        objectives=objectives,
        unmeasured=unmeasured,
    )
    digest.off_track = [kpi for kpi in lines if kpi.view.status == OFF_TRACK]
    digest.at_risk = [kpi for kpi in lines if kpi.view.status == AT_RISK]
    # Off track already heads the digest; these look fine today but are heading for a miss.
    digest.projected_misses = [
        kpi for kpi in lines if kpi.projected_to_miss and kpi.view.status != OFF_TRACK
    ]
    digest.overdue = [kpi for kpi in lines if kpi.reading_overdue]
    digest.movers = _movers(lines)
    digest.link_doubts = _link_doubts(session, overview.objectives, history, scorecard, today)

    digest.unlinked = actions_serving_no_objective(session, scorecard.id)
    for action in actions_that_may_have_stalled(session, scorecard, now, today):
        if is_stalled(action, scorecard, now, today):
            idle = (now - action.last_update_at).days
            digest.stalled.append(
                StalledLine(action, action.objective_title, is_overdue(action, today), max(idle, 0))
            )
    digest.escalations = list(escalated_items(session, scorecard.id))
    if only is not None:
        narrow_digest(digest, only)
    # Themes cut across perspectives: counted for the whole scorecard, or for the one theme.
    if only is None or only.kind == THEME:
        themed = (lines.view for lines in digest.objectives)
        theme = only.key if only else None
        digest.themes = count_themes(session, scorecard, themed, compared_from, theme)
    return digest


def _forecasts(
    views: Iterable[KpiView], history: dict[int, list[Point]], today: date
) -> dict[int, Forecast | NotEnoughData | None]:
    """The forecast of every KPI the digest may name as projected to miss (measured, and not
    already off track), from its recent readings (the sparkline's), all fitted at once."""
    measured = [view for view in views if view.reading is not None and view.status != OFF_TRACK]
    trends = [
        (view.goal, [(point.period, point.value) for point in history.get(view.kpi.id, [])])
        for view in measured
    ]
    return dict(zip((view.kpi.id for view in measured), forecast_kpis(trends, today), strict=True))


def history_bounds(today: date) -> dict[str, date]:
    """How far back a sparkline's readings can be, by reading frequency."""
    return {
        frequency: today - interval * (SPARKLINE_POINTS + 2)
        for frequency, interval in READING_INTERVALS.items()
    }


def _reading_overdue(view: KpiView, today: date) -> bool:
    """The same rule the nudges use; without any reading the clock starts when the KPI did."""
    last = view.reading.period if view.reading else view.goal.start
    return reading_overdue(view.kpi.frequency, last, today)


def _movers(lines: list[KpiLine]) -> list[KpiLine]:
    moved = [
        kpi for kpi in lines if kpi.movement is not None and abs(kpi.movement) >= MOVE_THRESHOLD
    ]
    moved.sort(key=lambda kpi: abs(kpi.movement or 0.0), reverse=True)
    return moved[:MOVERS_SHOWN]


def _link_doubts(
    session: Session,
    objectives: dict[int, ObjectiveView],
    history: dict[int, list[Point]],
    scorecard: Scorecard,
    today: date,
) -> list[LinkDoubt]:
    """The cause-and-effect check, link by link with its expected lag (retired links are not
    tested): a strategy map is a hypothesis, so test it. Links without a lag are judged on the
    sparkline's readings; lagged ones on a longer history of just their objectives' KPIs."""
    assert scorecard.id is not None
    if not any(view.supports for view in objectives.values()):
        return []  # no strategy map yet: spare the query
    links = [
        link
        for link in link_rows_of(session, scorecard.id)
        if link.decision != RETIRE
        and link.objective_id in objectives
        and link.supports_id in objectives
    ]
    longer = _lagged_history(session, links, objectives, today)
    unmoved: dict[tuple[int, int], list[ObjectiveView]] = {}
    for link in links:
        lag = link.lag_weeks or 0
        points = longer if lag else history
        cause, effect = objectives[link.objective_id], objectives[link.supports_id]
        verdict = judge_link(
            _tracks(cause, points),
            _tracks(effect, points),
            effect.status == ON_TRACK,
            lag,
            today,
            scorecard.at_risk_tolerance,
        )
        if verdict == MAY_NOT_HOLD:
            unmoved.setdefault((link.objective_id, lag), []).append(effect)
    return [
        LinkDoubt(objectives[objective_id], tuple(effects), LINK_TEST_PERIODS, lag)
        for (objective_id, lag), effects in unmoved.items()
    ]


def _lagged_history(
    session: Session,
    links: list[ObjectiveLink],
    objectives: dict[int, ObjectiveView],
    today: date,
) -> dict[int, list[Point]]:
    """Readings far enough back for the lagged links: the lag, plus the driver's test periods
    at the slowest reading frequency."""
    lagged = [link for link in links if link.lag_weeks]
    if not lagged:
        return {}
    ids = {
        view.kpi.id
        for link in lagged
        for objective_id in (link.objective_id, link.supports_id)
        for view in objectives[objective_id].kpis
    }
    slowest = max(READING_INTERVALS.values())
    longest = max(link.lag_weeks or 0 for link in lagged)
    since = today - timedelta(weeks=longest) - slowest * (LINK_TEST_PERIODS + 1)
    return points_since(session, ids, since)


def _tracks(objective: ObjectiveView, points: dict[int, list[Point]]) -> list[Track]:
    return [Track(view.goal, points.get(view.kpi.id, [])) for view in objective.kpis]


# How the thread reply is split: objectives per message (each message stays well under 50
# blocks and about 30,000 characters), and at most this many messages.
DETAIL_OBJECTIVES_PER_MESSAGE = 20
DETAIL_MESSAGES = 5


@dataclass(frozen=True)
class DetailPage:
    """One thread reply's share of the detail (render with templates' digest_detail)."""

    objectives: tuple[ObjectiveLines, ...]
    unmeasured: tuple[KpiLine, ...]
    hidden: int  # objectives left out after the last page
    page: int
    pages: int


def detail_pages(digest: Digest) -> list[DetailPage]:
    """Split the detail so each message stays within Slack's 50 blocks."""
    size = DETAIL_OBJECTIVES_PER_MESSAGE
    chunks = [digest.objectives[i : i + size] for i in range(0, len(digest.objectives), size)]
    chunks = chunks[:DETAIL_MESSAGES] or [[]]
    hidden = max(0, len(digest.objectives) - size * DETAIL_MESSAGES)
    pages = len(chunks)
    return [
        DetailPage(
            objectives=tuple(chunk),
            unmeasured=tuple(digest.unmeasured) if number == pages else (),
            hidden=hidden if number == pages else 0,
            page=number,
            pages=pages,
        )
        for number, chunk in enumerate(chunks, start=1)
    ]
