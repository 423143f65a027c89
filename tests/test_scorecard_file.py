"""Reading and checking scorecard files: every problem at once, each saying where it is."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import select

from scorecard.importing import import_scorecard
from scorecard.scorecard_file import ScorecardFileError, dump_spec, parse_scorecard
from scorecard.scorecard_spec import DEFAULT_PERSPECTIVE_SPECS
from storage.db import Database
from storage.models import Action, Kpi, Objective, ObjectiveLink, Perspective, Scorecard

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

MINIMAL = """\
workspace: T0TEST
name: Test scorecard
objectives:
  - {key: revenue, title: Grow revenue, perspective: financial}
"""

BROKEN = """\
workspace: T0BROKEN
name: Broken scorecard
timezone: Europe/Amsterdm
colour: red
perspectives:
  - {key: financial, name: Financial}
  - {key: financial, name: Money}
objectives:
  - {key: revenue, title: Revenue, perspective: financal}
  - {key: loyalty, title: Loyalty, perspective: financial, owner: bob, supports: [revenue, nope]}
kpis:
  - key: instagram_followers
    name: Instagram followers
    objective: reach
    unit: followers
    baseline: lots
    targt: 20k
    direction: sideways
    frequency: hourly
    kind: lagging
    target_date: 2027-13-01
  - just a sentence
actions:
  - {key: memes, title: Daily meme posts, status: doing, due: tomorrow, stall_after_days: -3}
  - {title: An action without a key}
  - {key: memes, title: Daily meme posts again}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScorecardFileError) as raised:
        parse_scorecard(text)
    return raised.value.problems


def row_counts(database: Database) -> dict[str, int]:
    with database.reading() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Scorecard, Perspective, Objective, ObjectiveLink, Kpi, Action)
        }


def test_every_problem_is_reported_at_once_with_where_it_is() -> None:
    problems = problems_of(BROKEN)

    expected = [
        "top level: unknown field “colour”",
        "top level: `timezone`: “Europe/Amsterdm” is not a known time zone — did you mean "
        "“Europe/Amsterdam”?",
        "perspectives[2] (financial), line 7: duplicate key “financial”",
        "objectives[1] (revenue), line 9: `perspective`: there is no perspective “financal” — "
        "did you mean “financial”?",
        "objectives[2] (loyalty), line 10: `owner`: “bob” is not a Slack user id",
        "objectives[2] (loyalty), line 10: `supports`: there is no objective “nope”",
        "kpis[1] (instagram_followers), line 12: `objective`: there is no objective “reach”",
        "kpis[1] (instagram_followers), line 12: `baseline`: “lots” isn't a number",
        "kpis[1] (instagram_followers), line 12: unknown field “targt” — did you mean “target”?",
        "kpis[1] (instagram_followers), line 12: `target` is missing",
        "kpis[1] (instagram_followers), line 12: `direction`: “sideways” is not one of up, down",
        "kpis[1] (instagram_followers), line 12: `frequency`: “hourly” is not one of daily",
        "kpis[1] (instagram_followers), line 12: `kind`: “lagging” is not one of lead, lag",
        "kpis[1] (instagram_followers), line 12: `target_date`: “2027-13-01” is not a date",
        "kpis[2], line 22: should be an item with fields like key, name",
        "actions[1] (memes), line 24: `status`: “doing” is not one of planned, active, done",
        "actions[1] (memes), line 24: `due`: “tomorrow” is not a date",
        "actions[1] (memes), line 24: `stall_after_days`: should be a whole number of days",
        "actions[2], line 25: `key` is missing",
        "actions[3] (memes), line 26: duplicate key “memes” (also used by actions[1] (memes)",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), start
    assert len(problems) == len(expected)


def test_a_broken_file_writes_nothing(database: Database) -> None:
    before = row_counts(database)

    with pytest.raises(ScorecardFileError) as raised:
        import_scorecard(database, BROKEN)

    assert row_counts(database) == before == dict.fromkeys(before, 0)
    assert raised.value.message.startswith("The scorecard file has 20 problems")
    assert "- kpis[1] (instagram_followers), line 12: `target` is missing" in raised.value.message


def test_a_broken_file_leaves_an_existing_scorecard_as_it_was(database: Database) -> None:
    import_scorecard(database, MINIMAL)
    renamed_but_broken = MINIMAL.replace("Test scorecard", "Renamed") + "kpis: {}\n"

    with pytest.raises(ScorecardFileError, match="kpis: should be a list"):
        import_scorecard(database, renamed_but_broken)

    with database.reading() as session:
        assert session.exec(select(Scorecard.name)).all() == ["Test scorecard"]


def test_a_cycle_in_supports_is_named_from_start_to_end() -> None:
    text = """\
workspace: T0TEST
name: Going round
objectives:
  - {key: revenue, title: Revenue, perspective: financial, supports: [loyalty]}
  - {key: loyalty, title: Loyalty, perspective: customer, supports: [answers]}
  - {key: answers, title: Answers, perspective: internal, supports: [revenue]}
  - {key: training, title: Training, perspective: learning, supports: [training]}
"""
    assert problems_of(text) == [
        "objectives[1] (revenue), line 4: `supports` goes round in a circle: "
        "revenue → loyalty → answers → revenue (an objective can't end up supporting itself)",
        "objectives[4] (training), line 7: `supports` goes round in a circle: "
        "training → training (an objective can't end up supporting itself)",
    ]


