"""Every template renders to valid Block Kit that Slack accepts, with user text made harmless."""

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
from jinja2 import Environment

import templates
from bot.plain_text import message_to_text
from handlers.action import ACTION
from handlers.kpi import KPI
from handlers.why import WHY
from scorecard.actions import ActionChanged, MyAction
from scorecard.forecast import forecast_kpi
from scorecard.kpi_log import KpiDetail, ReadingLogged
from scorecard.overview import (
    KpiView,
    ObjectiveView,
    Overview,
    PerspectiveView,
    goal_of,
    view_kpi,
)
from scorecard.tracing import Candidate, Choices, Trace
from scorecard.values import format_value
from scorecard.vocabulary import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK
from storage.models import Action, ActionUpdate, Kpi, Objective, Perspective, Reading, Scorecard
from templates import render
from templates.formatting import (
    SlackText,
    as_json,
    cut,
    day,
    interpolated,
    link,
    mention,
    percent,
    sparkline,
    status_emoji,
    status_label,
)
from templates.limits import MAX_MESSAGE_BLOCKS, fit, problems, shorten

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HOSTILE = '<!channel> & "Co"\nback\\slash'


def scorecard() -> Scorecard:
    return Scorecard(
        id=1,
        workspace="T0DEMO",
        name="Community",
        mission="Make every customer a fan who brings a friend",
    )


def perspective(name: str = "Customer") -> Perspective:
    return Perspective(id=1, scorecard_id=1, key=name.lower(), name=name)


def objective(title: str = "Grow an engaged community") -> Objective:
    return Objective(id=1, scorecard_id=1, perspective_id=1, key="community", title=title)


def kpi(name: str = "Instagram followers", **fields: Any) -> Kpi:
    values: dict[str, Any] = {
        "id": 1,
        "scorecard_id": 1,
        "objective_id": 1,
        "key": "followers",
        "name": name,
        "baseline": 10_000.0,
        "target": 15_000.0,
        "owner": "U0SOCIAL",
        "target_date": date(2026, 12, 31),
        "baseline_date": date(2026, 1, 1),
        "kind": "lag",
        "created_at": NOW,
    }
    return Kpi(**(values | fields))


def reading(value: float = 12_400.0, period: date = TODAY, note: str | None = None) -> Reading:
    return Reading(
        id=1, scorecard_id=1, kpi_id=1, period=period, value=value, logged_by="U0LEAD", note=note
    )


def kpi_view(the_kpi: Kpi | None = None, the_reading: Reading | None = None) -> KpiView:
    return view_kpi(the_kpi or kpi(), the_reading, TODAY, 0.10)


def objective_view(kpis: list[KpiView], title: str = "Grow an engaged community") -> ObjectiveView:
    return ObjectiveView(objective(title), perspective(), kpis=kpis, status=ON_TRACK)


def overview(perspectives: list[PerspectiveView]) -> Overview:
    return Overview(scorecard(), TODAY, perspectives, {}, {}, [])


def action(title: str = "Customer photo campaign", **fields: Any) -> Action:
    values: dict[str, Any] = {
        "id": 1,
        "scorecard_id": 1,
        "objective_id": 1,
        "key": "photos",
        "title": title,
        "owner": "U0SOCIAL",
        "due": date(2026, 12, 15),
        "created_at": NOW,
        "last_update_at": NOW,
    }
    return Action(**(values | fields))


def update(
    kind: str = "update", text: str = "40 photos in, picking winners friday"
) -> ActionUpdate:
    return ActionUpdate(id=1, action_id=1, author="U0SOCIAL", kind=kind, text=text, created_at=NOW)


def logged(name: str = "Instagram followers", note: str | None = None) -> dict[str, Any]:
    the_kpi = kpi(name)
    previous = reading(12_000.0, date(2026, 11, 17))
    current = reading(note=note)
    return {
        "logged": ReadingLogged(
            scorecard(), kpi_view(the_kpi, current), current, previous, None, True
        ),
        "today": TODAY,
    }


def detail(name: str = "Instagram followers", note: str | None = None) -> dict[str, Any]:
    history = [reading(11_000.0 + 200 * n, date(2026, 11, 3 + n), note) for n in range(8)]
    the_kpi = kpi(name)
    view = kpi_view(the_kpi, history[-1])
    points = [(each.period, each.value) for each in history]
    forecast = forecast_kpi(goal_of(the_kpi), points, TODAY)
    return {
        "detail": KpiDetail(scorecard(), view, "Grow an engaged community", history, forecast),
        "today": TODAY,
    }


