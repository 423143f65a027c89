"""Nudge sweep time over many actions: a real sweep (claims, messages) against the stand-in."""

import time
from datetime import datetime

from slack_sdk import WebClient

from bench.databases import temporary_database
from bench.signing import WORKSPACE
from bench.sizes import Sizes
from bench.sql_count import counting_statements
from bench.synthetic import add_actions, build_scorecard, grow_readings

# A modest scorecard around the actions: the sweep also checks KPIs for overdue readings.
SWEEP_KPIS = 100
SWEEP_READINGS = 10_000


def run_sweeps(database_kind: str, sizes: Sizes, now: datetime, api_url: str) -> list[dict]:
    from bot.nudging import run_nudge_sweep

    client = WebClient(token="xoxb-bench", base_url=api_url)
    rows = []
    for actions in sizes.sweep_actions:
        with temporary_database(database_kind) as database:
            scorecard = build_scorecard(database, WORKSPACE, SWEEP_KPIS, now)
            grow_readings(scorecard, SWEEP_READINGS)
            add_actions(scorecard, actions, now)
            with counting_statements(database.engine) as log:
                started = time.perf_counter()
                report = run_nudge_sweep(database, client, now)
                seconds = time.perf_counter() - started
            row = {
                "database": database_kind,
                "actions": actions,
                "seconds": round(seconds, 3),
                "messages": len(report.sent),
                "items": sum(len(sent.items) for sent in report.sent),
                "skipped": len(report.skipped),
                "failed": len(report.failed),
                "statements": log.total,
            }
            rows.append(row)
            print(
                f"  sweep  {database_kind:10} {actions:>7,} actions {seconds:7.3f} s  "
                f"{row['messages']} messages, {row['items']} items, {log.total} SQL",
                flush=True,
            )
    return rows
