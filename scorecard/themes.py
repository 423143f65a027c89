"""Supporting themes in the digest: per theme, the actions done in the period, the KPIs' status,
and whether any action is under way at all.

A theme (Kaplan and Norton's strategic theme) is a strand of the strategy that cuts across the
perspectives; an action belongs to its own theme, else to its objective's, and a KPI to its
objective's.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from scorecard.overview import ObjectiveView
from scorecard.vocabulary import ACTIVE, AT_RISK, DONE, NO_DATA, OFF_TRACK, ON_TRACK
from storage.action_queries import actions_by_theme
from storage.models import Scorecard, Theme
from storage.scorecards import themes_of

KPI_STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme
    done: int  # actions done in the period
    active: int  # actions under way now
    kpis: dict[str, int] = field(default_factory=dict)  # status -> how many of its KPIs

    @property
    def kpi_count(self) -> int:
        return sum(self.kpis.values())


def count_themes(
    session: Session,
    scorecard: Scorecard,
    objectives: Iterable[ObjectiveView],
    since: datetime,
    only: str | None = None,
) -> list[ThemeCount]:
    """Every theme of the scorecard (or just `only`) in file order, counted since `since`."""
    assert scorecard.id is not None
    themes = [theme for theme in themes_of(session, scorecard.id) if only in (None, theme.key)]
    if not themes:
        return []
    done: Counter[str] = Counter()
    active: Counter[str] = Counter()
    for theme, status, last_update_at in actions_by_theme(session, scorecard.id):
        done[theme] += status == DONE and last_update_at >= since
        active[theme] += status == ACTIVE
    statuses: dict[str, Counter[str]] = {}
    for view in objectives:
        if view.objective.theme:
            counter = statuses.setdefault(view.objective.theme, Counter())
            counter.update(kpi.status for kpi in view.kpis)
    return [
        ThemeCount(
            theme,
            done[theme.key],
            active[theme.key],
            {s: statuses.get(theme.key, Counter())[s] for s in KPI_STATUSES},
        )
        for theme in themes
    ]
