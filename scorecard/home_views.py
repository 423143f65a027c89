"""Whether a person may be looking at their Home tab, so a change is worth redrawing it for.

Slack tells us each time the Home tab is opened (`app_home_opened`) and we draw it then
(handlers/home.py); a button used on the tab counts as looking too, since a form it opens
closes back onto the tab without a new `app_home_opened`. A redraw after a change only matters
while the tab may still be on screen. Under a burst of
`/kpi log`s, redrawing the whole Home tab of everyone who typed one cost several times the
command itself; people who have not opened the tab lately are now left to the next open.
"""

import logging
from datetime import timedelta

from scorecard.caller import Caller
from scorecard.errors import UserError
from storage.home_tab_views import home_opened_at, record_home_opened

logger = logging.getLogger(__name__)

# A Home tab opened this recently may still be on someone's screen.
HOME_MAY_STAY_OPEN = timedelta(hours=2)


def note_home_opened(caller: Caller) -> None:
    """Remember that `caller.user` opened the Home tab now. When nothing can be written (the
    database busy or read-only) it is logged and skipped: the tab is drawn all the same."""
    try:
        with caller.database.writing() as session:
            record_home_opened(session, caller.workspace, caller.user, caller.now)
    except UserError as error:
        logger.warning("Could not note that %s opened the Home tab: %s", caller.user, error)


def may_be_looking_at_home(caller: Caller) -> bool:
    """True when `caller.user` opened the Home tab within `HOME_MAY_STAY_OPEN` of `caller.now`."""
    with caller.database.reading() as session:
        opened_at = home_opened_at(session, caller.workspace, caller.user)
    return opened_at is not None and caller.now - opened_at <= HOME_MAY_STAY_OPEN
