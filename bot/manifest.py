"""Slack's app manifest, written from the code: `scorecard manifest --host your.host`.

The slash commands come from their descriptions in handlers/ (`SLASH_COMMANDS`: names, summaries
and verbs, the same that dispatch them and write their help), the Workflow Builder steps from
handlers/workflow_steps.py, the bot scopes from bot/oauth.py (what an install asks for). The
rest is declared below, one entry per feature: a new event, shortcut or scope is a line here.
`manifest.yml` is this module's output for the placeholder host; tests/test_manifest.py fails
when the two differ. Format: https://docs.slack.dev/reference/app-manifest
"""

from dataclasses import dataclass
from typing import Any

import yaml

from bot.http import SLACK_PATH
from bot.oauth import BOT_SCOPES
from handlers.commands import SlashCommand
from handlers.kpi import SLASH_COMMANDS
from handlers.workflow_steps import WORKFLOW_STEPS, StepParameter, WorkflowStep

PLACEHOLDER_HOST = "YOUR-HOST"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"  # Bolt's default, served by bot/oauth.py

DISPLAY_INFORMATION = {
    "name": "Scorecard",
    "description": "A Balanced Scorecard that lives in Slack. Why are we doing this?",
    "background_color": "#1d3557",
}
BOT_USER = {"display_name": "Scorecard", "always_online": True}
# The Home tab and the Messages tab; empty: Slack's defaults.
APP_HOME: dict[str, bool] = {
    "home_tab_enabled": True,  # the live scorecard for whoever opens it (handlers/home.py)
    "messages_tab_enabled": True,  # nudges and notices arrive here
    "messages_tab_read_only_enabled": True,
}
# Global and message shortcuts: {"name", "type": "global" | "message", "callback_id",
# "description"}, each answered by a listener in handlers/.
SHORTCUTS: tuple[dict[str, str], ...] = ()
# Whether a modal has `external_select` menus, whose options Slack asks for at the events URL
# (`block_suggestion`): the manifest then names that URL as `message_menu_options_url`.
SELECT_MENU_OPTIONS = False
# Why the app needs each of BOT_SCOPES: written beside it in the manifest.
SCOPE_REASONS = {
    "commands": "the slash commands",
    "chat:write": "replies, digests and nudges",
    "chat:write.public": "digests in public channels the bot has not been invited to",
    "im:write": "opening a direct message for a nudge",
    "files:write": "pictures: a KPI's trend chart and the strategy map",
    "users:read": "an owner's time zone and whether they are away",
    "channels:history": "after a crash, checking whether a digest was already posted",
    "groups:history": "the same, for digests in private channels",
    "im:history": "whether a nudge whose answer was lost reached its owner",
    "canvases:write": "a strategy review's minutes in the channel canvas, where allowed",
}
# The Events API events the app listens to, and why.
BOT_EVENTS = {
    "app_uninstalled": "delete the workspace's tokens; its scorecard is kept for a while",
    "tokens_revoked": "the same, when the bot's token is revoked",
    "app_home_opened": "publish the Home tab (views.publish)",
}
# Workflow Builder runs a step by sending this event; steps make the app "org-ready".
FUNCTION_EXECUTED = "function_executed"
FUNCTION_EXECUTED_REASON = "Workflow Builder runs a step of ours (handlers/workflow_steps.py)"

HEADER = """\
# Slack app manifest for Scorecard, written from the code by `scorecard manifest` (do not edit:
# change bot/manifest.py or the commands, then `scorecard manifest > manifest.yml`).
# At https://api.slack.com/apps choose "Create New App" → "From an app manifest" and paste the
# output of `scorecard manifest --host your.host` (`--socket-mode` for Socket Mode; see README).
"""


@dataclass(frozen=True)
class ManifestOptions:
    host: str = PLACEHOLDER_HOST
    socket_mode: bool = False  # no public URL: Slack talks to the app over a socket
    workflow_steps: bool = True  # Slack does not distribute apps with steps publicly


