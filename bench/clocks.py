"""Monday 09:00 at scale: N workspaces, one digest each due in the same minute, 1, 2 and 4 clocks.

Each clock is a process of its own (as `scorecard clock` would be), with its own engine and
WebClient, running one digest pass at the same `now`. The Slack stand-in answers every Web API
call after `SLACK_LATENCY` (100 ms). Measured: seconds from the moment the clocks are let go
until the last digest is posted, and from the stand-in's record, duplicates (a channel with two
digests) and misses (a channel with none).
"""

import multiprocessing
import time
from collections import Counter
from datetime import datetime, timedelta

from bench.databases import temporary_database

# Slack's own answer time, as the issue asks.
SLACK_LATENCY = 0.1
CLOCK_COUNTS = (1, 2, 4)
# Workspaces for a full run, by database, and for --quick.
FULL_WORKSPACES = {"postgresql": 10_000, "sqlite": 1_000}
QUICK_WORKSPACES = {"postgresql": 200, "sqlite": 200}
# Every digest is due at this moment (a Monday, 09:00 UTC); the clocks run 30 seconds after.
DUE = datetime.fromisoformat("2026-11-30T09:00:00+00:00")
SCHEDULE = "weekly mon 09:00"
# Seconds a clock process may take to import and connect before the start.
READY_TIMEOUT = 120


def run_clocks(
    database_kind: str,
    quick: bool,
    workspaces: int | None = None,
    clock_counts: tuple[int, ...] = CLOCK_COUNTS,
) -> list[dict]:
    from bot.slack_standin import SlackStandIn

    count = workspaces or (QUICK_WORKSPACES if quick else FULL_WORKSPACES)[database_kind]
    rows = []
    for clocks in clock_counts:
        with (
            temporary_database(database_kind) as database,
            SlackStandIn(delay=SLACK_LATENCY) as api,
        ):
            seed_workspaces(database, count)
            seconds, reports = _race(database.url, api.api_url, clocks)
            posted = Counter(
                call.params["channel"]
                for call in api.calls("chat.postMessage")
                if call.params.get("metadata") and not call.params.get("thread_ts")
            )
            last = max((call.at for call in api.calls("chat.postMessage")), default=0.0)
            row = {
                "database": database_kind,
                "workspaces": count,
                "clocks": clocks,
                "seconds": round(seconds, 1),
                "last_post_seconds": round(last - reports["started_at"], 1) if last else None,
                "per_second": round(count / seconds, 1) if seconds else None,
                "duplicates": sum(n - 1 for n in posted.values() if n > 1),
                "missed": count - len(posted),
                "errors": reports["errors"],
            }
            rows.append(row)
            print(
                f"  clocks {database_kind:10} {count:>6,} workspaces {clocks} clock(s) "
                f"{row['last_post_seconds']} s to the last digest, {row['duplicates']} "
                f"duplicates, {row['missed']} missed, {row['errors']} errors",
                flush=True,
            )
    return rows


def seed_workspaces(database, count: int) -> None:  # noqa: ANN001 (a storage.db.Database)
    """`count` workspaces with an empty scorecard (UTC) and one channel due at DUE."""
    from storage.models import DigestSubscription, Scorecard

    subscribed_at = DUE - timedelta(days=6)
    with database.writing() as session:
        scorecards = [
            Scorecard(workspace=f"T{n:06d}", name=f"Scorecard {n}", created_at=subscribed_at)
            for n in range(count)
        ]
        session.add_all(scorecards)
        session.flush()
        session.add_all(
            DigestSubscription(
                scorecard_id=scorecard.id,
                channel=f"C{n:06d}",
                schedule=SCHEDULE,
                created_by="U0BENCH",
                created_at=subscribed_at,
            )
            for n, scorecard in enumerate(scorecards)
        )


def _race(url: str, api_url: str, clocks: int) -> tuple[float, dict]:
    """Start `clocks` processes, let them go at once; (seconds until all are done, totals)."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(clocks + 1)
    results = context.Queue()
    processes = [
        context.Process(target=_clock, args=(url, api_url, f"bench-clock-{n}", ready, results))
        for n in range(clocks)
    ]
    for process in processes:
        process.start()
    ready.wait(timeout=READY_TIMEOUT)
    started = time.monotonic()
    started_at = time.time()
    totals = {"errors": 0, "started_at": started_at}
    for _ in processes:
        totals["errors"] += results.get()
    seconds = time.monotonic() - started
    for process in processes:
        process.join()
    return seconds, totals


def _clock(url: str, api_url: str, clock_id: str, ready, results) -> None:  # noqa: ANN001
    """One clock process: connect, wait for the start, one digest pass."""
    import logging

    from bot.app import create_web_client
    from bot.config import Settings
    from bot.digest_delivery import deliver_due_digests
    from storage.db import Database

    logging.basicConfig(level=logging.WARNING)
    database = Database(url)
    client = create_web_client(Settings(bot_token="xoxb-bench", slack_api_url=api_url))
    try:
        ready.wait(timeout=READY_TIMEOUT)
        report = deliver_due_digests(database, client, DUE + timedelta(seconds=30), clock_id)
        results.put(len(report.errors))
    except Exception:
        logging.exception("Clock %s failed", clock_id)
        results.put(1)
    finally:
        database.dispose()
