"""Growth: the same commands on ever bigger scorecards; time and SQL statements per command.

Each KPI count gets its own database, grown in place through the reading counts, so the only
thing that changes between rows of one KPI count is how much history lies behind the KPIs.
"""

import statistics
import time
from datetime import datetime

from bench.databases import temporary_database
from bench.inprocess import InProcessApp
from bench.signing import WORKSPACE, command_text
from bench.sizes import ALL_COMMANDS, Sizes
from bench.sql_count import counting_statements
from bench.synthetic import add_actions, build_scorecard, grow_readings

WARMUP_RUNS = 2
# A slow command stops repeating after this long (but runs at least MIN_RUNS times).
POINT_SECONDS = 4.0
MIN_RUNS = 5
ERROR_MARK = b"went wrong"


def run_growth(database_kind: str, sizes: Sizes, now: datetime, api_url: str) -> list[dict]:
    rows = []
    for kpis in sizes.growth_kpis:
        with temporary_database(database_kind) as database:
            scorecard = build_scorecard(database, WORKSPACE, kpis, now)
            add_actions(scorecard, sizes.growth_actions, now)
            app = InProcessApp(database, now, api_url)
            for readings in sizes.growth_readings:
                started = time.perf_counter()
                grow_readings(scorecard, readings)
                built = time.perf_counter() - started
                for kind in ALL_COMMANDS:
                    row = _measure(app, database, kind, kpis, scorecard.actions, sizes)
                    row.update(
                        database=database_kind,
                        kpis=kpis,
                        readings=scorecard.readings,
                        actions=scorecard.actions,
                        build_seconds=round(built, 2),
                    )
                    rows.append(row)
                    print(
                        f"  growth {database_kind:10} {kpis:>5} KPIs {scorecard.readings:>9,} "
                        f"readings  {kind:8} {row['median_ms']:8.2f} ms  "
                        f"{row['statements']:>3} SQL",
                        flush=True,
                    )
            database.dispose()
    return rows


def _measure(app: InProcessApp, database, kind: str, kpis: int, actions: int, sizes: Sizes) -> dict:
    for number in range(WARMUP_RUNS):
        app.command(*command_text(kind, number, kpis, actions))
    timings, errors, statements = [], 0, 0
    deadline = time.perf_counter() + POINT_SECONDS
    with counting_statements(database.engine) as log:
        for number in range(sizes.growth_repeats):
            if number >= MIN_RUNS and time.perf_counter() > deadline:
                break
            command, text = command_text(kind, number * 7 + 1, kpis, actions)
            started = time.perf_counter()
            status, body = app.command(command, text, user=f"U{number % 50:04d}")
            timings.append(time.perf_counter() - started)
            errors += status != 200 or ERROR_MARK in body
        statements = round(log.total / len(timings), 1)
        top = log.most_common(3)
    timings.sort()
    return {
        "command": kind,
        "runs": len(timings),
        "errors": errors,
        "median_ms": round(statistics.median(timings) * 1000, 3),
        "p95_ms": round(timings[max(0, round(len(timings) * 0.95) - 1)] * 1000, 3),
        "statements": statements,
        "top_statements": [{"sql": sql, "count": count} for sql, count in top],
    }
