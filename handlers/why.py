"""/why: why does this action, KPI or objective exist?"""

from typing import Any

from slack_bolt import Ack, App, BoltContext

from handlers.commands import Message, Request, SlashCommand, Subcommand
from handlers.replies import answer, command_summary
from handlers.services import services_of
from scorecard.tracing import Choices, trace_to_mission
from templates import render


def explain(request: Request) -> Message:
    with request.database.reading() as session:
        found = trace_to_mission(session, request.workspace, request.text, request.now)
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


def on_why(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    request = Request.from_command(command, services_of(context))
    answer(ack, lambda: explain(request), command_summary(command))


def register(app: App) -> None:
    app.command("/why")(on_why)
