"""How long the Home tab takes to build: `python -m bench.home [--kpis 300] [--days 365]`.

Builds a synthetic scorecard (`--kpis` KPIs over objectives in the four perspectives, `--days`
daily readings each, two actions per KPI) and times `handlers.home.home_view` — the domain's
reads (`scorecard.home.home_for`), the forecasts and rendering the view — as the Home tab is
built for one of the KPI owners, the median of a few runs. It also checks that the view stays
within Slack's 100 blocks and passes the Block Kit checks (templates.limits.problems). Slack
wants the `views.publish` soon after `app_home_opened`; 3 seconds is the budget for any answer.
"""

import argparse
import statistics
import time
from datetime import UTC, datetime

from bench.databases import SQLITE, temporary_database
from bench.signing import WORKSPACE
from bench.sql_count import counting_statements
from bench.synthetic import add_actions, build_scorecard, grow_readings

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
VIEWER = "U0001"  # owns every 50th KPI and action of the synthetic scorecard
ACTIONS_PER_KPI = 2
RUNS = 5
BUDGET_SECONDS = 3.0


def run_home(database_kind: str, kpis: int, days: int) -> dict:
    from handlers.home import home_view
    from scorecard.caller import Services
    from templates.limits import MAX_VIEW_BLOCKS, problems

    with temporary_database(database_kind) as database:
        synthetic = build_scorecard(database, WORKSPACE, kpis, NOW)
        grow_readings(synthetic, kpis * days)
        add_actions(synthetic, kpis * ACTIONS_PER_KPI, NOW)
        caller = Services(database, clock=lambda: NOW).caller(WORKSPACE, VIEWER)
        home_view(caller)  # warm caches, templates and the planner
        timings = []
        for _ in range(RUNS):
            with counting_statements(database.engine) as log:
                started = time.perf_counter()
                view = home_view(caller)
                timings.append(time.perf_counter() - started)
        found = problems(view)
        return {
            "database": database_kind,
            "kpis": kpis,
            "readings": synthetic.readings,
            "actions": synthetic.actions,
            "seconds": statistics.median(timings),
            "slowest": max(timings),
            "statements": len(log.statements),
            "blocks": len(view["blocks"]),
            "within_limits": not found and len(view["blocks"]) <= MAX_VIEW_BLOCKS,
            "problems": found,
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.home", description=__doc__)
    parser.add_argument("--kpis", type=int, default=300)
    parser.add_argument("--days", type=int, default=365, help="daily readings per KPI")
    parser.add_argument("--database", default=SQLITE, help="sqlite or postgresql")
    arguments = parser.parse_args(argv)
    row = run_home(arguments.database, arguments.kpis, arguments.days)
    verdict = "within" if row["seconds"] < BUDGET_SECONDS else "OVER"
    print(
        f"Home tab, {row['kpis']} KPIs, {row['readings']:,} readings, {row['actions']} actions "
        f"({row['database']}): {row['seconds'] * 1000:.0f} ms median of {RUNS} "
        f"(slowest {row['slowest'] * 1000:.0f} ms), {row['statements']} SQL statements, "
        f"{row['blocks']} blocks; {verdict} the {BUDGET_SECONDS:.0f} s budget; "
        f"Block Kit and view limits: {'ok' if row['within_limits'] else row['problems']}"
    )


if __name__ == "__main__":
    main()
