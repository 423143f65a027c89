"""What listeners need besides Slack (the database and the clock), handed over in Bolt's context."""

from collections.abc import Callable
from dataclasses import replace

from slack_bolt import App, BoltContext

from handlers.workspace_admins import is_workspace_admin
from scorecard.caller import Services

__all__ = ["Services", "provide", "services_of"]

SERVICES_KEY = "scorecard_services"


def provide(app: App, services: Services) -> None:
    """Put `services` in every request's context, so listeners stay plain functions. Its callers
    can ask Slack (with the request's client) whether they are a workspace admin, when a rule
    in scorecard/permissions.py needs to know."""

    @app.middleware
    def add_services(context: BoltContext, next: Callable[[], None]) -> None:
        client = context.client
        if client is None:
            context[SERVICES_KEY] = services
        else:
            lookup = lambda user: is_workspace_admin(client, user)  # noqa: E731
            context[SERVICES_KEY] = replace(services, workspace_admin=lookup)
        next()


def services_of(context: BoltContext) -> Services:
    return context[SERVICES_KEY]
