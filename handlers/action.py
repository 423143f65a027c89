"""/action: progress updates on actions, which keep stalled-work nudges honest."""

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.commands import Message, SlashCommand, Subcommand, from_command, split_verb
from handlers.replies import Reply, answer, command_summary
from handlers.services import services_of
from handlers.sharing import changed_reply
from handlers.slack_plumbing import is_workspace_admin
from scorecard.action_requests import (
    finish_typed,
    open_actions_of_caller,
    reopen_typed,
    stop_typed,
    update_typed,
)
from scorecard.caller import Caller
from templates import render


def update_action(caller: Caller, text: str) -> Reply:
    return changed_reply(caller, update_typed(caller, text))


def finish_action(caller: Caller, text: str) -> Reply:
    return changed_reply(caller, finish_typed(caller, text))


def halt_action(caller: Caller, text: str) -> Reply:
    return changed_reply(caller, stop_typed(caller, text))


def reopen_action(caller: Caller, text: str) -> Reply:
    return changed_reply(caller, reopen_typed(caller, text))


def list_mine(caller: Caller, text: str) -> Message:
    return render("my_actions", actions=open_actions_of_caller(caller))


def show_help(caller: Caller, text: str) -> Message:
    return render("help", commands=[ACTION])


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
            "reopen",
            "/action reopen <action> [why]",
            "/action reopen daily meme posts the team missed them",
            "Open a done or stopped action again (its owner, its objective's owner or an admin).",
            reopen_action,
            aliases=("restart", "resume"),
        ),
        Subcommand(
            "mine",
            "/action mine",
            "/action mine",
            "Your open actions, stalled ones first.",
            list_mine,
            aliases=("my", "list"),
        ),
        Subcommand("help", "/action help", "/action help", "These commands.", show_help),
    ],
)


def run_action_command(caller: Caller, text: str) -> Message | Reply:
    return ACTION.dispatch(caller, text, default="mine")


def with_admin_status(caller: Caller, text: str, client: WebClient) -> Caller:
    """Ask Slack whether the caller is a workspace admin, only for the verbs whose rules care."""
    verb, _ = split_verb(text)
    subcommand = ACTION.find(verb)
    if subcommand is None or subcommand.run is not reopen_action:
        return caller
    return caller.as_admin(is_workspace_admin(client, caller.user))


def on_action(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    caller, text = from_command(command, services_of(context))
    caller = with_admin_status(caller, text, client)
    answer(ack, client, lambda: run_action_command(caller, text), command_summary(command))


def register(app: App) -> None:
    app.command("/action")(on_action)
