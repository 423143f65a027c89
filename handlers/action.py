"""/action: progress updates on actions, which keep stalled-work nudges honest."""

from typing import Any

from slack_bolt import Ack, App, BoltContext

from handlers.commands import Message, Request, SlashCommand, Subcommand
from handlers.replies import answer, command_summary
from handlers.services import services_of
from scorecard.actions import mark_done, my_actions, post_update, stop_action
from templates import render


def update_action(request: Request) -> Message:
    with request.database.writing() as session:
        changed = post_update(session, request.workspace, request.text, request.user, request.now)
    return render("action_changed", changed=changed)


def finish_action(request: Request) -> Message:
    with request.database.writing() as session:
        changed = mark_done(session, request.workspace, request.text, request.user, request.now)
    return render("action_changed", changed=changed)


def halt_action(request: Request) -> Message:
    with request.database.writing() as session:
        changed = stop_action(session, request.workspace, request.text, request.user, request.now)
    return render("action_changed", changed=changed)


def list_mine(request: Request) -> Message:
    with request.database.reading() as session:
        mine = my_actions(session, request.workspace, request.user, request.now)
    return render("my_actions", actions=mine)


ACTION = SlashCommand(
    "/action",
    "Actions: keep the work that serves the strategy moving",
    [
        Subcommand(
            "update",
            "/action update <action> <text>",
            "/action update customer photo campaign 40 photos in, picking winners friday",
            "Post progress on an action.",
            update_action,
            aliases=("progress", "post"),
        ),
        Subcommand(
            "done",
            "/action done <action>",
            "/action done train product managers",
            "Mark an action done.",
            finish_action,
            aliases=("finish", "complete"),
        ),
        Subcommand(
            "stop",
            "/action stop <action> [reason]",
            "/action stop daily meme posts serves no objective",
            "Stop an action, with a reason.",
            halt_action,
            aliases=("cancel", "drop"),
        ),
        Subcommand(
            "mine",
            "/action mine",
            "/action mine",
            "Your open actions, stalled ones first.",
            list_mine,
            aliases=("my", "list"),
        ),
    ],
)


def run_action_command(request: Request) -> Message:
    return ACTION.dispatch(request, default="mine")


def on_action(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    request = Request.from_command(command, services_of(context))
    answer(ack, lambda: run_action_command(request), command_summary(command))


def register(app: App) -> None:
    app.command("/action")(on_action)
