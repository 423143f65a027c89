"""Tenant isolation, proven: every entry point, sent from workspace BETA with the names, keys and
ids of workspace ALPHA's items, reads, changes, posts and exports nothing of ALPHA.

The table is checked against the app's own registrations (every Bolt listener, every verb of every
SlashCommand, every CLI verb that takes a workspace): a new entry point without a row fails here.
"""

import argparse
import html
import importlib
import json
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import Table, select
from sqlmodel import SQLModel

import handlers
from bot.cli import build_parser, main
from bot.slack_standin import RecordedCall
from handlers.commands import SlashCommand
from scorecard.importing import import_scorecard
from storage.db import Database
from storage.models import Action, Kpi, Objective, Reading, Review, Scorecard
from tests.conftest import TEST_NOW
from tests.harness import CLIENT_ID, CLIENT_SECRET, SlackHarness
from tests.installs import event, install
from tests.test_workflow_steps import Step

ALPHA, BETA = "T0ALPHA", "T0BETA"
ALPHA_TOKEN, BETA_TOKEN = "xoxb-alpha", "xoxb-beta"
ALPHA_OWNER, ALPHA_CHANNEL = "U0QOWNER", "C0QUOKKA"
INTRUDER, INTRUDER_CHANNEL = "U0BOB", "C0BETA"
# Nothing BETA is shown, sent or given may contain these: they only occur in ALPHA's data.
ALPHA_MARKERS = ("quokka", ALPHA_OWNER.lower(), ALPHA_CHANNEL.lower(), "d0qowner")

ALPHA_SCORECARD = f"""\
workspace: {ALPHA}
name: Quokka Inc scorecard
mission: The Quokka mission, for Alpha's eyes only.
timezone: UTC
perspectives:
  - {{key: p_alpha1, name: Quokka customers}}
objectives:
  - {{key: o_alpha1, title: Quokka loyalty, perspective: p_alpha1, owner: {ALPHA_OWNER}}}
  - {{key: o_alpha2, title: Quokka reach, perspective: p_alpha1, owner: {ALPHA_OWNER},
     supports: [o_alpha1]}}
kpis:
  - {{key: k_alpha1, name: Quokka signups, objective: o_alpha1, unit: quokkas, baseline: 100,
     target: 200, direction: up, frequency: daily, owner: {ALPHA_OWNER}}}
actions:
  - {{key: a_alpha1, title: Quokka roadshow, objective: o_alpha1, owner: {ALPHA_OWNER},
     status: active}}
  - {{key: a_alpha2, title: Quokka brochure, objective: o_alpha2, owner: {ALPHA_OWNER},
     status: done}}
"""
BETA_SCORECARD = f"""\
workspace: {BETA}
name: Beta brand scorecard
mission: Sell sturdy umbrellas.
timezone: UTC
perspectives:
  - {{key: money, name: Money}}
objectives:
  - {{key: margin, title: Healthy margin, perspective: money, owner: {INTRUDER}}}
kpis:
  - {{key: umbrella_sales, name: Umbrella sales, objective: margin, unit: units, baseline: 10,
     target: 20, direction: up, frequency: weekly, owner: {INTRUDER}}}
actions:
  - {{key: rain_ads, title: Rain ads, objective: margin, owner: {INTRUDER}, status: active}}
"""


@dataclass
class World:
    slack: SlackHarness
    alpha_scorecard: int
    alpha_kpi: int
    alpha_action: int
    alpha_done_action: int
    tmp: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    alpha_objective: int
    alpha_reading: int
    alpha_review: int


@dataclass(frozen=True)
class Said:
    """What BETA got back: the text to search for ALPHA's data, minus what BETA typed itself."""

    text: str
    typed: str = ""


Send = Callable[[World], Said]


# --- What the app registers -------------------------------------------------------------------

