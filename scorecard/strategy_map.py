"""What the strategy map shows, as plain data: perspectives in order, objectives with their
status, the cause-and-effect links between them, and the actions that serve no objective.

The drawing is presentation (`templates/pictures/strategy_map.py`).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.overview import load_overview
from scorecard.workspace import local_today, require_scorecard
from storage.action_queries import actions_serving_no_objective


@dataclass(frozen=True)
class MapObjective:
    key: str
    title: str
    status: str  # vocabulary's ON_TRACK, AT_RISK, OFF_TRACK or NO_DATA


@dataclass(frozen=True)
class MapBand:
    """One perspective: a horizontal band of the map."""

    name: str
    objectives: list[MapObjective]


@dataclass(frozen=True)
class StrategyMap:
    scorecard_name: str
    mission: str
    bands: list[MapBand]  # in the scorecard's order, the first drawn at the top
    links: list[tuple[str, str]]  # (cause objective key, effect objective key)
    unlinked_actions: list[str]  # titles of open actions that serve no objective
    today: date

    @property
    def objectives(self) -> list[MapObjective]:
        return [objective for band in self.bands for objective in band.objectives]

    def count(self, status: str) -> int:
        """How many objectives have `status`."""
        return sum(objective.status == status for objective in self.objectives)


def strategy_map(session: Session, workspace: str, now: datetime) -> StrategyMap:
    """The workspace's strategy map as it stands today. UserError when it has no objectives."""
    scorecard = require_scorecard(session, workspace)
    today = local_today(scorecard, now)
    overview = load_overview(session, scorecard, today)
    if not overview.objectives:
        raise UserError(
            "This scorecard has no objectives yet, so there is no map to draw: add them to its "
            "file, then import it."
        )
    bands = [
        MapBand(
            view.perspective.name,
            [MapObjective(o.objective.key, o.objective.title, o.status) for o in view.objectives],
        )
        for view in overview.perspectives
    ]
    links = [
        (cause.objective.key, effect.objective.key)
        for cause in overview.objectives.values()
        for effect in cause.supports
    ]
    assert scorecard.id is not None
    unlinked = [facts.title for facts in actions_serving_no_objective(session, scorecard.id)]
    return StrategyMap(scorecard.name, scorecard.mission, bands, links, unlinked, today)


def strategy_map_for(caller: Caller) -> StrategyMap:
    """`strategy_map` for a caller, in a reading session of its own."""
    with caller.database.reading() as session:
        return strategy_map(session, caller.workspace, caller.now)