def test_a_yaml_syntax_error_names_the_line() -> None:
    text = "workspace: T0TEST\nname: Test\nobjectives: [\n  {key: a, title: A\n"

    [problem] = problems_of(text)

    assert problem.startswith("line 5,")
    assert "not valid YAML" in problem


def test_sections_and_lists_must_be_lists() -> None:
    text = MINIMAL.replace("title: Grow revenue", "title: Grow, supports: revenue")
    text += "actions:\n  key: memes\n"

    assert problems_of(text) == [
        "objectives[1] (revenue), line 4: `supports`: should be a list of keys, like [a, b], "
        "or of links, like [{objective: a, lag: 6 weeks}], not text",
        "actions: should be a list (“- key: …”), not a mapping",
    ]


def test_a_file_that_is_not_a_mapping_says_how_it_should_start() -> None:
    assert problems_of("- workspace: T0TEST\n") == [
        "the file should start with `workspace:`, not be a list"
    ]


def test_owners_may_be_written_as_mentions_and_are_stored_as_user_ids() -> None:
    text = MINIMAL + (
        "kpis:\n"
        "  - {key: a, name: A, target: 1, owner: '<@U0ANN>'}\n"
        "  - {key: b, name: B, target: 1, owner: '<@W0BOB|bob>'}\n"
        "  - {key: c, name: C, target: 1, owner: '@U0CAT'}\n"
        "  - {key: d, name: D, target: 1, owner: Dave}\n"
    )
    [problem] = problems_of(text)
    assert problem.startswith("kpis[4] (d), line 9: `owner`: “Dave” is not a Slack user id")

    spec = parse_scorecard(text.rsplit("  - {key: d", 1)[0])
    assert [kpi.owner for kpi in spec.kpis] == ["U0ANN", "W0BOB", "U0CAT"]


def test_numbers_may_be_written_the_way_people_write_them() -> None:
    text = MINIMAL + (
        "kpis:\n"
        "  - {key: followers, name: Followers, unit: followers, baseline: 9800, target: 12.4k}\n"
        "  - {key: engagement, name: Engagement rate, unit: '%', baseline: 2.5, target: 35%}\n"
        "  - {key: revenue, name: Revenue, unit: €, baseline: '€1,200', target: 1.5M}\n"
    )
    spec = parse_scorecard(text)
    assert [(kpi.baseline, kpi.target) for kpi in spec.kpis] == [
        (9800, 12400),
        (2.5, 35),
        (1200, 1_500_000),
    ]


def test_defaults_fill_what_a_file_leaves_out() -> None:
    spec = parse_scorecard(MINIMAL + "kpis:\n  - {key: a, name: A, target: 10}\n")

    assert spec.perspectives == DEFAULT_PERSPECTIVE_SPECS
    assert spec.timezone == "UTC"
    assert (spec.settings.at_risk_tolerance, spec.settings.stall_after_days) == (0.1, 14)
    [kpi] = spec.kpis
    assert (kpi.baseline, kpi.direction, kpi.frequency, kpi.objective) == (0, "up", "weekly", None)


def test_settings_are_checked_too() -> None:
    text = MINIMAL + "settings: {at_risk_tolerance: 10%, stall_after_day: 7}\n"

    assert problems_of(text) == [
        "settings: unknown field “stall_after_day” — did you mean “stall_after_days”?"
    ]
    spec = parse_scorecard(MINIMAL + "settings: {at_risk_tolerance: 5%, stall_after_days: 7}\n")
    assert (spec.settings.at_risk_tolerance, spec.settings.stall_after_days) == (0.05, 7)


def test_the_example_files_read_cleanly_with_their_dates() -> None:
    community = parse_scorecard((EXAMPLES / "community.yaml").read_text(encoding="utf-8"))
    shop = parse_scorecard((EXAMPLES / "fashion-shop.yaml").read_text(encoding="utf-8"))

    assert (community.workspace, shop.workspace) == ("T0DEMO", "T0SHOP")
    followers = next(kpi for kpi in community.kpis if kpi.key == "instagram_followers")
    assert (followers.name, followers.unit, followers.target) == (
        "Instagram followers",
        "followers",
        20_000,
    )
    assert followers.target_date == date(2027, 6, 30)
    assert {kpi.direction for kpi in community.kpis} == {"up", "down"}


def test_a_dumped_spec_reads_back_the_same() -> None:
    spec = parse_scorecard((EXAMPLES / "community.yaml").read_text(encoding="utf-8"))

    dumped = dump_spec(spec)

    assert list(dumped) == [
        "workspace",
        "name",
        "mission",
        "timezone",
        "perspectives",
        "themes",
        "objectives",
        "kpis",
        "actions",
    ]
    assert list(dumped["kpis"][0])[:5] == ["key", "name", "objective", "unit", "baseline"]
    assert "supports" not in dumped["objectives"][0]  # empty optionals are left out
    assert parse_scorecard(yaml.safe_dump(dumped, sort_keys=False, allow_unicode=True)) == spec


def test_nudge_limits_are_settings_of_the_scorecard() -> None:
    spec = parse_scorecard(MINIMAL + "settings: {nudge_interval_days: 3, nudges_per_week: 5}\n")
    assert (spec.settings.nudge_interval_days, spec.settings.nudges_per_week) == (3, 5)
    assert dump_spec(spec)["settings"]["nudges_per_week"] == 5

    with pytest.raises(ScorecardFileError) as refused:
        parse_scorecard(MINIMAL + "settings: {nudges_per_week: none}\n")
    assert refused.value.problems == [
        "settings: `nudges_per_week`: should be a whole number, 1 or more, not “none”"
    ]
