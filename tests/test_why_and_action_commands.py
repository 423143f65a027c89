"""/why and /action end to end: the trace to the mission, and progress on actions."""

import pytest
from sqlmodel import select

from storage.models import Action, ActionUpdate
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    slack.load(SAMPLE_SCORECARD)
    # The lead types most commands here, on other people's actions too: a workspace admin.
    slack.api.add_user("U0LEAD", is_admin=True)
    return slack


def action_row(team: SlackHarness, key: str) -> tuple[Action, list[ActionUpdate]]:
    with team.database.reading() as session:
        action = session.exec(select(Action).where(Action.key == key)).one()
        updates = session.exec(
            select(ActionUpdate).where(ActionUpdate.action_id == action.id)
        ).all()
        session.expunge_all()
        return action, list(updates)


def test_why_traces_a_linked_action_up_to_the_mission(team: SlackHarness) -> None:
    reply = team.command("/why", "weekly live q&amp;a")

    assert reply.status == 200
    text = reply.text
    chain = [
        "Weekly live Q&A",
        "Answer product questions within 2 hours",
        "Keep members loyal",
        "Grow repeat revenue",
        "Members trust us to help them live healthier",
    ]
    positions = [text.index(step) for step in chain]
    assert positions == sorted(positions), text
    assert "Community" in text  # the objective's perspective, under its renamed name
    assert "Response time" in text  # the KPI that says whether it works


def test_why_says_plainly_when_an_action_serves_no_objective(team: SlackHarness) -> None:
    reply = team.command("/why", "daily meme posts")

    assert "serves no objective" in reply.text
    assert "/action stop daily_memes" in reply.text


def test_why_works_for_a_kpi_and_an_objective(team: SlackHarness) -> None:
    assert "Keep members loyal" in team.command("/why", "engagement rate").text
    assert "Grow repeat revenue" in team.command("/why", "keep members loyal").text


def test_why_lists_the_choices_when_several_things_match(team: SlackHarness) -> None:
    reply = team.command("/why", "product")

    assert "Which one?" in reply.text
    assert "/why fast_answers" in reply.text
    assert "/why pm_training" in reply.text


def test_why_with_nothing_matching_says_what_to_try(team: SlackHarness) -> None:
    reply = team.command("/why", "billboard campaign")

    assert "Nothing on the scorecard is called" in reply.text


def test_action_update_records_who_said_what(team: SlackHarness) -> None:
    team.api.add_user("U0X", is_admin=True)
    reply = team.command(
        "/action", "update weekly live q&amp;a booked the nutritionist", user="U0X"
    )

    assert "Weekly live Q&A" in reply.text
    action, [update] = action_row(team, "weekly_qa")
    assert (update.author, update.text) == ("U0X", "booked the nutritionist")
    assert action.last_update_at == team.now


def test_an_update_to_a_planned_action_starts_it(team: SlackHarness) -> None:
    team.command("/action", "update pm_training first session booked")

    action, _ = action_row(team, "pm_training")
    assert action.status == "active"


def test_done_and_stop_change_the_status_and_keep_the_history(team: SlackHarness) -> None:
    team.command("/action", "done weekly_qa")
    reply = team.command("/action", "stop daily meme posts nobody could say why")

    assert "Stopped" in reply.text
    done, _ = action_row(team, "weekly_qa")
    stopped, [update] = action_row(team, "daily_memes")
    assert (done.status, stopped.status) == ("done", "stopped")
    assert update.text == "nobody could say why"


def test_updating_a_stopped_action_is_refused(team: SlackHarness) -> None:
    team.command("/action", "stop daily_memes")

    reply = team.command("/action", "update daily_memes posted a cat")

    assert "stopped" in reply.text
    assert len(action_row(team, "daily_memes")[1]) == 1


def test_mine_lists_the_callers_open_actions(team: SlackHarness) -> None:
    reply = team.command("/action", "mine", user="U0SOCIAL")

    assert "Daily meme posts" in reply.text
    assert "serves no objective" in reply.text
    assert "Weekly live Q&A" not in reply.text


def test_an_unknown_action_is_refused_and_nothing_changes(team: SlackHarness) -> None:
    reply = team.command("/action", "done billboard campaign")

    assert "I don't know an action called" in reply.text
    assert "/action mine" in reply.text
    assert all(action_row(team, key)[1] == [] for key in ("weekly_qa", "daily_memes"))


def test_an_unknown_action_verb_lists_what_there_is(team: SlackHarness) -> None:
    reply = team.command("/action", "frobnicate weekly_qa")

    assert "I don't know `/action frobnicate`" in reply.text
    for usage in ("/action update", "/action done", "/action stop", "/action mine"):
        assert usage in reply.text