def manifest(options: ManifestOptions = ManifestOptions()) -> dict[str, Any]:
    """The manifest as data, keys in the order Slack's app settings show them."""
    url = None if options.socket_mode else f"https://{options.host}{SLACK_PATH}"
    steps = WORKFLOW_STEPS if options.workflow_steps else ()
    features: dict[str, Any] = {}
    if APP_HOME:
        features["app_home"] = dict(APP_HOME)
    features["bot_user"] = dict(BOT_USER)
    if SHORTCUTS:
        features["shortcuts"] = [dict(shortcut) for shortcut in SHORTCUTS]
    features["slash_commands"] = [_slash_command(command, url) for command in SLASH_COMMANDS]
    oauth: dict[str, Any] = {}
    if url is not None:
        oauth["redirect_urls"] = [f"https://{options.host}{OAUTH_REDIRECT_PATH}"]
    oauth["scopes"] = {"bot": list(BOT_SCOPES)}
    settings: dict[str, Any] = {
        "event_subscriptions": _with_url(url, {"bot_events": list(_events(steps))}),
        "interactivity": _interactivity(url),
        "org_deploy_enabled": bool(steps),
        "socket_mode_enabled": options.socket_mode,
        "token_rotation_enabled": False,
    }
    if steps:
        settings["function_runtime"] = "remote"  # our own server runs them, not Slack
    document: dict[str, Any] = {
        "display_information": dict(DISPLAY_INFORMATION),
        "features": features,
        "oauth_config": oauth,
        "settings": settings,
    }
    if steps:
        document["functions"] = {step.callback_id: _function(step) for step in steps}
    return document


def manifest_yaml(options: ManifestOptions = ManifestOptions()) -> str:
    """The manifest as YAML, each scope and event with the reason the app needs it."""
    text = yaml.dump(
        manifest(options), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    reasons = {**SCOPE_REASONS, **BOT_EVENTS, FUNCTION_EXECUTED: FUNCTION_EXECUTED_REASON}
    return HEADER + "".join(_with_reason(line, reasons) for line in text.splitlines(True))


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as Slack's own manifests are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _slash_command(command: SlashCommand, url: str | None) -> dict[str, Any]:
    return {
        "command": command.name,
        **_with_url(url, {}, key="url"),
        "description": command.summary,
        "usage_hint": command.usage_hint,
        # Slack then sends mentions, channels and links as <@U…|name>, which the app decodes
        # (handlers/slack_text.py).
        "should_escape": True,
    }


def _interactivity(url: str | None) -> dict[str, Any]:
    interactivity: dict[str, Any] = {"is_enabled": True, **_with_url(url, {})}
    if SELECT_MENU_OPTIONS and url is not None:
        interactivity["message_menu_options_url"] = url
    return interactivity


def _events(steps: tuple[WorkflowStep, ...]) -> list[str]:
    return [*BOT_EVENTS, *([FUNCTION_EXECUTED] if steps else [])]


def _function(step: WorkflowStep) -> dict[str, Any]:
    return {
        "title": step.title,
        "description": step.description,
        "input_parameters": _parameters(step.inputs),
        "output_parameters": _parameters(step.outputs),
    }


def _parameters(parameters: tuple[StepParameter, ...]) -> dict[str, Any]:
    properties = {}
    for parameter in parameters:
        described = {
            "type": parameter.type,
            "title": parameter.title,
            "description": parameter.description,
        }
        if parameter.hint:
            described["hint"] = parameter.hint
        properties[parameter.name] = described
    return {
        "properties": properties,
        "required": [parameter.name for parameter in parameters if parameter.required],
    }


def _with_url(url: str | None, fields: dict[str, Any], key: str = "request_url") -> dict[str, Any]:
    """`fields`, after the request URL (none in Socket Mode)."""
    return fields if url is None else {key: url, **fields}


def _with_reason(line: str, reasons: dict[str, str]) -> str:
    """ "  - chat:write" -> "  - chat:write  # replies, digests and nudges"."""
    item = line.strip().removeprefix("- ")
    if not line.strip().startswith("- ") or item not in reasons:
        return line
    return f"{line.rstrip()}  # {reasons[item]}\n"
