"""The clock: digests every minute, nudges every quarter of an hour, retention hourly, in UTC.

Jobs run in UTC and never read the machine's local zone: schedules work in each scorecard's own
time zone (see scorecard.schedules). Each job opens its own database sessions. `coalesce` and
`max_instances=1` keep a slow run from piling up behind itself; the database claims keep two
clocks (or a restarted one) from posting anything twice.
"""

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.config import DEFAULT_RETENTION_DAYS, Settings
from bot.digest_delivery import deliver_due_digests
from bot.nudging import run_nudge_sweep
from bot.review_meetings import open_due_reviews
from scorecard.workspace_lifecycle import delete_expired_workspaces
from storage.db import Database
from storage.types import utc_now

logger = logging.getLogger(__name__)

# How often the clock looks for digests that are due.
DIGEST_CHECK_EVERY = timedelta(minutes=1)
# How often the clock sweeps for stalled actions and overdue readings to nudge about.
NUDGE_SWEEP_EVERY = timedelta(minutes=15)
# How often the clock deletes the scorecards of workspaces that removed the app long enough ago.
RETENTION_CHECK_EVERY = timedelta(hours=1)
# A job that could not start on time (the process was busy or asleep) still runs this late.
MISFIRE_GRACE = timedelta(minutes=5)

DIGEST_JOB, NUDGE_JOB, RETENTION_JOB = "digests", "nudges", "retention"
# Scheduled strategy reviews are looked for as often as digests.
REVIEW_JOB = "reviews"


def clock_id() -> str:
    """Who holds a claim: this machine and process, so logs show which clock did what."""
    return f"{socket.gethostname()}:{os.getpid()}"


def build_scheduler(
    database: Database,
    client: WebClient,
    *,
    clock: Callable[[], datetime] = utc_now,
    digest_every: timedelta = DIGEST_CHECK_EVERY,
    nudge_every: timedelta = NUDGE_SWEEP_EVERY,
    retention: timedelta = timedelta(days=DEFAULT_RETENTION_DAYS),
) -> BackgroundScheduler:
    """A scheduler with the three jobs, not yet started. Each also runs once right away.

    `retention`: how long a workspace that removed the app keeps its scorecard.
    """
    me = clock_id()
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
        },
    )

    def digests() -> None:
        try:
            deliver_due_digests(database, client, clock(), me)
        except Exception:  # logged here so the next tick runs; APScheduler would only log it
            logger.exception("The digest run failed")

    def nudges() -> None:
        try:
            run_nudge_sweep(database, client, clock())
        except Exception:
            logger.exception("The nudge sweep failed")

    def reviews() -> None:
        try:
            open_due_reviews(database, client, clock())
        except Exception:
            logger.exception("Opening scheduled reviews failed")

    def expired_workspaces() -> None:
        try:
            delete_expired_workspaces(database, clock(), retention)
        except Exception:
            logger.exception("Deleting the scorecards of long-gone workspaces failed")

    start = datetime.now(UTC)  # APScheduler's own time is real time, whatever `clock` says
    scheduler.add_job(
        digests,
        IntervalTrigger(seconds=int(digest_every.total_seconds()), timezone=UTC),
        id=DIGEST_JOB,
        next_run_time=start,
    )
    scheduler.add_job(
        nudges,
        IntervalTrigger(seconds=int(nudge_every.total_seconds()), timezone=UTC),
        id=NUDGE_JOB,
        next_run_time=start,
    )
    scheduler.add_job(
        reviews,
        IntervalTrigger(seconds=int(digest_every.total_seconds()), timezone=UTC),
        id=REVIEW_JOB,
        next_run_time=start,
    )
    scheduler.add_job(
        expired_workspaces,
        IntervalTrigger(seconds=int(RETENTION_CHECK_EVERY.total_seconds()), timezone=UTC),
        id=RETENTION_JOB,
        next_run_time=start,
    )
    return scheduler


def run_clock(
    settings: Settings,
    database: Database,
    client: WebClient,
    stop_event: threading.Event | None = None,
    *,
    digest_every: timedelta = DIGEST_CHECK_EVERY,
) -> None:
    """Run the clock until `stop_event` is set, or until SIGTERM/SIGINT (`scorecard clock`)."""
    stop = stop_event or threading.Event()
    if stop_event is None and threading.current_thread() is threading.main_thread():
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, lambda *_: stop.set())
    scheduler = build_scheduler(
        database,
        client,
        digest_every=digest_every,
        retention=timedelta(days=settings.retention_days),
    )
    scheduler.start()
    logger.info(
        "Clock %s started: digests every %s, nudges every %s (UTC)",
        clock_id(),
        digest_every,
        NUDGE_SWEEP_EVERY,
    )
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        logger.info("Clock %s stopped", clock_id())
