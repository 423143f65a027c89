"""`/kpi admins`: the scorecard admins listed per workspace, who may change its structure.

Listing is for everyone; adding and removing is for admins (scorecard/permissions.py), so a
workspace admin or owner names the first ones.
"""

from dataclasses import dataclass

from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.file_fields import Invalid, read_user_id
from scorecard.permissions import require_admin
from scorecard.workspace import require_scorecard
from storage.admins import add_admin, admins_of, remove_admin

ADMINS_USAGE = "`/kpi admins add @someone`, `/kpi admins remove @someone` or `/kpi admins list`"


@dataclass(frozen=True)
class AdminList:
    admins: list[str]  # user ids, in the order they were added
    added: str | None = None  # who was just added (None: nobody)
    removed: str | None = None  # who was just removed
    unchanged: bool = False  # the change asked for was already so


def list_admins(caller: Caller) -> AdminList:
    """`/kpi admins` or `/kpi admins list`."""
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        assert scorecard.id is not None
        return AdminList(list(admins_of(session, scorecard.id)))


def add_scorecard_admin(caller: Caller, who: str) -> AdminList:
    """`/kpi admins add @someone`: for admins only."""
    user = person_named(who)
    _require_admin(caller, "add scorecard admins")
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        assert scorecard.id is not None
        check = caller.confirmed_workspace_admin  # answered already: no web call in the write
        require_admin(session, scorecard, caller.user, check, "add scorecard admins")
        added = add_admin(session, scorecard.id, user, caller.user, caller.now)
        return AdminList(list(admins_of(session, scorecard.id)), user, None, not added)


def remove_scorecard_admin(caller: Caller, who: str) -> AdminList:
    """`/kpi admins remove @someone`: for admins only."""
    user = person_named(who)
    _require_admin(caller, "remove scorecard admins")
    with caller.database.writing() as session:
        scorecard = require_scorecard(session, caller.workspace)
        assert scorecard.id is not None
        check = caller.confirmed_workspace_admin  # answered already: no web call in the write
        require_admin(session, scorecard, caller.user, check, "remove scorecard admins")
        removed = remove_admin(session, scorecard.id, user)
        return AdminList(list(admins_of(session, scorecard.id)), None, user, not removed)


def _require_admin(caller: Caller, what: str) -> None:
    """Checked first in a reading session, so Slack is asked (if at all) outside the write turn."""
    with caller.database.reading() as session:
        scorecard = require_scorecard(session, caller.workspace)
        require_admin(session, scorecard, caller.user, caller.confirmed_workspace_admin, what)


def person_named(text: str) -> str:
    """The user id of the one person `text` mentions (`<@U0ABC>` or `U0ABC`)."""
    words = text.split()
    if len(words) != 1:
        raise UserError(f"Name one person, like {ADMINS_USAGE}.")
    try:
        return read_user_id(words[0])
    except Invalid as problem:
        raise UserError(f"{problem}. Mention them: {ADMINS_USAGE}.") from None
