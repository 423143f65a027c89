"""A bug never leaves a person with silence: they get an apology with a reference, the log gets
the traceback with the same reference, and nothing is half-written."""

import logging
import re

import pytest

from bot.plain_text import message_to_text
from handlers import buttons, kpi, modals
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD
from tests.test_interactions import (  # noqa: F401 (planted is a fixture)
    OWNER,
    action_row,
    click,
    opened_view,
    planted,
    submit,
    text_input,
)
from tests.test_nudge_sweep import Planted

REFERENCE = re.compile(r"reference `([0-9a-f]{8})`")


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug")


def test_a_command_that_hits_a_bug_apologises_with_a_reference(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    slack.load(SAMPLE_SCORECARD)
    monkeypatch.setattr(kpi, "kpi_detail_for", broken)

    with caplog.at_level(logging.ERROR):
        reply = slack.command("/kpi", "show instagram followers")

    assert reply.status == 200 and reply.ephemeral
    assert "something went wrong on my side" in reply.text
    reference = REFERENCE.search(reply.text)
    assert reference is not None
    assert any(reference.group(1) in record.getMessage() for record in caplog.records)
    assert any(record.exc_info for record in caplog.records)


def test_a_button_that_hits_a_bug_tells_the_person_and_changes_nothing(
    slack: SlackHarness,
    planted: Planted,  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(buttons, "finish_by_id", broken)

    reply = click(slack, "mark_action_done", str(planted.stalled))

    assert reply.status == 200
    [told] = slack.api.calls("chat.postEphemeral")
    assert told.params["user"] == OWNER
    assert REFERENCE.search(message_to_text(told.params))
    assert action_row(slack, planted.stalled).status == "active"


def test_a_modal_submission_that_hits_a_bug_closes_with_an_apology(
    slack: SlackHarness,
    planted: Planted,  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    click(slack, "open_action_update", str(planted.stalled))
    view = opened_view(slack)
    monkeypatch.setattr(modals, "update_from_form", broken)

    with caplog.at_level(logging.ERROR):
        answer = submit(slack, view, text_input("update", "text", "Guests booked"))

    assert answer.status == 200 and answer.body == ""  # the modal closes
    told = slack.api.calls("chat.postEphemeral")[-1].params
    assert told["user"] == OWNER
    reference = REFERENCE.search(message_to_text(told))
    assert reference is not None
    assert any(reference.group(1) in record.getMessage() for record in caplog.records)
    assert action_row(slack, planted.stalled).last_update_at != slack.now
