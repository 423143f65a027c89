"""The benchmark's own parts on tiny sizes, so `python -m bench` doesn't rot between runs."""

from dataclasses import replace
from datetime import UTC, datetime

from bench.databases import temporary_database
from bench.growth import run_growth
from bench.inprocess import InProcessApp
from bench.signing import WORKSPACE
from bench.sizes import QUICK
from bench.synthetic import add_actions, build_scorecard, grow_readings
from bench.targets import check_targets
from bot.slack_standin import SlackStandIn

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TINY = replace(
    QUICK, growth_kpis=(5,), growth_readings=(20, 200), growth_actions=10, growth_repeats=2
)


def test_synthetic_scorecard_answers_real_commands() -> None:
    with SlackStandIn() as api, temporary_database("sqlite") as database:
        scorecard = build_scorecard(database, WORKSPACE, 5, NOW)
        grow_readings(scorecard, 100)
        add_actions(scorecard, 10, NOW)
        app = InProcessApp(database, NOW, api.api_url)

        status, body = app.command("/kpi", "show kpi_3")
        assert status == 200
        assert b"Gross margin 3" in body
        assert scorecard.readings == 100


def test_growth_counts_statements_per_command() -> None:
    with SlackStandIn() as api:
        rows = run_growth("sqlite", TINY, NOW, api.api_url)
    assert {(row["readings"], row["command"]) for row in rows} == {
        (readings, command) for readings in (20, 200) for command in ("kpi log", "kpi show", "why")
    }
    assert all(row["errors"] == 0 and row["statements"] > 0 for row in rows)


def test_targets_report_a_miss_honestly() -> None:
    slow = {
        "database": "sqlite",
        "server": "scorecard",
        "command": "kpi log",
        "concurrency": 32,
        "per_second": 100.0,
        "p99_ms": 400.0,
        "vs_bare_inline": 0.05,
        "vs_bare_default": 0.1,
    }
    verdicts = check_targets({"latency": {"rows": [slow]}})
    assert [target["met"] for target in verdicts[:3]] == [False, False, False]


def test_clock_processes_post_every_digest_once() -> None:
    from bench.clocks import run_clocks

    [row] = run_clocks("sqlite", quick=True, workspaces=12, clock_counts=(2,))

    assert (row["duplicates"], row["missed"], row["errors"]) == (0, 0, 0)
    assert row["last_post_seconds"] > 0


def test_import_bench_measures_a_real_import_and_the_writer_wait() -> None:
    from bench.imports import run_imports

    rows = run_imports("sqlite", 300, NOW)

    assert [(row["run"], row["exit"]) for row in rows] == [
        ("fresh", 0),
        ("again", 0),
        ("all bad", 1),
    ]
    assert all(row["peak_mb"] > 0 and row["longest_lock_wait_s"] is not None for row in rows)
    verdicts = check_targets({"import": {"rows": rows}})
    assert verdicts[-1]["met"] is None  # 300 rows are no 1,000,000-row run


def test_home_tab_benchmark_builds_a_view_within_limits() -> None:
    from bench.home import run_home

    row = run_home("sqlite", kpis=8, days=5)
    assert row["within_limits"] and row["blocks"] <= 100 and row["seconds"] > 0