def kpi_list(name: str = "Instagram followers", kpi_count: int = 3) -> dict[str, Any]:
    views = [kpi_view(kpi(f"{name} {n}"), reading()) for n in range(kpi_count)]
    customer = PerspectiveView(perspective(), [objective_view(views)], status=ON_TRACK)
    empty = PerspectiveView(perspective("Financial"), [], status=NO_DATA)
    return {"overview": overview([customer, empty])}


def trace(name: str = "Instagram followers") -> dict[str, Any]:
    goal = ObjectiveView(objective("Be the brand people recommend"), perspective(), status=AT_RISK)
    start = objective_view([kpi_view(kpi(name), reading()), kpi_view(kpi("Reach"), None)])
    start.supports = [goal]
    return {
        "trace": Trace(
            "action",
            name,
            "Make every customer a fan",
            start,
            paths=[[goal]],
            hidden_paths=2,
            action=action(name),
        ),
        "today": TODAY,
    }


def trace_of_kpi(name: str = "Instagram followers") -> dict[str, Any]:
    view = kpi_view(kpi(name), reading())
    start = objective_view([view])
    return {"trace": Trace("kpi", name, "", start, kpi=view)}


def serves_nothing(name: str = "Daily meme posts") -> dict[str, Any]:
    lonely = action(name, objective_id=None, key="memes")
    return {"trace": Trace("action", name, "", None, action=lonely), "today": TODAY}


def choices(name: str = "Instagram followers") -> dict[str, Any]:
    candidates = [Candidate("kpi", f"k{n}", f"{name} {n}", None) for n in range(12)]
    return {"choices": Choices(name, candidates)}


def changed(name: str = "Customer photo campaign", kind: str = "update") -> dict[str, Any]:
    return {"changed": ActionChanged(action(name), objective(), update(kind))}


def mine(name: str = "Customer photo campaign") -> dict[str, Any]:
    return {
        "actions": [
            MyAction(action(name), objective(), stalled=False),
            MyAction(action("Train product managers", due=None), None, stalled=True),
        ],
        "today": TODAY,
    }


def note_added(name: str = "Instagram followers", note: str = "Giveaway ended") -> dict[str, Any]:
    return {"kpi": kpi(name), "reading": reading(note=note), "today": TODAY}


def undone(name: str = "Instagram followers") -> dict[str, Any]:
    return {"kpi": kpi(name), "reading": reading(), "today": TODAY}


def error(name: str = "I don't know a KPI called “folowers”.") -> dict[str, Any]:
    return {"message": name}


def help_commands(name: str = "") -> dict[str, Any]:
    return {"commands": [KPI, WHY, ACTION]}


# template name -> a builder of its context, taking the user-supplied name to put in it
CASES: list[tuple[str, Callable[..., dict[str, Any]]]] = [
    ("kpi_logged", logged),
    ("kpi_detail", detail),
    ("kpi_list", kpi_list),
    ("why", trace),
    ("why", trace_of_kpi),
    ("why", serves_nothing),
    ("why_choices", choices),
    ("action_changed", changed),
    ("my_actions", mine),
    ("note_added", note_added),
    ("reading_undone", undone),
    ("error", error),
]


@pytest.mark.parametrize(("template", "build"), CASES)
def test_every_template_renders_a_message_slack_accepts(
    template: str, build: Callable[..., dict[str, Any]]
) -> None:
    message = render(template, **build())

    assert problems(message) == []
    assert message["text"]


@pytest.mark.parametrize(("template", "build"), CASES)
def test_user_text_is_escaped_and_cannot_ping_a_channel(
    template: str, build: Callable[..., dict[str, Any]]
) -> None:
    message = render(template, **build(HOSTILE))
    everything = json.dumps(message, ensure_ascii=False)

    assert problems(message) == []
    assert "<!channel>" not in everything
    assert '&lt;!channel&gt; &amp; \\"Co\\"\\nback\\\\slash' in everything


def test_help_lists_every_command_with_examples() -> None:
    message = render("help", **help_commands())
    text = message_to_text(message)

    assert problems(message) == []
    assert "/kpi log <kpi> <value> [date] [note]" in text
    assert "/why daily meme posts" in text
    assert "/action mine" in text


