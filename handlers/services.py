"""What listeners need besides Slack (the database and the clock), handed over in Bolt's context."""

from collections.abc import Callable

from slack_bolt import App, BoltContext

from scorecard.caller import Services

__all__ = ["Services", "provide", "services_of"]

SERVICES_KEY = "scorecard_services"


def provide(app: App, services: Services) -> None:
    """Put `services` in every request's context, so listeners stay plain functions."""

    @app.middleware
    def add_services(context: BoltContext, next: Callable[[], None]) -> None:
        context[SERVICES_KEY] = services
        next()


def services_of(context: BoltContext) -> Services:
    return context[SERVICES_KEY]
