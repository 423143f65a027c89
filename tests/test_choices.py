"""Questions instead of guesses: a reply with choices, and what pressing one does."""

import json

from sqlmodel import select

from bot.slack_standin import RESPONSE_URL
from scorecard.errors import Choice, Question
from storage.models import Reading
from templates import problems, render
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD


def question_buttons(message: dict) -> list[dict]:
    [actions] = [block for block in message["blocks"] if block["type"] == "actions"]
    return actions["elements"]


def test_a_question_renders_one_button_per_choice_and_a_way_out() -> None:
    question = Question(
        "Did you mean 4% or 0.04%?",
        [Choice("4%", "/kpi", "log churn 4%"), Choice("0.04%", "/kpi", "log churn 0.04%")],
    )
    message = render("question", message=question.message, choices=question.choices)

    assert problems(message) == []
    labels = [button["text"]["text"] for button in question_buttons(message)]
    assert labels == ["4%", "0.04%", "None of these"]
    first = json.loads(question_buttons(message)[0]["value"])
    assert first == {"command": "/kpi", "text": "log churn 4%"}


def test_a_question_escapes_what_people_typed() -> None:
    message = render("question", message="Did you mean <!channel>?", choices=[])
    assert "<!channel>" not in json.dumps(message)


def test_picking_a_choice_runs_it_as_if_typed(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    button = {
        "action_id": "choice_0",
        "value": json.dumps({"command": "/kpi", "text": "log instagram followers 12400"}),
    }

    reply = slack.click(button, user="U0SOCIAL")

    assert reply.status == 200
    [answer] = slack.api.wait_for(RESPONSE_URL)
    assert answer.params["replace_original"] is True
    assert "12,400" in json.dumps(answer.params)
    with slack.database.reading() as session:
        [reading] = session.exec(select(Reading)).all()
        assert (reading.value, reading.logged_by) == (12400, "U0SOCIAL")


def test_none_of_these_stores_nothing(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)

    slack.click({"action_id": "choice_none", "value": "none"})

    [answer] = slack.api.wait_for(RESPONSE_URL)
    assert "nothing was stored" in json.dumps(answer.params)
    with slack.database.reading() as session:
        assert session.exec(select(Reading)).all() == []
