"""Smaller replies (issue 7, kind 10): help where people ask for it, a mistyped verb suggested,
nothing offered when nothing is alike, the rest of a long list reachable, and whole names quoted."""

import json

from sqlmodel import select

from storage.models import ActionUpdate, DigestSubscription
from tests.harness import SlackHarness
from tests.test_the_right_item import COMMUNITY, choice_texts


def test_action_help_and_why_help_answer_with_help(slack: SlackHarness) -> None:
    slack.load(COMMUNITY)

    action_help = slack.command("/action", "help")
    why_help = slack.command("/why", "help")

    for usage in ("/action update", "/action done", "/action stop", "/action reopen"):
        assert usage in action_help.text
    assert "/why <action, KPI or objective>" in why_help.text
    assert "Nothing on the scorecard" not in why_help.text


def test_a_mistyped_verb_is_suggested_and_nothing_happens(slack: SlackHarness) -> None:
    slack.load(COMMUNITY)

    reply = slack.command("/kpi", "dgest here")
    action = slack.command("/action", "updte daily_meme_posts cat pictures")

    assert "Did you mean `/kpi digest here`?" in reply.text
    assert choice_texts(reply) == ["digest here"]
    assert "Did you mean `/action update daily_meme_posts cat pictures`?" in action.text
    with slack.database.reading() as session:
        assert session.exec(select(DigestSubscription)).all() == []
        assert session.exec(select(ActionUpdate)).all() == []


def test_a_kpi_like_nothing_typed_is_not_offered(slack: SlackHarness) -> None:
    slack.load(COMMUNITY)

    nothing = slack.command("/kpi", "show nothing here")
    typo = slack.command("/kpi", "show engagment")

    assert "I don't know a KPI called “nothing here”" in nothing.text
    assert "Did you mean" not in nothing.text
    assert "Engagement rate" in typo.text  # a real typo still finds or suggests it


def test_done_with_an_unknown_name_quotes_the_whole_name(slack: SlackHarness) -> None:
    slack.load(COMMUNITY)

    reply = slack.command("/action", "done foo bar baz")

    assert "“foo bar baz”" in reply.text


def many_objectives(count: int) -> str:
    objectives = "\n".join(
        f"  - key: goal_{n}\n    title: Goal number {n}\n    perspective: customer"
        for n in range(count)
    )
    return (
        "workspace: T0DEMO\nname: Big\nmission: Many goals.\n"
        "perspectives:\n  - key: customer\n    name: Customer\n"
        f"objectives:\n{objectives}\n"
    )


def test_a_long_list_says_how_to_see_the_rest(slack: SlackHarness) -> None:
    slack.load(many_objectives(30))

    reply = slack.command("/kpi", "list")
    whole = slack.command("/kpi", "list customer")

    assert "…and 25 more objectives: `/kpi list customer` shows them all" in reply.text
    assert "Goal number 4" in reply.text and "Goal number 5" not in reply.text
    assert all(f"Goal number {n}\n" in whole.text + "\n" for n in range(30)), whole.text
    assert "more objectives" not in whole.text
    assert json.dumps(whole.message).count('"section"') == 6  # five objectives a section
