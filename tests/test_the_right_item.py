"""A command that changes an action or a KPI's note acts only on the item it surely names.

Issue 7, kind 0: words that do not surely name one item must change nothing and ask "Did you
mean …?" (buttons that run the unambiguous command) or say nothing is called that. Text is sent
as Slack sends it, over signed HTTP, against the example community scorecard.
"""

import json
from pathlib import Path

import pytest
from sqlmodel import select

from bot.slack_standin import RESPONSE_URL
from storage.models import Action, ActionUpdate, Reading
from tests.harness import Reply, SlackHarness

COMMUNITY = (Path(__file__).resolve().parent.parent / "examples" / "community.yaml").read_text()
QUESTION = "I'm not sure what"
UNKNOWN = "I don't know"


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    slack.load(COMMUNITY)
    for kpi, value in [
        ("instagram followers", "12400"),
        ("engagement rate", "4.2%"),
        ("member nps", "41"),
    ]:
        slack.command("/kpi", f"log {kpi} {value}", user="U0SOCIAL")
    return slack


def snapshot(team: SlackHarness) -> tuple[list[tuple[str, str]], int, list[str | None]]:
    """Everything these commands could change: statuses, history, notes."""
    with team.database.reading() as session:
        actions = session.exec(select(Action).order_by(Action.id)).all()
        updates = session.exec(select(ActionUpdate)).all()
        notes = session.exec(select(Reading.note).order_by(Reading.id)).all()
        return [(a.key, a.status) for a in actions], len(updates), list(notes)


def choice_texts(reply: Reply) -> list[str]:
    buttons = [
        element
        for block in reply.message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] != "choice_none"
    ]
    return [json.loads(button["value"])["text"] for button in buttons]


# (command, text as Slack sends it, what the reply must say, a choice it must offer or None)
UNSURE = [
    ("/action", "stop daily standup no longer needed", QUESTION, "stop daily_meme_posts"),
    ("/action", "done weekly report", QUESTION, "done sample_giveaways"),
    ("/action", "done weekly", QUESTION, "done sample_giveaways"),
    ("/action", "update daily standup moved to 9:30", QUESTION, "update daily_meme_posts"),
    ("/action", "stop social media posts too much effort", QUESTION, None),
    ("/action", "done loyalty card launch", QUESTION, "done loyalty_programme"),
    ("/action", "update playbook second draft started", QUESTION, None),
    ("/action", "stop saved searches", QUESTION, "stop saved_replies"),
    ("/action", "stop meme review not needed", QUESTION, "stop daily_meme_posts"),
    ("/action", "done bootcamp for sales team", QUESTION, "done pm_social_bootcamp"),
    ("/action", "update rota for support questions", None, None),
    ("/action", "done member stories", None, None),
    ("/action", "stop weekly giveaway &amp; raffle", QUESTION, "stop sample_giveaways"),
    ("/action", "done memes", QUESTION, "done daily_meme_posts"),
    ("/action", "done foo bar baz", "“foo bar baz”", None),
    ("/action", "stop billboard campaign over budget", UNKNOWN, None),
    ("/kpi", "note instagram reach algorithm change", QUESTION, "note instagram_followers"),
    ("/kpi", "note followers dropped after the algorithm change", QUESTION, None),
    ("/kpi", "note engagement down this week", QUESTION, "note engagement_rate"),
    ("/kpi", "note member churn rising", QUESTION, None),
    ("/kpi", "note nps campaign ended", QUESTION, "note member_nps"),
    ("/kpi", "note tiktok views new format", None, None),
]


@pytest.mark.parametrize(("command", "text", "says", "offers"), UNSURE)
def test_words_that_do_not_surely_name_an_item_change_nothing(
    team: SlackHarness, command: str, text: str, says: str | None, offers: str | None
) -> None:
    before = snapshot(team)

    reply = team.command(command, text, user="U0SOCIAL")

    assert reply.status == 200 and reply.ephemeral
    assert snapshot(team) == before
    assert QUESTION in reply.text or UNKNOWN in reply.text, reply.text
    if says:
        assert says in reply.text
    if offers:
        assert any(choice.startswith(offers) for choice in choice_texts(reply)), reply.message


SURE = [
    ("stop daily meme posts no longer needed", "daily_meme_posts", "stopped"),
    ("done sample_giveaways", "sample_giveaways", "done"),
    ("done weekly free-sample giveaways", "sample_giveaways", "done"),
    ("update dailly meme posts posted a cat", "daily_meme_posts", "active"),
    ("update daily meme posts posted a cat", "daily_meme_posts", "active"),
]


@pytest.mark.parametrize(("text", "key", "status"), SURE)
def test_words_that_surely_name_an_action_act_on_it(
    team: SlackHarness, text: str, key: str, status: str
) -> None:
    reply = team.command("/action", text, user="U0SOCIAL")

    assert QUESTION not in reply.text and UNKNOWN not in reply.text, reply.text
    statuses, _, _ = snapshot(team)
    assert (key, status) in statuses


def test_a_note_on_a_kpi_named_in_full_is_written(team: SlackHarness) -> None:
    reply = team.command("/kpi", "note instagram followers algorithm change", user="U0SOCIAL")

    assert "algorithm change" in reply.text
    _, _, notes = snapshot(team)
    assert notes[0] == "algorithm change"


def test_picking_the_suggested_action_runs_the_unambiguous_command(team: SlackHarness) -> None:
    reply = team.command("/action", "stop daily standup no longer needed", user="U0SOCIAL")
    [button] = [
        element
        for block in reply.message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if json.loads(element["value"] if element["value"] != "none" else "{}").get("text", "")
        == "stop daily_meme_posts standup no longer needed"
    ]

    team.click(button, user="U0SOCIAL")

    [answer] = team.api.wait_for(RESPONSE_URL)
    assert "Stopped" in json.dumps(answer.params)
    with team.database.reading() as session:
        action = session.exec(select(Action).where(Action.key == "daily_meme_posts")).one()
        [update] = session.exec(
            select(ActionUpdate).where(ActionUpdate.action_id == action.id)
        ).all()
    assert action.status == "stopped" and update.text == "standup no longer needed"
