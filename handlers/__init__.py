"""Thin Slack listeners: parse, call the domain, render. `register_all` wires them in one place."""

from slack_bolt import App

from handlers import (
    action,
    buttons,
    choices,
    home,
    kpi,
    modals,
    pictures,
    reviews,
    sharing,
    shortcuts,
    why,
    workflow_steps,
)
from handlers.services import Services, provide


def register_all(app: App, services: Services) -> None:
    provide(app, services)
    # Bolt tries listeners in the order registered, calling each one's matchers until one
    # matches: the slash commands come first, as they are most of what people send.
    pictures.register_commands(app)  # before kpi: /kpi chart and /kpi map are answered lazily
    reviews.register_commands(app)  # before kpi: opening and closing a review are answered lazily
    kpi.register(app)
    why.register(app)
    action.register(app)
    pictures.register(app)
    reviews.register(app)
    buttons.register(app)
    modals.register(app)
    choices.register(app)
    shortcuts.register(app)
    workflow_steps.register(app)
    home.register(app)
    sharing.register(app)
