"""/why: why does this action, KPI or objective exist?"""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.commands import Message, SlashCommand, Subcommand, from_command
from handlers.replies import answer, command_summary
from handlers.services import services_of
from scorecard.caller import Caller
from scorecard.tracing import Choices, trace_for
from templates import render


def explain(caller: Caller, text: str) -> Message:
    if text.strip().casefold() == "help":
        return render("help", commands=[WHY])
    found = trace_for(caller, text)
    if isinstance(found, Choices):
        return render("why_choices", choices=found)
    return render("why", trace=found)


WHY = SlashCommand(
    "/why",
    "Why does this exist? Trace work up to the mission",
    [
        Subcommand(
            "",
            "/why <action, KPI or objective>",
            "/why daily meme posts",
            "The objective it serves, up the cause-and-effect chain to the mission, with the "
            "KPIs that say whether it works.",
            explain,
        )
    ],
)


def on_why(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    caller, text = from_command(command, services_of(context))
    answer(ack, client, lambda: explain(caller, text), command_summary(command))


def register(app: App) -> None:
    app.command("/why")(on_why)
