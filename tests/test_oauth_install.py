"""Installing Scorecard in many workspaces through Slack's OAuth v2 flow, end to end over HTTP.

The browser's side (install page, state cookie, redirect) and Slack's side (`oauth.v2.access`,
answered by the stand-in) are both real HTTP on loopback; then each workspace's requests are
answered with its own bot token.
"""

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from bot.app import NOT_INSTALLED
from bot.cli import main
from bot.oauth import BOT_SCOPES
from bot.slack_clients import WorkspaceClients
from bot.slack_standin import CLIENT_ID
from scorecard.importing import import_scorecard
from storage.db import Database
from storage.models import SLACK_BOTS, SLACK_INSTALLATIONS, Reading, Scorecard
from tests.conftest import TEST_NOW
from tests.harness import SlackHarness
from tests.installs import (
    AUTHORIZE_URL,
    INSTALL_PATH,
    REDIRECT_PATH,
    authorize_link,
    get,
    install,
    state_cookie,
)
from tests.sample import SAMPLE_SCORECARD

ALPHA, BETA = "T0ALPHA", "T0BETA"


def scorecard_for(workspace: str, name: str) -> str:
    text = SAMPLE_SCORECARD.replace("workspace: T0DEMO", f"workspace: {workspace}", 1)
    return text.replace("name: Vitality community scorecard", f"name: {name}", 1)


@pytest.fixture
def slack(database: Database) -> Iterator[SlackHarness]:
    harness = SlackHarness(database, now=TEST_NOW, oauth=True)
    try:
        yield harness
    finally:
        harness.close()


def stored_bots(database: Database) -> list[tuple[str, str]]:
    with database.reading() as session:
        rows = session.execute(select(SLACK_BOTS.c.team_id, SLACK_BOTS.c.bot_token)).all()
    return sorted((row[0], row[1]) for row in rows)


def test_the_install_page_links_to_slack_with_our_scopes_and_a_state_in_a_cookie(
    slack: SlackHarness,
) -> None:
    page = get(slack.server.url + INSTALL_PATH)

    assert page.status == 200
    assert "Add to Slack" in page.body
    link = authorize_link(page)
    assert link.startswith(AUTHORIZE_URL)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == [
        "commands",
        "chat:write",
        "chat:write.public",
        "im:write",
        "files:write",
        "users:read",
        "channels:history",
        "groups:history",
        "im:history",
        "canvases:write",
    ]
    assert state_cookie(page) == f"slack-app-oauth-state={query['state'][0]}"
    assert "HttpOnly" in page.headers["Set-Cookie"]


