""" "Share in channel": a person's own reading or action update, shown again to post for the team.

The button sits on the private confirmation only its author sees; these functions load what it
points at (in the caller's workspace, logged or written by the caller) as it stands now.
"""

from dataclasses import dataclass

from scorecard.actions import ActionChanged
from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.overview import KpiView, view_kpi
from scorecard.workspace import local_today, require_scorecard
from storage.models import Action, ActionUpdate, Kpi, Objective, Reading
from storage.readings import newest_readings

GONE = "That is no longer on the scorecard, so there is nothing to share."
NOT_YOURS = "Only the person who posted it can share it."


@dataclass(frozen=True)
class SharedReading:
    kpi: KpiView  # the KPI as it stands now
    reading: Reading  # the reading being shared
    is_current: bool  # False: a newer reading is the KPI's latest


def reading_to_share(caller: Caller, reading_id: int) -> SharedReading:
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        reading = session.get(Reading, reading_id)
        if reading is None or reading.scorecard_id != scorecard.id:
            raise UserError(GONE)
        if reading.logged_by != caller.user:
            raise UserError(NOT_YOURS)
        kpi = session.get(Kpi, reading.kpi_id)
        if kpi is None or kpi.archived:
            raise UserError(GONE)
        current = next(iter(newest_readings(session, kpi.id, 1)), reading)
        today = local_today(scorecard, caller.now)
        view = view_kpi(kpi, current, today, scorecard.at_risk_tolerance)
        return SharedReading(view, reading, current.id == reading.id)


def action_update_to_share(caller: Caller, update_id: int) -> ActionChanged:
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        update = session.get(ActionUpdate, update_id)
        action = session.get(Action, update.action_id) if update is not None else None
        if update is None or action is None or action.scorecard_id != scorecard.id:
            raise UserError(GONE)
        if update.author != caller.user:
            raise UserError(NOT_YOURS)
        objective = session.get(Objective, action.objective_id) if action.objective_id else None
        return ActionChanged(action, objective, update)
