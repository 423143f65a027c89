"""Action states (issue 7, kind 8): the allowed changes, reopening, and telling the owner.

Through the real app over signed HTTP against the example community scorecard: Daily meme posts
and Weekly free-sample giveaways are U0SOCIAL's and active; the question rota is done and serves
an objective owned by U0COMMUNITY (its own owner is changed to U0HELPER here).
"""

import json
import logging

import pytest
from sqlmodel import select

from storage.models import Action, ActionUpdate
from tests.harness import SlackHarness
from tests.test_interactions import click, opened_view, submit
from tests.test_the_right_item import COMMUNITY

ROTA = """  - key: question_rota
    title: Rota for answering product questions
    objective: fast_answers
    owner: U0COMMUNITY"""


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    assert ROTA in COMMUNITY
    slack.load(COMMUNITY.replace(ROTA, ROTA.replace("owner: U0COMMUNITY", "owner: U0HELPER")))
    return slack


def state(team: SlackHarness, key: str) -> tuple[str, list[str]]:
    """The action's status and the kinds of its history entries, oldest first."""
    with team.database.reading() as session:
        action = session.exec(select(Action).where(Action.key == key)).one()
        updates = session.exec(
            select(ActionUpdate)
            .where(ActionUpdate.action_id == action.id)
            .order_by(ActionUpdate.id)
        ).all()
        return action.status, [update.kind for update in updates]


def dms_to(team: SlackHarness, user: str) -> list[str]:
    channel = "D" + user[1:]
    return [
        json.dumps(call.params)
        for call in team.api.calls("chat.postMessage")
        if call.params.get("channel") == channel
    ]


@pytest.mark.parametrize(
    ("first", "then", "refusal"),
    [
        (
            "stop daily_meme_posts",
            "done daily_meme_posts",
            "was stopped, so it can't be marked done",
        ),
        ("stop daily_meme_posts", "update daily_meme_posts posted a cat", "is stopped"),
        ("done daily_meme_posts", "update daily_meme_posts one more", "is done"),
        ("done daily_meme_posts", "stop daily_meme_posts", "already done"),
        ("done daily_meme_posts", "done daily_meme_posts", "already done"),
        ("stop daily_meme_posts", "stop daily_meme_posts", "already stopped"),
        ("update daily_meme_posts posted a cat", "reopen daily_meme_posts", "nothing to reopen"),
    ],
)
def test_a_change_the_state_does_not_allow_is_refused_with_a_reason(
    team: SlackHarness, first: str, then: str, refusal: str
) -> None:
    team.command("/action", first, user="U0SOCIAL")
    before = state(team, "daily_meme_posts")

    reply = team.command("/action", then, user="U0SOCIAL")

    assert refusal in reply.text
    assert state(team, "daily_meme_posts") == before


def test_the_owner_reopens_a_stopped_action(team: SlackHarness) -> None:
    team.command("/action", "stop daily_meme_posts", user="U0SOCIAL")

    reply = team.command("/action", "reopen daily meme posts the team missed them", user="U0SOCIAL")

    assert "Reopened" in reply.text
    assert state(team, "daily_meme_posts") == ("active", ["stopped", "reopened"])
    assert dms_to(team, "U0SOCIAL") == []  # their own change: no DM


def test_someone_else_cannot_reopen_and_nothing_changes(team: SlackHarness) -> None:
    team.command("/action", "done sample_giveaways", user="U0SOCIAL")

    reply = team.command("/action", "reopen sample_giveaways", user="U0LEAD")

    assert "Only the owner" in reply.text and "workspace admin" in reply.text
    assert state(team, "sample_giveaways") == ("done", ["done"])
    users_info = [call.params["user"] for call in team.api.calls("users.info")]
    assert users_info[-1] == "U0LEAD"  # asked Slack whether they are an admin


