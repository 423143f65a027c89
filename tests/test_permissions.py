"""Who may change what (issue 8, item 6), end to end through signed requests: scorecard admins,
readings for owners only, action changes for owners and admins. A refusal names who may, and
changes nothing."""

import pytest
from sqlmodel import select

from bot.slack_standin import COMPLETE_ERROR, COMPLETE_SUCCESS
from scorecard.exporting import export_scorecard
from storage.models import Action, ActionUpdate, Reading, ScorecardAdmin
from tests.harness import SlackHarness
from tests.test_the_right_item import COMMUNITY
from tests.test_workflow_steps import run_step

OWNERS_ONLY = COMMUNITY.replace("settings:\n", "settings:\n  readings_by: owners\n", 1)


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    slack.load(COMMUNITY)
    return slack


def admin_rows(slack: SlackHarness) -> list[tuple[str, str]]:
    with slack.database.reading() as session:
        rows = session.exec(select(ScorecardAdmin).order_by(ScorecardAdmin.user)).all()
        return [(row.user, row.added_by) for row in rows]


def readings_of(slack: SlackHarness) -> list[tuple[float, str]]:
    with slack.database.reading() as session:
        return [(r.value, r.logged_by) for r in session.exec(select(Reading)).all()]


def test_only_admins_add_scorecard_admins(team: SlackHarness) -> None:
    refused = team.command("/kpi", "admins add <@U0SOCIAL|social>", user="U0SOCIAL")
    assert "Only a workspace admin or owner" in refused.text
    assert "Nothing was changed" in refused.text
    assert admin_rows(team) == []

    team.api.add_user("U0BOSS", is_admin=True)
    added = team.command("/kpi", "admins add <@U0SOCIAL|social>", user="U0BOSS")
    assert "@U0SOCIAL is now a scorecard admin" in added.text
    # A scorecard admin may name another, and everyone may see the list.
    team.command("/kpi", "admins add <@U0COMMUNITY|cm>", user="U0SOCIAL")
    listed = team.command("/kpi", "admins", user="U0EXEC")
    assert "@U0COMMUNITY, @U0SOCIAL" in listed.text
    assert admin_rows(team) == [("U0COMMUNITY", "U0SOCIAL"), ("U0SOCIAL", "U0BOSS")]

    # Someone else is refused by name: the refusal mentions who may.
    again = team.command("/kpi", "admins remove <@U0SOCIAL|social>", user="U0EXEC")
    assert "<@U0SOCIAL>" in str(again.message) and "<@U0COMMUNITY>" in str(again.message)
    removed = team.command("/kpi", "admins remove <@U0SOCIAL|social>", user="U0COMMUNITY")
    assert "@U0SOCIAL is no longer a scorecard admin" in removed.text
    assert admin_rows(team) == [("U0COMMUNITY", "U0SOCIAL")]


def test_admins_add_needs_one_person(team: SlackHarness) -> None:
    team.api.add_user("U0BOSS", is_admin=True)
    reply = team.command("/kpi", "admins add maria", user="U0BOSS")
    assert "not a Slack user id" in reply.text
    assert admin_rows(team) == []


def test_readings_by_owners_refuses_others_and_names_the_owner(slack: SlackHarness) -> None:
    slack.load(OWNERS_ONLY)
    before = readings_of(slack)

    refused = slack.command("/kpi", "log response time 3", user="U0SOCIAL")

    assert "logged by its owner <@U0COMMUNITY>" in str(refused.message)
    assert "Nothing was logged" in refused.text
    assert readings_of(slack) == before
    slack.command("/kpi", "log response time 3", user="U0COMMUNITY")
    slack.command("/kpi", "admins add <@U0SOCIAL>", user="U0COMMUNITY")  # not an admin: refused
    slack.api.add_user("U0BOSS", is_admin=True)
    slack.command("/kpi", "log response time 2.5", user="U0BOSS")
    assert sorted(readings_of(slack)[len(before) :]) == [(2.5, "U0BOSS"), (3.0, "U0COMMUNITY")]
    assert "readings_by: owners" in export_scorecard(slack.database, "T0DEMO")


def test_readings_by_anyone_is_the_default(team: SlackHarness) -> None:
    team.command("/kpi", "log response time 3", user="U0SOCIAL")
    assert (3.0, "U0SOCIAL") in readings_of(team)
    assert "readings_by" not in export_scorecard(team.database, "T0DEMO")


def test_someone_elses_action_is_not_changed(team: SlackHarness) -> None:
    with team.database.reading() as session:
        before = len(session.exec(select(ActionUpdate)).all())

    reply = team.command("/action", "done daily_meme_posts", user="U0EXEC")

    assert "Only the owner <@U0SOCIAL> or a workspace admin" in str(reply.message)
    with team.database.reading() as session:
        memes = session.exec(select(Action).where(Action.key == "daily_meme_posts")).one()
        assert memes.status == "active"
        assert len(session.exec(select(ActionUpdate)).all()) == before
    # A scorecard admin may.
    team.api.add_user("U0BOSS", is_admin=True)
    team.command("/kpi", "admins add <@U0EXEC>", user="U0BOSS")
    done = team.command("/action", "done daily_meme_posts", user="U0EXEC")
    assert "Daily meme posts" in done.text and "Only" not in done.text


def test_the_workflow_step_keeps_readings_for_owners_too(slack: SlackHarness) -> None:
    slack.load(OWNERS_ONLY)
    before = readings_of(slack)

    refused = run_step(slack, kpi="response time", value="3", logged_by="U0SOCIAL")
    logged = run_step(slack, kpi="response time", value="3", logged_by="U0COMMUNITY")

    assert refused.method == COMPLETE_ERROR
    assert "logged by its owner @U0COMMUNITY" in refused.params["error"]
    assert logged.method == COMPLETE_SUCCESS
    assert readings_of(slack)[len(before) :] == [(3.0, "U0COMMUNITY")]
