"""What listeners need besides Slack: the database and the clock, handed over in Bolt's context."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App, BoltContext

from storage.db import Database
from storage.types import utc_now

SERVICES_KEY = "scorecard_services"


@dataclass(frozen=True)
class Services:
    database: Database
    clock: Callable[[], datetime] = utc_now

    def __deepcopy__(self, memo: dict[int, object]) -> "Services":
        """Bolt deep-copies the context for lazy listeners; shared services go over as they are.

        The database object is thread-safe and hands out a session per request or job.
        """
        return self


def provide(app: App, services: Services) -> None:
    """Put `services` in every request's context, so listeners stay plain functions."""

    @app.middleware
    def add_services(context: BoltContext, next: Callable[[], None]) -> None:
        context[SERVICES_KEY] = services
        next()


def services_of(context: BoltContext) -> Services:
    return context[SERVICES_KEY]
