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
    why,
    workflow_steps,
)
from handlers.services import Services, provide


def register_all(app: App, services: Services) -> None:
    provide(app, services)
    pictures.register(app)  # before kpi: its /kpi chart and /kpi map are answered lazily
    reviews.register(app)  # before kpi: opening and closing a review are answered lazily
    kpi.register(app)
    why.register(app)
    action.register(app)
    buttons.register(app)
    modals.register(app)
    choices.register(app)
    workflow_steps.register(app)
    home.register(app)
    sharing.register(app)