def test_an_install_asks_for_the_scopes_the_manifest_lists() -> None:
    manifest_file = Path(__file__).resolve().parent.parent / "manifest.yml"
    manifest = yaml.safe_load(manifest_file.read_text(encoding="utf-8"))

    assert list(BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
    assert manifest["oauth_config"]["redirect_urls"] == [f"https://YOUR-HOST{REDIRECT_PATH}"]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_two_workspaces_installed_through_oauth_are_each_answered_with_their_own_token(
    slack: SlackHarness,
) -> None:
    import_scorecard(slack.database, scorecard_for(ALPHA, "Alpha agency"))
    import_scorecard(slack.database, scorecard_for(BETA, "Beta brand"))

    for team, token, installer in ((ALPHA, "xoxb-alpha", "U0ALICE"), (BETA, "xoxb-beta", "U0BOB")):
        page = install(slack, team, bot_token=token, installer=installer)
        assert page.status == 200, page.body
        assert f"team={team}" in page.body  # Bolt's "installed" page opens Slack there
        assert "deleted" in page.headers["Set-Cookie"]  # the state cookie is spent

    assert stored_bots(slack.database) == [(ALPHA, "xoxb-alpha"), (BETA, "xoxb-beta")]
    exchanges = slack.api.calls("oauth.v2.access")
    assert [call.token for call in exchanges] == [None, None]  # client id and secret, no token

    alpha = slack.command("/kpi", "log instagram followers 12.4k", user="U0ALICE", team=ALPHA)
    beta = slack.command("/kpi", "log instagram followers 9k", user="U0BOB", team=BETA)

    assert "12,400" in alpha.text or "12.4k" in alpha.text, alpha.text
    assert "9,000" in beta.text or "9k" in beta.text, beta.text
    # Bolt's authorize looked each workspace's token up and checked it with Slack.
    checked = {call.token for call in slack.api.calls("auth.test")}
    assert checked == {"xoxb-alpha", "xoxb-beta"}
    with slack.database.reading() as session:
        logged = session.exec(
            select(Scorecard.workspace, Reading.value, Reading.logged_by).join(
                Scorecard, Scorecard.id == Reading.scorecard_id
            )
        ).all()
    assert sorted(logged) == [(ALPHA, 12400.0, "U0ALICE"), (BETA, 9000.0, "U0BOB")]

    # A button that opens a modal calls Slack with the token of the workspace it was pressed in.
    slack.click({"action_id": "open_log_reading", "value": ""}, user="U0SOCIAL", team=BETA)
    slack.click({"action_id": "open_log_reading", "value": ""}, user="U0SOCIAL", team=ALPHA)
    assert [call.token for call in slack.api.calls("views.open")] == ["xoxb-beta", "xoxb-alpha"]

    clients = WorkspaceClients(slack.settings, slack.database)
    assert clients.client_for(ALPHA).token == "xoxb-alpha"  # type: ignore[union-attr]
    assert clients.client_for(BETA).token == "xoxb-beta"  # type: ignore[union-attr]
    assert clients.client_for("T0NEVER") is None


def test_the_installer_gets_a_welcome_dm_with_the_next_step(slack: SlackHarness) -> None:
    install(slack, ALPHA, bot_token="xoxb-alpha", installer="U0ALICE")

    [welcome] = slack.api.calls("chat.postMessage")
    assert welcome.token == "xoxb-alpha"
    assert welcome.params["channel"] == "U0ALICE"
    text = str(welcome.params["blocks"])
    assert "scorecard import" in text and "/kpi help" in text


def test_a_workspace_that_already_has_a_scorecard_is_welcomed_to_it(slack: SlackHarness) -> None:
    import_scorecard(slack.database, scorecard_for(ALPHA, "Alpha agency"))

    install(slack, ALPHA, bot_token="xoxb-alpha", installer="U0ALICE")

    [welcome] = slack.api.calls("chat.postMessage")
    assert "Alpha agency" in str(welcome.params["blocks"])
    assert "/kpi list" in str(welcome.params["blocks"])


def test_a_workspace_that_never_installed_is_told_to_install(slack: SlackHarness) -> None:
    import_scorecard(slack.database, scorecard_for(ALPHA, "Alpha agency"))

    reply = slack.command("/kpi", "list", team=ALPHA)

    assert reply.status == 200
    assert "Alpha agency" not in reply.text
    [told] = slack.api.calls("response_url")
    assert told.params["text"] == NOT_INSTALLED
    assert slack.api.calls("auth.test") == []


def test_a_redirect_without_the_browsers_state_cookie_installs_nothing(
    slack: SlackHarness,
) -> None:
    page = get(slack.server.url + INSTALL_PATH)
    state = urllib.parse.parse_qs(urllib.parse.urlparse(authorize_link(page)).query)["state"][0]
    slack.api.grant("code-1", team_id=ALPHA, bot_token="xoxb-alpha", installer="U0ALICE")

    no_cookie = get(f"{slack.server.url}{REDIRECT_PATH}?code=code-1&state={state}")
    forged_state = state.rsplit(".", 1)[0] + ".0000"
    forged = get(
        f"{slack.server.url}{REDIRECT_PATH}?code=code-1&state={forged_state}",
        {"Cookie": f"slack-app-oauth-state={forged_state}"},
    )

    assert no_cookie.status == 400
    assert forged.status == 401
    assert slack.api.calls("oauth.v2.access") == []
    assert stored_bots(slack.database) == []


def test_a_state_is_good_for_one_install_only(slack: SlackHarness) -> None:
    page = get(slack.server.url + INSTALL_PATH)
    state = urllib.parse.parse_qs(urllib.parse.urlparse(authorize_link(page)).query)["state"][0]
    cookie = {"Cookie": state_cookie(page)}
    slack.api.grant("code-1", team_id=ALPHA, bot_token="xoxb-alpha", installer="U0ALICE")
    slack.api.grant("code-2", team_id=BETA, bot_token="xoxb-beta", installer="U0BOB")

    first = get(f"{slack.server.url}{REDIRECT_PATH}?code=code-1&state={state}", cookie)
    again = get(f"{slack.server.url}{REDIRECT_PATH}?code=code-2&state={state}", cookie)

    assert (first.status, again.status) == (200, 401)
    assert stored_bots(slack.database) == [(ALPHA, "xoxb-alpha")]


def test_a_code_slack_does_not_accept_installs_nothing(slack: SlackHarness) -> None:
    page = install(slack, ALPHA, bot_token="xoxb-alpha", installer="U0ALICE", code="used")
    assert page.status == 200

    replay = install(slack, BETA, bot_token="xoxb-beta", installer="U0BOB", code="used")
    slack.api.clear()
    again = get(slack.server.url + INSTALL_PATH)
    state = urllib.parse.parse_qs(urllib.parse.urlparse(authorize_link(again)).query)["state"][0]
    unknown = get(
        f"{slack.server.url}{REDIRECT_PATH}?code=never-granted&state={state}",
        {"Cookie": state_cookie(again)},
    )

    assert replay.status == 200  # the stand-in granted "used" afresh for BETA: a new install
    assert unknown.status == 401
    assert [call.params["code"] for call in slack.api.calls("oauth.v2.access")] == ["never-granted"]
    with slack.database.reading() as session:
        teams = session.execute(select(SLACK_INSTALLATIONS.c.team_id)).scalars().all()
    assert sorted(teams) == [ALPHA, BETA]


def test_single_workspace_mode_has_no_install_pages(database: Database) -> None:
    harness = SlackHarness(database, now=TEST_NOW)
    try:
        assert get(harness.server.url + INSTALL_PATH).status == 404
        assert get(harness.server.url + REDIRECT_PATH + "?code=x&state=y").status == 404
    finally:
        harness.close()


def test_an_install_completes_even_when_the_welcome_dm_cannot_be_sent(
    slack: SlackHarness,
) -> None:
    slack.api.fail_next("chat.postMessage", "cannot_dm_bot")

    page = install(slack, ALPHA, bot_token="xoxb-alpha", installer="U0ALICE")

    assert page.status == 200
    assert stored_bots(slack.database) == [(ALPHA, "xoxb-alpha")]


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"SLACK_CLIENT_ID": CLIENT_ID}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": "s"}, "SLACK_STATE_SECRET"),
    ],
)
def test_serving_many_workspaces_names_a_missing_oauth_setting(
    given: dict[str, str],
    missing: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for variable in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in {**given, "SLACK_SIGNING_SECRET": "x"}.items():
        monkeypatch.setenv(variable, value)

    assert main(["serve"]) == 2
    assert missing in capsys.readouterr().err