def test_logged_reading_shows_value_change_and_status() -> None:
    message = render("kpi_logged", **logged())
    text = message_to_text(message)

    assert message["text"].startswith(f"Logged Instagram followers: {format_value(12_400.0, '')}")
    assert "Tue 24 Nov" in text
    assert "since Tue 17 Nov" in text
    assert "target" in text


def test_kpi_detail_mentions_the_owner_and_draws_history() -> None:
    message = render("kpi_detail", **detail())
    everything = json.dumps(message, ensure_ascii=False)

    assert "<@U0SOCIAL>" in everything
    assert sparkline([11_000.0 + 200 * n for n in range(8)]) in everything
    assert "&lt;value&gt;" not in everything  # there is history, so no "log one" hint


def test_kpi_detail_without_readings_says_how_to_log_one() -> None:
    view = kpi_view(kpi(owner=None), None)
    message = render("kpi_detail", detail=KpiDetail(scorecard(), view, None, []), today=TODAY)
    text = message_to_text(message)

    assert problems(message) == []
    assert "No readings yet. Log one with `/kpi log followers <value>`." in text
    assert "nobody yet" in text


def test_placeholders_in_template_wording_do_not_become_links() -> None:
    message = render("kpi_list", **kpi_list())

    assert "`/kpi show &lt;kpi&gt;` for detail" in json.dumps(message, ensure_ascii=False)


def test_long_kpi_list_of_an_objective_says_how_many_more() -> None:
    message = render("kpi_list", **kpi_list(kpi_count=200))
    text = message_to_text(message)

    assert problems(message) == []
    assert "…and 194 more" in text
    assert "Instagram followers 5" in text
    assert "Instagram followers 6" not in text


def test_two_hundred_kpis_over_many_perspectives_fit_in_fifty_blocks() -> None:
    perspectives = [
        PerspectiveView(
            perspective(f"Perspective {p}"),
            [objective_view([kpi_view(kpi(f"KPI {p}.{n}"), reading()) for n in range(4)])],
            status=OFF_TRACK,
        )
        for p in range(50)
    ]
    message = render("kpi_list", overview=overview(perspectives))

    assert problems(message) == []
    assert len(message["blocks"]) == MAX_MESSAGE_BLOCKS
    assert message["blocks"][-1]["elements"][0]["text"] == "…and 4 more"


def test_a_five_thousand_character_note_is_cut_to_fit() -> None:
    note = "The giveaway ended. " * 250
    message = render("kpi_logged", **logged(note=note))
    context_text = message["blocks"][1]["elements"][0]["text"]

    assert len(note) == 5000
    assert problems(message) == []
    assert context_text.endswith("…")
    assert "note: The giveaway ended." in context_text


def test_long_action_update_and_note_stay_within_limits() -> None:
    essay = "x" * 5000
    for template, context in [
        ("action_changed", {"changed": ActionChanged(action(), None, update(text=essay))}),
        ("note_added", note_added(note=essay)),
        ("kpi_detail", detail(note=essay)),
        ("error", error(essay)),
    ]:
        assert problems(render(template, **context)) == [], template


def test_why_traces_to_the_mission_with_hidden_routes() -> None:
    text = message_to_text(render("why", **trace()))

    assert "Why Instagram followers?" in text
    assert "Be the brand people recommend" in text
    assert "…and 2 more routes up the map" in text
    assert "Mission: Make every customer a fan" in text


def test_work_that_serves_nothing_suggests_stopping_it() -> None:
    text = message_to_text(render("why", **serves_nothing()))

    assert "serves no objective" in text
    assert "/action stop memes serves no objective" in text


def test_choices_are_cut_at_ten() -> None:
    text = message_to_text(render("why_choices", **choices()))

    assert "…and 2 more" in text
    assert "KPI: Instagram followers 9" in text


def test_my_actions_puts_stalled_work_first() -> None:
    text = message_to_text(render("my_actions", **mine()))

    assert text.index("Train product managers") < text.index("Customer photo campaign")
    assert "stalled" in text
    assert "due Tue 15 Dec" in text


def test_no_open_actions_is_a_friendly_message() -> None:
    message = render("my_actions", actions=[])

    assert problems(message) == []
    assert "You have no open actions" in message_to_text(message)


