"""`/kpi admins [list|add @someone|remove @someone]`: who may change the scorecard's structure."""

from handlers.commands import Message, SlashCommand, Subcommand
from handlers.replies import Built
from scorecard.admin_requests import (
    add_scorecard_admin,
    list_admins,
    remove_scorecard_admin,
)
from scorecard.caller import Caller
from templates import render


def show_admins(caller: Caller, text: str) -> Message:
    return render("scorecard_admins", **vars(list_admins(caller)))


def add_admin(caller: Caller, text: str) -> Message:
    return render("scorecard_admins", **vars(add_scorecard_admin(caller, text)))


def remove_admin(caller: Caller, text: str) -> Message:
    return render("scorecard_admins", **vars(remove_scorecard_admin(caller, text)))


ADMINS = SlashCommand(
    "/kpi admins",
    "Scorecard admins",
    [
        Subcommand("list", "/kpi admins list", "/kpi admins", "Who they are.", show_admins),
        Subcommand(
            "add", "/kpi admins add @someone", "/kpi admins add @maria", "List one.", add_admin
        ),
        Subcommand(
            "remove",
            "/kpi admins remove @someone",
            "/kpi admins remove @maria",
            "Take one off the list.",
            remove_admin,
            aliases=("rm", "delete"),
        ),
    ],
)


def run_admins(caller: Caller, text: str) -> Built:
    return ADMINS.dispatch(caller, text, default="list")


ADMINS_SUBCOMMAND = Subcommand(
    "admins",
    "/kpi admins [add|remove @someone]",
    "/kpi admins add @maria",
    "Scorecard admins, who (with the workspace's admins and owners) may change its structure.",
    run_admins,
    aliases=("admin",),
)
