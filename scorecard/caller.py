"""Who is asking: the one description of a caller for every way of reaching the scorecard.

A slash command, a button click, a modal submission (and later a Home tab, a shortcut or a
workflow step) all come down to the same plain data: which workspace, which person, where they
were, what time it is, and the database to work in. It knows nothing of Slack; handlers build it
from Slack's payloads, the console and tests build it directly.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from storage.db import Database
from storage.types import utc_now


@dataclass(frozen=True)
class Caller:
    workspace: str  # Slack team id, "T0DEMO"
    user: str  # Slack user id, "U0LEAD"
    now: datetime  # timezone-aware
    database: Database
    channel: str | None = None  # where they asked or clicked; None in a modal opened elsewhere
    message_ts: str | None = None  # the message they clicked on, if any
    # Whether the person is a workspace admin or owner. Handlers look it up (Slack's users.info
    # `is_admin` / `is_owner`) only for the rules that need it; otherwise it stays False.
    is_workspace_admin: bool = False
    # Or how to ask, when a rule needs to know: handlers pass a `users.info` lookup, so Slack is
    # asked only for a change the person is not otherwise allowed to make, and at most once.
    workspace_admin_lookup: Callable[[], bool] | None = None

    def __post_init__(self) -> None:
        # Everything written through a caller's database is recorded in the history of changes
        # as this person's, whichever path (command, button, modal, Home tab) did the writing.
        object.__setattr__(self, "database", self.database.acting_for(self.user))

    def as_admin(self, is_admin: bool) -> "Caller":
        return replace(self, is_workspace_admin=is_admin)

    def with_admin_lookup(self, lookup: Callable[[], bool]) -> "Caller":
        return replace(self, workspace_admin_lookup=cache(lookup))

    def confirmed_workspace_admin(self) -> bool:
        """Whether they are a workspace admin or owner, asking (once) only now."""
        if self.is_workspace_admin:
            return True
        return self.workspace_admin_lookup is not None and self.workspace_admin_lookup()


@dataclass(frozen=True)
class Services:
    """What every caller needs besides who they are: the database and the clock."""

    database: Database
    clock: Callable[[], datetime] = utc_now
    # user id -> whether Slack says they are a workspace admin or owner; None where nobody can say
    # (the console, scheduled jobs). Handlers set it per request (handlers/services.py).
    workspace_admin: Callable[[str], bool] | None = None

    def caller(
        self,
        workspace: str,
        user: str,
        channel: str | None = None,
        message_ts: str | None = None,
    ) -> Caller:
        caller = Caller(workspace, user, self.clock(), self.database, channel, message_ts)
        lookup = self.workspace_admin
        return caller if lookup is None else caller.with_admin_lookup(lambda: lookup(user))

    def __deepcopy__(self, memo: dict[int, object]) -> "Services":
        """Bolt deep-copies the context for lazy listeners; shared services go over as they are.

        The database object is thread-safe and hands out a session per request or job.
        """
        return self