@pytest.mark.parametrize("kind", ["update", "done", "stopped"])
def test_action_changes_render_for_every_kind(kind: str) -> None:
    message = render("action_changed", **changed(kind=kind))

    assert problems(message) == []
    assert "Customer photo campaign" in message["text"]


# Formatting


def test_sparkline_draws_the_shape() -> None:
    assert sparkline([1, 5, 3]) == "▁█▅"
    assert sparkline([2, 2]) == "▅▅"
    assert sparkline([]) == ""


def test_day_adds_the_year_only_when_it_differs() -> None:
    assert day(date(2026, 11, 20), TODAY) == "Fri 20 Nov"
    assert day(date(2025, 11, 20), TODAY) == "Thu 20 Nov 2025"


def test_percent_status_and_cut() -> None:
    assert percent(0.42) == "42%"
    assert percent(None) == "–"
    assert status_emoji(OFF_TRACK) == ":red_circle:"
    assert status_label(AT_RISK) == "at risk"
    assert cut(range(5), 3) == ([0, 1, 2], 2)
    assert cut([1], 3) == ([1], 0)


def test_markup_is_built_safely() -> None:
    assert mention("U123") == "<@U123>"
    assert isinstance(mention("U123"), SlackText)
    assert mention(None) == "nobody"
    assert link("https://example.com/?a=1&b=2", "<b>") == (
        "<https://example.com/?a=1&amp;b=2|&lt;b&gt;>"
    )


# Limits


def test_problems_finds_what_slack_would_refuse() -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    button = {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}, "action_id": "a"}
    message = {"blocks": [header, {"type": "actions", "elements": [button]}]}

    found = problems(message)

    assert any("text" in problem and "fallback" in problem for problem in found)
    assert any(problem.startswith("block 1") for problem in found)
    assert any(problem.startswith("block 2") for problem in found)


def test_problems_checks_modals_too() -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "Which KPI?"}}
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Log"}, "blocks": [section]}

    assert problems(modal) == []
    assert problems({**modal, "title": {"type": "plain_text", "text": "t" * 30}}) != []
    assert problems({**modal, "blocks": [section] * 101}) != []


def test_fit_trims_blocks_fields_and_context() -> None:
    field = {"type": "mrkdwn", "text": "f" * 2500}
    message = {
        "text": "t",
        "blocks": [{"type": "section", "fields": [field] * 12}]
        + [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 12}] * 60,
    }

    fitted = fit(message)

    assert problems(fitted) == []
    assert len(fitted["blocks"][0]["fields"]) == 10
    assert fitted["blocks"][-1]["elements"][0]["text"] == "…and 12 more"
    assert len(message["blocks"]) == 61  # the original is left alone


def test_shorten_never_splits_a_mention_or_an_entity() -> None:
    assert shorten("ab <@U12345>", 8) == "ab…"
    assert shorten("ab &amp; cd", 6) == "ab…"
    assert shorten("a long first line\nsecond line", 21) == "a long first line\n…"
    assert shorten("short", 10) == "short"


def test_interpolation_escapes_for_mrkdwn_and_json_but_keeps_markup() -> None:
    assert interpolated('<b> & "q"\n') == '&lt;b&gt; &amp; \\"q\\"\\n'
    assert interpolated(SlackText('<@U1> "q"')) == '<@U1> \\"q\\"'
    assert interpolated(as_json({"kpi": "a&b"})) == '{"kpi": "a&b"}'
    assert interpolated(None) == ""
    assert interpolated(12) == "12"


def test_threads_that_render_a_template_at_once_compile_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    templates._environment.cache_clear()  # a fresh process: nothing compiled yet
    compiled: list[str] = []
    compile_source = Environment.compile

    def slow_compile(environment: Environment, source: str, name: str, *rest: Any) -> Any:
        compiled.append(name)
        time.sleep(0.05)  # long enough for every thread to miss the cache
        return compile_source(environment, source, name, *rest)

    monkeypatch.setattr(Environment, "compile", slow_compile)
    with ThreadPoolExecutor(max_workers=8) as pool:
        messages = list(pool.map(lambda n: render("error", message=f"no {n}"), range(8)))

    assert [message["text"] for message in messages] == [f"no {n}" for n in range(8)]
    assert compiled.count("error.json.j2") == 1
    templates._environment.cache_clear()
