"""One list of commands: manifest.yml, the help and the console come from the commands' own
descriptions in handlers/, so the manifest can't drift from what the app answers."""

from pathlib import Path

import pytest
import yaml

from bot import manifest as bot_manifest
from bot.cli import main
from bot.console import COMMANDS
from bot.manifest import ManifestOptions, manifest, manifest_yaml
from handlers.kpi import SLASH_COMMANDS
from handlers.workflow_steps import WORKFLOW_STEPS
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD

MANIFEST_FILE = Path(__file__).resolve().parent.parent / "manifest.yml"


def committed() -> dict:
    return yaml.safe_load(MANIFEST_FILE.read_text(encoding="utf-8"))


def test_the_committed_manifest_is_the_one_the_code_writes() -> None:
    assert MANIFEST_FILE.read_text(encoding="utf-8") == manifest_yaml(), (
        "manifest.yml is out of date: run `scorecard manifest > manifest.yml`"
    )


def test_the_manifest_lists_each_slash_command_as_the_code_describes_it() -> None:
    listed = committed()["features"]["slash_commands"]

    assert [entry["command"] for entry in listed] == [command.name for command in SLASH_COMMANDS]
    for entry, command in zip(listed, SLASH_COMMANDS, strict=True):
        assert entry["description"] == command.summary
        assert entry["usage_hint"] == command.usage_hint
        assert entry["should_escape"] is True  # the app decodes Slack's escaped text
        assert entry["url"] == "https://YOUR-HOST/slack/events"
    assert list(COMMANDS) == [command.name for command in SLASH_COMMANDS]


def test_every_verb_is_in_the_usage_hint_and_in_the_help_the_app_answers_with(
    slack: SlackHarness,
) -> None:
    slack.load(SAMPLE_SCORECARD)
    hints = {
        entry["command"]: entry["usage_hint"] for entry in committed()["features"]["slash_commands"]
    }

    for command in SLASH_COMMANDS:
        reply = slack.command(command.name, "help")
        for sub in command.subcommands:
            assert sub.usage in reply.text, (command.name, sub.usage)
            assert sub.name in hints[command.name].split(" · ") or not sub.name


def test_the_manifest_declares_the_workflow_step_the_app_listens_for() -> None:
    document = committed()
    [step] = WORKFLOW_STEPS
    declared = document["functions"][step.callback_id]

    assert declared["title"] == step.title
    inputs = declared["input_parameters"]
    assert list(inputs["properties"]) == [parameter.name for parameter in step.inputs]
    assert inputs["required"] == ["kpi", "value", "logged_by"]
    assert inputs["properties"]["date"]["type"] == "slack#/types/date"
    assert list(declared["output_parameters"]["properties"]) == ["status", "message"]
    assert "function_executed" in document["settings"]["event_subscriptions"]["bot_events"]
    assert document["settings"]["org_deploy_enabled"] is True  # Slack requires it for steps
    assert document["settings"]["function_runtime"] == "remote"


def test_scorecard_manifest_prints_it_for_your_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--host", "scorecard.example.com"]) == 0

    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed == manifest(ManifestOptions(host="scorecard.example.com"))
    urls = [entry["url"] for entry in printed["features"]["slash_commands"]]
    assert urls == ["https://scorecard.example.com/slack/events"] * len(SLASH_COMMANDS)
    assert printed["settings"]["interactivity"]["request_url"] == urls[0]
    assert printed["oauth_config"]["redirect_urls"] == [
        "https://scorecard.example.com/slack/oauth_redirect"
    ]


def test_for_socket_mode_and_public_distribution_it_leaves_out_what_they_cannot_have(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["manifest", "--socket-mode", "--no-workflow-steps"]) == 0

    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["settings"]["socket_mode_enabled"] is True
    assert "YOUR-HOST" not in yaml.safe_dump(printed)
    assert "functions" not in printed
    assert "function_executed" not in printed["settings"]["event_subscriptions"]["bot_events"]
    assert printed["settings"]["org_deploy_enabled"] is False


def test_a_feature_declared_as_an_entry_reaches_the_manifest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shortcut = {
        "name": "Log a KPI reading",
        "type": "global",
        "callback_id": "log_reading_shortcut",
        "description": "Log a reading of a KPI",
    }
    monkeypatch.setattr("bot.manifest.SHORTCUTS", (shortcut,))
    monkeypatch.setattr("bot.manifest.APP_HOME", {"home_tab_enabled": True})
    monkeypatch.setattr("bot.manifest.SELECT_MENU_OPTIONS", True)
    monkeypatch.setitem(bot_manifest.BOT_EVENTS, "app_home_opened", "the Home tab")

    document = yaml.safe_load(manifest_yaml(ManifestOptions(host="example.com")))

    assert document["features"]["shortcuts"] == [shortcut]
    assert document["features"]["app_home"] == {"home_tab_enabled": True}
    interactivity = document["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == "https://example.com/slack/events"
    assert "app_home_opened" in document["settings"]["event_subscriptions"]["bot_events"]