LISTENER_KINDS = (
    "command",
    "action",
    "view",
    "event",
    "shortcut",
    "options",
    "message",
    "function",
)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, ...]]:
    """Every listener the app registers while it is built, as ("action", "mark_action_done")."""
    found: set[tuple[str, ...]] = set()
    for kind in LISTENER_KINDS:
        original = getattr(App, kind)

        def recording(
            self: App, constraint: Any, *args: Any, _kind=kind, _orig=original, **kw: Any
        ):
            found.add((_kind, _describe(constraint)))
            return _orig(self, constraint, *args, **kw)

        monkeypatch.setattr(App, kind, recording)
    return found


def _describe(constraint: Any) -> str:
    if isinstance(constraint, re.Pattern):
        return constraint.pattern
    if isinstance(constraint, dict):
        return json.dumps(constraint, sort_keys=True)
    return str(constraint)


def verbs() -> set[tuple[str, ...]]:
    """Every verb of every SlashCommand defined in any module of handlers/."""
    commands: dict[str, SlashCommand] = {}
    for module in pkgutil.iter_modules(handlers.__path__, "handlers."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, SlashCommand):
                commands[value.name] = value
    return {
        ("verb", command.name, sub.name)
        for command in commands.values()
        for sub in command.subcommands
    }


def cli_verbs_taking_a_workspace() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()

    def walk(parser: Any, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if "--workspace" in action.option_strings or action.dest == "workspace":
                found.add(("cli", " ".join(path)))
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return found


# --- The world: ALPHA with everything, BETA the intruder ---------------------------------------


@pytest.fixture(params=["beta has a scorecard", "beta has just installed"])
def world(
    request: pytest.FixtureRequest,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[World]:
    """ALPHA with a scorecard, a reading and a digest; BETA with a scorecard of its own, or none
    yet (where "the only scorecard there is" must not become ALPHA's)."""
    slack = SlackHarness(database, now=TEST_NOW, oauth=True)
    try:
        import_scorecard(database, ALPHA_SCORECARD)
        if request.param == "beta has a scorecard":
            import_scorecard(database, BETA_SCORECARD)
        install(slack, ALPHA, bot_token=ALPHA_TOKEN, installer=ALPHA_OWNER)
        install(slack, BETA, bot_token=BETA_TOKEN, installer=INTRUDER)
        slack.command("/kpi", "log k_alpha1 150", team=ALPHA, user=ALPHA_OWNER)
        slack.command("/kpi", "digest here daily 09:00", team=ALPHA, channel=ALPHA_CHANNEL)
        slack.command("/kpi", "review", team=ALPHA, user=ALPHA_OWNER, channel=ALPHA_CHANNEL)
        slack.api.wait_for("response_url", 1, timeout=20)
        with database.reading() as session:
            alpha = session.exec(select(Scorecard.id).where(Scorecard.workspace == ALPHA)).one()
            kpi = session.exec(select(Kpi.id).where(Kpi.key == "k_alpha1")).one()
            action = session.exec(select(Action.id).where(Action.key == "a_alpha1")).one()
            done = session.exec(select(Action.id).where(Action.key == "a_alpha2")).one()
            objective = session.exec(select(Objective.id).where(Objective.key == "o_alpha1")).one()
            reading = session.exec(select(Reading.id).where(Reading.kpi_id == kpi[0])).one()
            review = session.exec(select(Review.id).where(Review.scorecard_id == alpha[0])).one()
        monkeypatch.setenv("DATABASE_URL", database.url)
        monkeypatch.setenv("SLACK_API_URL", slack.api.api_url)
        monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("SLACK_STATE_SECRET", "test-state-secret")
        monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
        slack.api.clear()
        yield World(
            slack,
            alpha[0],
            kpi[0],
            action[0],
            done[0],
            tmp_path,
            monkeypatch,
            capsys,
            objective[0],
            reading[0],
            review[0],
        )
    finally:
        slack.close()


def alpha_rows(database: Database, scorecard_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of ALPHA's, table by table."""
    with database.reading() as session:
        objectives = set(
            session.exec(select(Objective.id).where(Objective.scorecard_id == scorecard_id))
            .scalars()
            .all()
        )
        actions = set(
            session.exec(select(Action.id).where(Action.scorecard_id == scorecard_id))
            .scalars()
            .all()
        )
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for table in SQLModel.metadata.sorted_tables:
            found = [tuple(row) for row in session.execute(_rows_of_alpha(table, scorecard_id))]
            if table.name == "objective_links":
                found = [row for row in found if row[0] in objectives]
            if table.name == "action_updates":
                found = [row for row in found if row[1] in actions]
            rows[table.name] = sorted(found, key=repr)
        return rows


def _rows_of_alpha(table: Table, scorecard_id: int) -> Any:
    columns = table.c
    if table.name == "scorecards":
        return select(table).where(columns.id == scorecard_id)
    if "scorecard_id" in columns:
        return select(table).where(columns.scorecard_id == scorecard_id)
    if "team_id" in columns:
        return select(table).where(columns.team_id == ALPHA)
    if "workspace" in columns:
        return select(table).where(columns.workspace == ALPHA)
    return select(table)  # links and action updates: filtered by their parents above


# --- How BETA reaches each entry point ---------------------------------------------------------


def command(name: str, text: str, lazy: bool = False, echoed: str = "") -> Send:
    """`echoed`: the part of `text` a reply may repeat back (an item name BETA typed)."""

    def send(world: World) -> Said:
        before = len(world.slack.api.calls("response_url"))
        reply = world.slack.command(name, text, team=BETA, user=INTRUDER, channel=INTRUDER_CHANNEL)
        if lazy:
            world.slack.api.wait_for("response_url", before + 1, timeout=20)
        return Said(json.dumps(reply.message, ensure_ascii=False), typed=echoed or text)

    return send


def click(
    action_id: str,
    value: Callable[[World], str],
    lazy: bool = False,
    extra: Callable[[World], dict[str, Any]] | None = None,
) -> Send:
    """`extra`: more of the action, as a select sends it (`selected_option`, …)."""

    def send(world: World) -> Said:
        before = len(world.slack.api.calls("response_url"))
        reply = world.slack.click(
            {"action_id": action_id, "value": value(world), **(extra(world) if extra else {})},
            team=BETA,
            user=INTRUDER,
            channel=INTRUDER_CHANNEL,
        )
        if lazy:
            world.slack.api.wait_for("response_url", before + 1, timeout=20)
        return Said(json.dumps(reply.message))

    return send


def submit(
    callback_id: str,
    item: Callable[[World], int],
    values: dict[str, Any],
    metadata: Callable[[World], dict[str, Any]] | None = None,
) -> Send:
    def send(world: World) -> Said:
        metadata_sent = {"item": item(world), "channel": INTRUDER_CHANNEL, "ts": None}
        metadata_sent |= metadata(world) if metadata else {}
        payload = {
            "type": "view_submission",
            "team": {"id": BETA, "domain": "beta"},
            "user": {"id": INTRUDER, "team_id": BETA},
            "api_app_id": "A0SCORECARD",
            "token": "unused",
            "trigger_id": "trigger.beta",
            "view": {
                "id": "V0BETA",
                "team_id": BETA,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": json.dumps(metadata_sent),
                "hash": "1.hash",
                "state": {"values": values},
            },
        }
        return Said(world.slack.sender.interaction(payload).body)

    return send


def shortcut(callback_id: str) -> Send:
    def send(world: World) -> Said:
        reply = world.slack.shortcut(callback_id, user=INTRUDER, team=BETA)
        return Said(json.dumps(reply.message))

    return send


def kpi_options(typed: str) -> Send:
    """The Log-reading form's KPI picker asked for options while BETA types ALPHA's KPI key."""

    def send(world: World) -> Said:
        view = {"type": "modal", "callback_id": "log_reading_modal", "team_id": BETA}
        options = world.slack.block_suggestion(
            view, "kpi", "kpi_search", typed, user=INTRUDER, team=BETA
        )
        return Said(json.dumps(options), typed=typed)

    return send


def slack_event(payload: dict[str, Any]) -> Send:
    def send(world: World) -> Said:
        return Said(event(world.slack, BETA, payload).body)

    return send


def home_opened(world: World) -> Said:
    before = len(world.slack.api.calls("views.publish"))
    answer = event(world.slack, BETA, {"type": "app_home_opened", "user": INTRUDER, "tab": "home"})
    world.slack.api.wait_for("views.publish", before + 1, timeout=20)
    return Said(answer.body)


def review_ids(world: World) -> str:
    return f"{world.alpha_review}:{world.alpha_objective}"


def forecast_ids(world: World) -> str:
    return f"{world.alpha_kpi}:150.0"


def workflow_step(inputs: dict[str, Any]) -> Send:
    def send(world: World) -> Said:
        step = Step(world.slack, inputs, BETA)
        step.send()
        return Said(json.dumps([call.params for call in step.completions()]))

    return send


def cli(*arguments: str, echoed: str = "") -> Send:
    """`echoed`: what the output may repeat back (a channel the operator named)."""

    def send(world: World) -> Said:
        args = [a.replace("{tmp}", str(world.tmp)) for a in arguments]
        main(args)  # the exit status may well say no: what matters is what came out
        out = world.capsys.readouterr()
        out_dir = world.tmp / "out"
        written = "".join(path.read_text() for path in out_dir.rglob("*") if path.is_file())
        return Said(out.out + out.err + written, typed=echoed)

    return send


def readings_file(world: World) -> None:
    (world.tmp / "in").mkdir(exist_ok=True)
    (world.tmp / "in" / "readings.csv").write_text("kpi,period,value\nk_alpha1,2026-11-20,1\n")


def kpi_id(world: World) -> str:
    return str(world.alpha_kpi)


def action_id(world: World) -> str:
    return str(world.alpha_action)


def choice(command_name: str, text: str) -> Callable[[World], str]:
    return lambda world: json.dumps({"command": command_name, "text": text})


def text_input(block: str, value: str) -> dict[str, Any]:
    return {block: {block: {"type": "plain_text_input", "value": value}}}


ROWS: list[tuple[tuple[str, ...], Send]] = [
    (("command", "/kpi"), command("/kpi", "k_alpha1 999")),
    (("verb", "/kpi", "log"), command("/kpi", "log k_alpha1 999")),
    (
        ("verb", "/kpi", "replace"),
        command("/kpi", "replace Quokka signups 999 2026-11-23", echoed="Quokka signups"),
    ),
    (("verb", "/kpi", "show"), command("/kpi", "show k_alpha1")),
    (("verb", "/kpi", "list"), command("/kpi", "list p_alpha1")),
    (("verb", "/kpi", "chart"), command("/kpi", "chart k_alpha1", lazy=True)),
    (("verb", "/kpi", "map"), command("/kpi", "map", lazy=True)),
    (("verb", "/kpi", "note"), command("/kpi", "note k_alpha1 a note from beta")),
    (("verb", "/kpi", "undo"), command("/kpi", "undo")),
    (("verb", "/kpi", "digest"), command("/kpi", "digest list")),
    (("verb", "/kpi digest", "here"), command("/kpi", "digest here daily 10:00")),
    (("verb", "/kpi digest", "list"), command("/kpi", "digest list")),
    (("verb", "/kpi digest", "preview"), command("/kpi", "digest preview", lazy=True)),
    (("verb", "/kpi digest", "off"), command("/kpi", "digest off")),
    (("verb", "/kpi", "history"), command("/kpi", "history k_alpha1")),
    (("verb", "/kpi", "help"), command("/kpi", "help")),
    (("command", "/action"), command("/action", "")),
    (("verb", "/action", "update"), command("/action", "update a_alpha1 progress from beta")),
    (("verb", "/action", "done"), command("/action", "done a_alpha1")),
    (("verb", "/action", "stop"), command("/action", "stop a_alpha1 beta says so")),
    (("verb", "/action", "reopen"), command("/action", "reopen a_alpha2 beta wants it")),
    (("verb", "/action", "mine"), command("/action", "mine")),
    (("verb", "/action", "help"), command("/action", "help")),
    (("command", "/why"), command("/why", "a_alpha1")),
    (("verb", "/why", ""), command("/why", "Quokka roadshow", echoed="Quokka roadshow")),
    (("action", "open_action_update"), click("open_action_update", action_id)),
    (("action", "open_log_reading"), click("open_log_reading", kpi_id)),
    (("action", "mark_action_done"), click("mark_action_done", action_id)),
    (("action", "snooze_action"), click("snooze_action", action_id)),
    (("action", "not_mine_action"), click("not_mine_action", action_id)),
    (("action", "show_chart"), click("show_chart", lambda world: "k_alpha1", lazy=True)),
    (("action", "show_strategy_map"), click("show_strategy_map", lambda world: "", lazy=True)),
    (("action", "^choice_"), click("choice_0", choice("/kpi", "show k_alpha1"))),
    (
        ("view", "action_update_modal"),
        submit("action_update_modal", lambda w: w.alpha_action, text_input("update", "x")),
    ),
    (
        ("view", "log_reading_modal"),
        submit("log_reading_modal", lambda w: w.alpha_kpi, text_input("value", "999")),
    ),
    (
        ("view", "reassign_modal"),
        submit(
            "reassign_modal",
            lambda w: w.alpha_action,
            {"owner": {"owner": {"type": "users_select", "selected_user": INTRUDER}}},
        ),
    ),
    (
        ("verb", "/kpi", "review"),
        command("/kpi", "review here monthly on the first monday at 10:00"),
    ),
    (("verb", "/kpi", "review"), command("/kpi", "review", lazy=True)),
    (("action", "review_comment"), click("review_comment", review_ids)),
    (("action", "review_new_action"), click("review_new_action", review_ids)),
    (("action", "review_change_target"), click("review_change_target", review_ids)),
    (("action", "review_accept_miss"), click("review_accept_miss", review_ids)),
    (("action", "forecast_new_action"), click("forecast_new_action", forecast_ids)),
    (("action", "forecast_change_target"), click("forecast_change_target", forecast_ids)),
    (("action", "forecast_accept_miss"), click("forecast_accept_miss", forecast_ids)),
    (
        ("action", "review_link"),
        click(
            "review_link",
            lambda world: "",
            extra=lambda w: {
                "type": "static_select",
                "selected_option": {
                    "value": f"{w.alpha_review}:keep:{w.alpha_objective}:{w.alpha_objective}"
                },
            },
        ),
    ),
    (
        ("view", "review_commentary"),
        submit(
            "review_commentary",
            lambda w: w.alpha_objective,
            text_input("commentary", "beta was here") | {},
            metadata=lambda w: {"review": w.alpha_review, "objective": w.alpha_objective},
        ),
    ),
    (
        ("view", "review_decision"),
        submit(
            "review_decision",
            lambda w: w.alpha_objective,
            text_input("reason", "beta says so"),
            metadata=lambda w: {
                "review": w.alpha_review,
                "objective": w.alpha_objective,
                "kpi": w.alpha_kpi,
                "kind": "accept_miss",
            },
        ),
    ),
    (
        ("action", "set_updates_channel"),
        click(
            "set_updates_channel",
            lambda world: "",
            extra=lambda w: {
                "type": "conversations_select",
                "selected_conversation": ALPHA_CHANNEL,
            },
        ),
    ),
    (("action", "share_reading"), click("share_reading", lambda w: str(w.alpha_reading))),
    (("action", "share_action_update"), click("share_action_update", action_id)),
    (("event", "app_home_opened"), home_opened),
    (("verb", "/kpi", "new"), command("/kpi", "new action")),
    (("verb", "/kpi", "edit"), command("/kpi", "edit kpi k_alpha1")),
    (("verb", "/kpi", "admins"), command("/kpi", "admins")),
    (("verb", "/kpi admins", "list"), command("/kpi", "admins list")),
    (("verb", "/kpi admins", "add"), command("/kpi", "admins add <@U0BETAFRIEND>")),
    (("verb", "/kpi admins", "remove"), command("/kpi", "admins remove <@U0BETAFRIEND>")),
    (("action", "open_structure_form"), click("open_structure_form", lambda w: "kpi k_alpha1")),
    (
        ("view", "structure_modal"),
        submit(
            "structure_modal",
            lambda w: w.alpha_kpi,
            text_input("name", "Renamed by beta"),
            metadata=lambda w: {"kind": "kpi", "key": "k_alpha1", "from_message": None},
        ),
    ),
    (("shortcut", "log_reading_shortcut"), shortcut("log_reading_shortcut")),
    (("options", "kpi_search"), kpi_options("k_alpha1")),
    (
        ("function", "log_kpi_reading"),
        workflow_step({"kpi": "k_alpha1", "value": "999", "logged_by": INTRUDER}),
    ),
    (
        ("cli", "digest"),
        cli(
            "digest",
            "--channel",
            ALPHA_CHANNEL,
            "--workspace",
            BETA,
            "--dry-run",
            echoed=ALPHA_CHANNEL,
        ),
    ),
    (
        ("cli", "digest"),
        cli(
            "digest", "--channel", ALPHA_CHANNEL, "--workspace", BETA, "--now", echoed=ALPHA_CHANNEL
        ),
    ),
    (("cli", "import"), cli("import", "{tmp}/in/readings.csv", "--workspace", BETA)),
    (("cli", "export"), cli("export", "--workspace", BETA)),
    (("cli", "export"), cli("export", "readings", "--workspace", BETA)),
    (("cli", "nudge"), cli("nudge", "--workspace", BETA, "--now")),
    (("cli", "history"), cli("history", "--workspace", BETA, "--format", "json")),
    (("cli", "workspace export"), cli("workspace", "export", BETA, "--to", "{tmp}/out")),
    (("event", "tokens_revoked"), slack_event({"type": "tokens_revoked", "tokens": {"oauth": []}})),
    (("event", "app_uninstalled"), slack_event({"type": "app_uninstalled"})),
    (("cli", "workspace delete"), cli("workspace", "delete", BETA)),
]


def test_every_entry_point_has_a_row(database: Database, registered: set[tuple[str, ...]]) -> None:
    SlackHarness(database, now=TEST_NOW, oauth=True).close()  # builds the app: its listeners
    SlackHarness(database, now=TEST_NOW).close()
    assert ("command", "/kpi") in registered
    wanted = registered | verbs() | cli_verbs_taking_a_workspace()
    assert wanted - {key for key, _ in ROWS} == set(), "entry points without an isolation row"


def test_nothing_of_one_workspace_reaches_another(world: World) -> None:
    readings_file(world)
    alpha_before = alpha_rows(world.slack.database, world.alpha_scorecard)
    for key, send in ROWS:
        calls_before = len(world.slack.api.calls())
        said = send(world)
        calls = world.slack.api.calls()[calls_before:]
        where = " ".join(key)
        assert _leaks(said.text, said.typed) == [], (
            f"{where}: ALPHA's data in the answer: {said.text[:600]}"
        )
        for call in calls:
            assert call.token != ALPHA_TOKEN, f"{where}: called Slack with ALPHA's token"
            leaked = _leaks(_call_text(call), said.typed)
            assert leaked == [], f"{where}: ALPHA's data sent to Slack: {call}"
        alpha_after = alpha_rows(world.slack.database, world.alpha_scorecard)
        assert alpha_after == alpha_before, f"{where}: ALPHA's rows changed"


def _leaks(text: str, typed: str = "") -> list[str]:
    """ALPHA's markers in `text`, after taking out what BETA typed itself (echoed in errors)."""
    plain = html.unescape(html.unescape(text)).lower()
    if typed:
        plain = plain.replace(html.unescape(typed).lower(), "")
    return [marker for marker in ALPHA_MARKERS if marker in plain]


def _call_text(call: RecordedCall) -> str:
    return json.dumps(call.params, default=str)