def test_a_workspace_admin_reopens_and_the_owner_is_told(team: SlackHarness) -> None:
    team.api.add_user("U0ADMIN", is_admin=True)
    team.command("/action", "done sample_giveaways", user="U0SOCIAL")

    reply = team.command("/action", "reopen sample_giveaways", user="U0ADMIN")

    assert "Reopened" in reply.text
    assert state(team, "sample_giveaways")[0] == "active"
    [told] = dms_to(team, "U0SOCIAL")
    assert "<@U0ADMIN> reopened your action" in told


def test_the_objectives_owner_reopens_a_done_action(team: SlackHarness) -> None:
    reply = team.command("/action", "reopen question_rota new hires joined", user="U0COMMUNITY")

    assert "Reopened" in reply.text
    assert state(team, "question_rota") == ("active", ["reopened"])
    [told] = dms_to(team, "U0HELPER")
    assert "reopened your action" in told and "new hires joined" in told


@pytest.mark.parametrize(
    ("text", "did"),
    [
        ("update daily_meme_posts cat pictures scheduled", "posted an update on your action"),
        ("done daily_meme_posts", "finished your action"),
        ("stop daily_meme_posts serves no objective", "stopped your action"),
    ],
)
def test_the_owner_is_told_when_someone_else_changes_their_action(
    team: SlackHarness, text: str, did: str
) -> None:
    team.command("/action", text, user="U0LEAD")

    [told] = dms_to(team, "U0SOCIAL")
    assert "<@U0LEAD>" in told and did in told and "Daily meme posts" in told


def test_the_owner_is_not_told_of_their_own_change(team: SlackHarness) -> None:
    team.command("/action", "update daily_meme_posts cat pictures scheduled", user="U0SOCIAL")

    assert dms_to(team, "U0SOCIAL") == []


def test_a_hand_over_by_someone_else_tells_both_owners(team: SlackHarness) -> None:
    with team.database.reading() as session:
        memes = session.exec(select(Action).where(Action.key == "daily_meme_posts")).one()
    click(team, "not_mine_action", str(memes.id), user="U0LEAD", channel="C0DIGEST")
    values = {"owner": {"owner": {"type": "users_select", "selected_user": "U0NEW"}}}

    answer = submit(team, opened_view(team), values, user="U0LEAD")

    assert answer.status == 200 and answer.body == ""
    assert "handed you" in dms_to(team, "U0NEW")[0]
    [told] = dms_to(team, "U0SOCIAL")
    assert "handed over your action" in told and "<@U0NEW>" in told


def test_a_modal_slack_refuses_gets_a_short_answer_not_a_500(
    team: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 7, kind 6: views.open answering expired_trigger_id (or any error)."""
    for error, says in [
        ("expired_trigger_id", "took too long on Slack's side"),
        ("invalid_trigger", "Slack would not open the form just now"),
    ]:
        team.api.fail_next("views.open", error)
        with caplog.at_level(logging.WARNING):
            reply = click(team, "open_action_update", "", user="U0SOCIAL", channel="C0DIGEST")

        assert reply.status == 200
        told = team.api.calls("chat.postEphemeral")[-1].params
        assert told["user"] == "U0SOCIAL" and told["channel"] == "C0DIGEST"
        assert says in json.dumps(told) and "Click again" in json.dumps(told)
        refusals = [r for r in caplog.records if error in r.getMessage()]
        assert len(refusals) == 1  # logged once
        caplog.clear()
    with team.database.reading() as session:
        assert session.exec(select(ActionUpdate)).all() == []


def test_mark_done_pressed_by_someone_else_tells_the_owner(team: SlackHarness) -> None:
    with team.database.reading() as session:
        memes = session.exec(select(Action).where(Action.key == "daily_meme_posts")).one()

    click(team, "mark_action_done", str(memes.id), user="U0LEAD", channel="C0DIGEST")

    assert state(team, "daily_meme_posts") == ("done", ["done"])
    [told] = dms_to(team, "U0SOCIAL")
    assert "<@U0LEAD> finished your action" in told
