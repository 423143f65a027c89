"""Posting scheduled digests exactly once, however many clocks run and however often they crash.

Each scheduled digest is one (workspace, channel, period). A clock claims it by inserting a
`DigestRun` row with that unique key and commits the claim *before* posting; a second clock, or
a rerun, finds the row and does not post. After posting, the message's ts is recorded.

The posting itself is done by a `DigestPoster` (bot.digest_delivery posts with Slack's WebClient);
it says how a post ended in the terms of scorecard.posting. What happens when things go wrong,
in order of how often they do:
- The clock was down when a digest was due. Back within GRACE (6 hours), it posts the digest
  once, marked late. Older misses are recorded as skipped and logged: a digest is a snapshot
  of now, and a pile of stale ones helps nobody.
- Slack refuses the post (NotPosted). Channel trouble (`channel_not_found`, `not_in_channel`,
  `is_archived`) pauses the subscription and tells its creator in a DM; anything else is retried
  by later runs with backoff (1, 2, 4, … minutes) within GRACE. When no retry fits any more the
  digest is given up and whoever subscribed the channel is told.
- Slack's answer is lost (MaybePosted: a 5xx, a dropped connection): the digest may be there.
  Every digest carries message metadata naming its period, so conversations.history tells. The
  run asks at once: found, the run is recorded as posted (and gets its thread reply); not found,
  it is posted again. Never reposted without asking first.
- A clock stopped between claiming and recording the post (a crash), so nobody knows whether
  Slack has the message. Once the claim is STALE_CLAIM_AFTER old, a later run asks Slack the same
  way. If Slack can't be asked (no history scope), the run is marked unconfirmed and logged, never
  reposted blindly: at most once, and never silently.
- `scorecard digest --now` stopped mid-way: the next `--now` for that channel asks Slack about
  the earlier run first, and does not post a second digest if the first one is there.
"""

import logging
import random
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.digest import Digest
from scorecard.digest_subscriptions import digest_for_channel, subscription_anchor
from scorecard.posting import CannotConfirm, MaybePosted, NotPosted
from scorecard.schedules import occurrences, parse_schedule, period_key
from scorecard.workspace import choose_scorecard
from storage.db import Database
from storage.digests import (
    CLAIMED,
    FAILED,
    GAVE_UP,
    MANUAL_PREFIX,
    POSTED,
    SKIPPED,
    UNCONFIRMED,
    UNKNOWN,
    active_subscription_ids,
    claim_digests,
    find_run,
    latest_scheduled_runs,
    mark_failed,
    mark_posted,
    pause_subscription,
    reclaim_run,
    settle_run,
    take_subscriptions,
    unfinished_manual_runs,
)
from storage.models import DigestRun, DigestSubscription, Scorecard

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A digest due while the clock was down is still posted (late) if the clock is back within this.
GRACE = timedelta(hours=6)
# Posted more than this after its time, a digest says it is late.
LATE_AFTER = timedelta(minutes=15)
# A claim this old without a recorded post belongs to a clock that stopped mid-way.
STALE_CLAIM_AFTER = timedelta(minutes=10)
# A failed post is tried again this long after the first attempt, then twice as long each time.
FIRST_RETRY_AFTER = timedelta(minutes=1)
# Attempts in all (1 + 2 + 4 + … + 64 minutes of waiting: about two hours), within GRACE.
MAX_ATTEMPTS = 8
# Workspaces one clock works on at once. Slack's rate limits are per workspace and method, so
# each worker holds one workspace's work and a slow workspace holds up only its own worker.
# A digest is two posts of about 100 ms each at Slack, mostly waiting: 16 workers let one clock
# post about 70 digests a second, more than its CPU builds. A worker holds a database
# connection only while it reads or writes, so storage.db.POOL_SIZE is enough for them.
WORKSPACES_AT_ONCE = 16
# Subscriptions claimed in one write transaction, per worker: enough to keep the workers busy
# until the next batch, few enough not to hold SQLite's writer long.
BATCHES_PER_WORKER = 2
# Missed periods further back than this are not looked at (nor recorded) at all.
MISSED_LOOKBACK = timedelta(days=31)
# Slack errors that mean the channel can't take the digest until a person fixes something.
CHANNEL_PROBLEMS = ("channel_not_found", "not_in_channel", "is_archived")
# A posted digest is looked for in the channel's history from this long before it was due.
HISTORY_SLACK = timedelta(minutes=1)
# Why a missed period is skipped when a later one is due too.
SUPERSEDED = "superseded by a later digest"

LATE, RECOVERED = "posted late", "recovered"  # and POSTED, SKIPPED, FAILED as the runs say
ALREADY_CLAIMED, IN_PROGRESS, PAUSED = "already claimed", "in progress", "paused"
# Slack's answer was lost and Slack could not be asked yet: asked again on a later run.
ANSWER_LOST = "answer lost"
WARNING_RESULTS = (FAILED, PAUSED, UNCONFIRMED, GAVE_UP, ANSWER_LOST)


class DigestPoster(Protocol):
    """Posts digests for the rules below. Every method raises NotPosted when the chat service
    said no and MaybePosted when it is not known whether the post arrived."""

    def post_digest(
        self, workspace: str, channel: str, digest: Digest, *, period: str, late: bool
    ) -> str:
        """Post `digest` marked with `period` (the mark `find_digest` looks for); its ts."""
        ...

    def post_detail(self, workspace: str, channel: str, thread_ts: str, digest: Digest) -> None:
        """The per-KPI detail as a reply in the digest's thread."""
        ...

    def find_digest(self, workspace: str, channel: str, period: str, since: datetime) -> str | None:
        """The ts of the digest marked `period` posted since `since`, or None; CannotConfirm."""
        ...

    def tell_paused(self, workspace: str, user: str, channel: str, problem: str) -> None:
        """DM `user`: the channel's digest is paused until someone fixes `problem`."""
        ...

    def tell_given_up(
        self, workspace: str, user: str, channel: str, problem: str, due: datetime
    ) -> None:
        """DM `user`: the digest due at `due` could not be posted and was given up."""
        ...


@dataclass(frozen=True)
class Outcome:
    workspace: str
    channel: str
    period: str
    result: str  # POSTED, LATE, RECOVERED, SKIPPED, ALREADY_CLAIMED, FAILED, ...
    reason: str = ""
    message_ts: str | None = None


@dataclass
class RunReport:
    """What one run did, for the log and for tests."""

    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, outcome: Outcome) -> None:
        with self._lock:  # the pool's workers report at once
            self.outcomes.append(outcome)
        level = logging.WARNING if outcome.result in WARNING_RESULTS else logging.INFO
        logger.log(
            level,
            "Digest %s %s %s: %s%s",
            outcome.workspace,
            outcome.channel,
            outcome.period,
            outcome.result,
            f" ({outcome.reason})" if outcome.reason else "",
        )

    def summary(self) -> str:
        counts: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes:
            counts[outcome.result] += 1
        parts = [f"{count} {result}" for result, count in sorted(counts.items())]
        parts += [f"{len(self.errors)} workspace errors"] if self.errors else []
        return "Digest run: " + (", ".join(parts) or "nothing due")


class _InFlight:
    """How many tasks a pool has queued or running, and a way to wait until there are fewer."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def add(self) -> None:
        with self._changed:
            self._count += 1

    def done(self, _future: object = None) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_below(self, limit: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._count < limit)


@dataclass(frozen=True)
class _Job:
    """A claimed run to post, or an unfinished one to follow up."""

    target: "DigestTarget"
    run: DigestRun
    follow_up: bool


@dataclass
class _Plan:
    """What one batch claims for one subscription, before the claims are inserted."""

    target: "DigestTarget"
    follow_up: DigestRun | None = None  # an earlier attempt's unfinished run
    skipped: list[DigestRun] = field(default_factory=list)  # missed periods, status SKIPPED
    due: DigestRun | None = None  # the digest to post

    def runs(self) -> list[DigestRun]:
        """The claims to insert, oldest period first."""
        return self.skipped + ([] if self.due is None else [self.due])


@dataclass(frozen=True)
class DigestTarget:
    """Where one digest goes."""

    scorecard: Scorecard
    channel: str
    subscription: DigestSubscription | None = None

    @property
    def workspace(self) -> str:
        return self.scorecard.workspace

    @property
    def scorecard_id(self) -> int:
        assert self.scorecard.id is not None
        return self.scorecard.id


def deliver_due_digests(
    database: Database,
    poster: DigestPoster,
    now: datetime,
    clock_id: str,
    grace: timedelta = GRACE,
    *,
    workers: int = WORKSPACES_AT_ONCE,
) -> RunReport:
    """Post every digest that is due at `now`, once. One bad workspace never stops the rest.

    The clock goes through the subscriptions in batches. In one short write transaction per
    batch it takes the subscriptions no other clock holds (SKIP LOCKED on PostgreSQL), records
    skipped periods and claims the digests due. A pool of `workers` posts what was claimed (and
    follows up runs an earlier attempt left unfinished), one workspace's work per task, while
    the next batch is claimed: a slow or rate-limited workspace holds up only its own worker.
    Several clocks share the work this way without a leader, each starting at another place.
    """
    report = RunReport()
    delivery = _Delivery(database, poster, now, clock_id, grace, report)
    with database.reading() as session:
        ids = active_subscription_ids(session)
    offset = random.randrange(len(ids)) if ids else 0
    ids = ids[offset:] + ids[:offset]
    workers = max(1, workers)
    batch_size = workers * BATCHES_PER_WORKER
    in_flight = _InFlight()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digests") as pool:
        for first in range(0, len(ids), batch_size):
            # Claim no faster than the workers post: what this clock has not claimed yet
            # stays free for other clocks, and a crash leaves few claims to recover.
            in_flight.wait_below(workers + 1)
            for jobs in delivery.claim_batch(ids[first : first + batch_size]).values():
                in_flight.add()
                pool.submit(delivery.work, jobs).add_done_callback(in_flight.done)
    if report.outcomes or report.errors:
        logger.info(report.summary())
    return report


def post_digest_now(
    database: Database,
    poster: DigestPoster,
    channel: str,
    now: datetime,
    clock_id: str,
    workspace: str | None = None,
) -> Outcome:
    """`scorecard digest --channel C --now`: post a digest right away, outside the schedule.

    An earlier `--now` for the channel that stopped before recording its post is settled first:
    if Slack has its digest, that one stands (recovered, with its thread reply) and nothing new
    is posted; if Slack can't say, nothing is posted and the outcome says so.
    """
    with database.reading() as session:
        target = DigestTarget(choose_scorecard(session, workspace), channel)
        unfinished = unfinished_manual_runs(session, target.scorecard_id, channel, now - GRACE)
    report = RunReport()
    delivery = _Delivery(database, poster, now, clock_id, GRACE, report)
    for run in unfinished:
        settled = delivery.settle_manual(target, run)
        if settled is not None:
            return settled
    key = f"{MANUAL_PREFIX}{now.isoformat(timespec='microseconds')}"
    run = delivery.claim(target, now, key=key)
    if run is None:
        return Outcome(target.workspace, channel, key, ALREADY_CLAIMED)
    delivery.post(target, run, late=False)
    return report.outcomes[-1]


def next_attempt_at(run: DigestRun) -> datetime:
    """When a run whose last attempt started at `claimed_at` may be tried again (backoff)."""
    return run.claimed_at + FIRST_RETRY_AFTER * 2 ** (run.attempts - 1)


@dataclass
class _Delivery:
    """One clock's run: the rules for each digest, with what they need at hand."""

    database: Database
    poster: DigestPoster
    now: datetime
    clock_id: str
    grace: timedelta
    report: RunReport

    def claim_batch(self, ids: list[int]) -> dict[str, list["_Job"]]:
        """Claim what is due for the subscriptions `ids`, in one write transaction; the work
        that follows (posts and follow-ups), by workspace.

        The skipped periods and the digests due of the whole batch are inserted in one
        statement: a claim that is not inserted is held already, by another clock or a rerun.
        """
        jobs: dict[str, list[_Job]] = defaultdict(list)
        try:
            with self.database.writing() as session:
                taken = take_subscriptions(session, ids)
                scorecard_ids = sorted({subscription.scorecard_id for _, subscription in taken})
                latest_runs = latest_scheduled_runs(session, scorecard_ids)
                plans = []
                for scorecard, subscription in taken:
                    target = DigestTarget(scorecard, subscription.channel, subscription)
                    latest = latest_runs.get((target.scorecard_id, target.channel))
                    try:
                        plans.append(self._plan(target, latest))
                    except Exception as error:  # a bug or bad data in one subscription
                        logger.exception(
                            "Digest for %s %s failed", target.workspace, target.channel
                        )
                        self.report.errors.append(f"{target.workspace} {target.channel}: {error}")
                won = claim_digests(session, [run for plan in plans for run in plan.runs()])
                claimed = {id(run) for run in won}
                for plan in plans:
                    jobs[plan.target.workspace].extend(self._claimed(plan, claimed))
        except Exception as error:
            logger.exception("Claiming a batch of %d digests failed", len(ids))
            self.report.errors.append(f"a batch of {len(ids)} subscriptions: {error}")
            return {}
        return jobs

    def _plan(self, target: DigestTarget, latest: DigestRun | None) -> "_Plan":
        """What to claim for one subscription: the missed periods to record as skipped and the
        newest one due, and the run an earlier attempt left unfinished, if any."""
        subscription = target.subscription
        assert subscription is not None
        plan = _Plan(target)
        if (
            latest is not None
            and latest.posted_at is None
            and latest.status in (CLAIMED, FAILED, UNKNOWN)
        ):
            plan.follow_up = latest
        schedule = parse_schedule(subscription.schedule)
        zone = ZoneInfo(target.scorecard.timezone)
        start = subscription.created_at
        if latest is not None:
            start = max(start, latest.scheduled_for + timedelta(microseconds=1))
        start = max(start, self.now - MISSED_LOOKBACK)
        anchor = subscription_anchor(target.scorecard, subscription)
        due = occurrences(schedule, zone, start, self.now, anchor)
        if not due:
            return plan
        *missed, newest = due
        for moment in missed:
            plan.skipped.append(self._new_run(target, moment, status=SKIPPED, error=SUPERSEDED))
        if self.now - newest > self.grace:
            reason = f"due {self.now - newest} ago, more than the {self.grace} grace window"
            plan.skipped.append(self._new_run(target, newest, status=SKIPPED, error=reason))
            return plan
        late = self.now - newest > LATE_AFTER
        plan.due = self._new_run(target, newest, late=late)
        return plan

    def _claimed(self, plan: "_Plan", claimed: set[int]) -> list["_Job"]:
        """Report what a plan's claims came to (`claimed`: the id() of the runs inserted); the
        jobs it leaves for a worker."""
        target = plan.target
        jobs = [] if plan.follow_up is None else [_Job(target, plan.follow_up, follow_up=True)]
        for run in plan.skipped:
            if id(run) in claimed:
                self._add(target, run.period_key, SKIPPED, run.error or "")
        if plan.due is None:
            return jobs
        if id(plan.due) in claimed:
            jobs.append(_Job(target, plan.due, follow_up=False))
        else:
            self._add(target, plan.due.period_key, ALREADY_CLAIMED)
        return jobs

    def work(self, jobs: list["_Job"]) -> None:
        """One workspace's posts and follow-ups, in order (run by a worker of the pool)."""
        for job in jobs:
            try:
                if job.follow_up:
                    self._follow_up(job.target, job.run)
                else:
                    self.post(job.target, job.run, late=job.run.late)
            except Exception as error:  # a bug or an outage for one workspace: log, carry on
                logger.exception(
                    "Digest for %s %s failed", job.target.workspace, job.target.channel
                )
                self.report.errors.append(f"{job.target.workspace} {job.target.channel}: {error}")

    def claim(
        self, target: DigestTarget, moment: datetime, *, key: str | None = None
    ) -> DigestRun | None:
        """Claim the digest due at `moment` (under `key`) in a transaction of its own; None when
        another clock (or an earlier run) has it."""
        with self.database.writing() as session:
            won = claim_digests(session, [self._new_run(target, moment, key=key)])
        return won[0] if won else None

    def _new_run(
        self,
        target: DigestTarget,
        moment: datetime,
        *,
        key: str | None = None,
        late: bool = False,
        status: str = CLAIMED,
        error: str | None = None,
    ) -> DigestRun:
        """The claim, not yet inserted, on the digest due at `moment` (under `key`, by default
        the moment's period)."""
        return DigestRun(
            scorecard_id=target.scorecard_id,
            channel=target.channel,
            period_key=key or period_key(moment),
            scheduled_for=moment,
            claimed_by=self.clock_id,
            claimed_at=self.now,
            late=late,
            status=status,
            error=error,
        )

    def post(
        self, target: DigestTarget, run: DigestRun, *, late: bool, confirm: bool = True
    ) -> None:
        """Post a claimed digest and its thread reply, and record what happened.

        When Slack's answer is lost and `confirm` holds, Slack is asked at once whether it has
        the digest, and it is posted again only if not.
        """
        try:
            with self.database.reading() as session:
                digest = self._build(session, target)
        except Exception as error:
            logger.exception("Building the digest for %s failed", target.workspace)
            self._write(mark_failed, _id(run), f"could not build the digest: {error!r}")
            self._add(target, run.period_key, FAILED, "could not build the digest")
            return
        try:
            ts = self.poster.post_digest(
                target.workspace, target.channel, digest, period=run.period_key, late=late
            )
        except NotPosted as refusal:
            self._refused(target, run, refusal.code)
            return
        except MaybePosted as lost:
            reason = f"no clear answer from Slack: {lost.reason}"
            self._write(mark_failed, _id(run), reason, UNKNOWN)
            if not confirm:
                self._add(target, run.period_key, ANSWER_LOST, f"{reason}; checked on a later run")
                return
            logger.warning(
                "Digest %s %s: %s; asking Slack", target.workspace, run.period_key, reason
            )
            with self.database.reading() as session:
                unsure = find_run(session, _id(run))
            assert unsure is not None
            self._confirm_then_retry(target, unsure, "the post's answer was lost")
            return
        with self.database.writing() as session:
            mark_posted(session, _id(run), ts, self.now)
        self._post_detail(target, ts, digest)
        self._add(target, run.period_key, LATE if late else POSTED, "", ts)

    def settle_manual(self, target: DigestTarget, run: DigestRun) -> Outcome | None:
        """Settle an unfinished `--now` run; the outcome to report instead of posting, if any."""
        before = len(self.report.outcomes)
        try:
            found_ts = self._find(target, run)
        except CannotConfirm as unsure:
            reason = (
                f"an earlier `scorecard digest --now` ({run.claimed_by}, {run.claimed_at:%H:%M} "
                f"UTC) stopped before recording its post, and Slack's history could not say "
                f"whether it was posted ({unsure.reason}). Not posting, so there is no second "
                "digest: check the channel, and run again to post one"
            )
            status = UNCONFIRMED if unsure.lasting else run.status
            if status != run.status:
                self._write(settle_run, run, status, error=reason)
            return Outcome(target.workspace, target.channel, run.period_key, UNCONFIRMED, reason)
        if found_ts is not None:
            self._recovered(
                target, run, found_ts, "an earlier `scorecard digest --now` had posted it"
            )
            return self.report.outcomes[-1] if len(self.report.outcomes) > before else None
        self._write(settle_run, run, FAILED, error="stopped before posting")
        return None

    # Following up runs an earlier attempt left unposted

    def _follow_up(self, target: DigestTarget, run: DigestRun) -> None:
        """Finish a run an earlier attempt left unposted: refused, answer lost, or abandoned."""
        if run.status == FAILED:
            if self._out_of_time(run):
                self._give_up(target, run, run.error or "Slack refused the post")
            elif self.now >= next_attempt_at(run):
                self._retake_and_post(target, run)
            return
        if run.status == CLAIMED and self.now - run.claimed_at < STALE_CLAIM_AFTER:
            self._add(target, run.period_key, IN_PROGRESS, f"claimed by {run.claimed_by}")
            return
        if run.status == UNKNOWN and self.now < next_attempt_at(run):
            return  # asked again after the backoff
        why = (
            f"{run.claimed_by} stopped between claiming and confirming"
            if run.status == CLAIMED
            else "the post's answer was lost"
        )
        self._confirm_then_retry(target, run, why)

    def _confirm_then_retry(self, target: DigestTarget, run: DigestRun, why: str) -> None:
        """Ask Slack whether the digest of `run` is there; post it only if it is not."""
        try:
            found_ts = self._find(target, run)
        except CannotConfirm as unsure:
            if unsure.lasting or self.now - run.scheduled_for > self.grace:
                reason = (
                    f"{why}; Slack's history could not say whether it was posted "
                    f"({unsure.reason}), so it is not posted again"
                )
                if self._write(settle_run, run, UNCONFIRMED, error=reason):
                    self._add(target, run.period_key, UNCONFIRMED, reason)
                    problem = f"Slack could not say whether it was posted ({unsure.reason})"
                    self._tell_given_up(target, run, problem)
            else:
                reason = f"{why}; Slack's history did not answer ({unsure.reason})"
                self._add(target, run.period_key, ANSWER_LOST, f"{reason}; asked again later")
            return
        if found_ts is not None:
            self._recovered(target, run, found_ts, f"{why}, but Slack has it")
            return
        if self.now - run.scheduled_for > self.grace:
            reason = f"{why}; it is not in Slack, and the grace window has passed"
            if self._write(settle_run, run, SKIPPED, error=reason):
                self._add(target, run.period_key, SKIPPED, reason)
            return
        self._retake_and_post(target, run, confirm=False)

    def _find(self, target: DigestTarget, run: DigestRun) -> str | None:
        since = run.scheduled_for - HISTORY_SLACK
        return self.poster.find_digest(target.workspace, target.channel, run.period_key, since)

    def _recovered(self, target: DigestTarget, run: DigestRun, ts: str, reason: str) -> None:
        """Slack has the digest: record it, and give it the thread reply it never got."""
        if not self._write(settle_run, run, POSTED, message_ts=ts, now=self.now):
            self._add(target, run.period_key, ALREADY_CLAIMED)
            return
        try:
            with self.database.reading() as session:
                digest = self._build(session, target)
            self._post_detail(target, ts, digest)
        except Exception:
            logger.exception("The recovered digest's detail for %s failed", target.channel)
        self._add(target, run.period_key, RECOVERED, reason, ts)

    def _retake_and_post(
        self, target: DigestTarget, run: DigestRun, *, confirm: bool = True
    ) -> None:
        if run.attempts >= MAX_ATTEMPTS:
            self._give_up(target, run, run.error or "too many failed attempts")
            return
        late = self.now - run.scheduled_for > LATE_AFTER
        with self.database.writing() as session:
            won = reclaim_run(session, run, self.clock_id, self.now, late=late)
        if not won:
            self._add(target, run.period_key, ALREADY_CLAIMED)
            return
        self.post(target, run, late=late, confirm=confirm)

    def _out_of_time(self, run: DigestRun) -> bool:
        """No further attempt fits: too many already, or the next falls outside the window."""
        deadline = run.scheduled_for + self.grace
        return run.attempts >= MAX_ATTEMPTS or next_attempt_at(run) > deadline

    def _give_up(self, target: DigestTarget, run: DigestRun, problem: str) -> None:
        reason = f"given up after {run.attempts} attempts: {problem}"
        if not self._write(settle_run, run, GAVE_UP, error=reason):
            return  # another clock gave it up and told them
        self._add(target, run.period_key, GAVE_UP, reason)
        self._tell_given_up(target, run, problem)

    # Refusals and telling people

    def _refused(self, target: DigestTarget, run: DigestRun, code: str) -> None:
        """Slack said no (`code`): nothing was posted. Channel trouble pauses the subscription."""
        subscription = target.subscription
        pause = code in CHANNEL_PROBLEMS and subscription is not None
        with self.database.writing() as session:
            mark_failed(session, _id(run), f"Slack refused the post: {code}")
            if pause:
                assert subscription is not None and subscription.id is not None
                pause_subscription(session, subscription.id, code)
        self._add(target, run.period_key, PAUSED if pause else FAILED, code)
        if not pause:
            return
        assert subscription is not None
        if not subscription.created_by:
            logger.warning(
                "Paused digest %s %s (%s); nobody to tell", target.workspace, target.channel, code
            )
            return
        try:
            self.poster.tell_paused(target.workspace, subscription.created_by, target.channel, code)
        except Exception:
            logger.exception("Could not tell %s that a digest was paused", subscription.created_by)

    def _tell_given_up(self, target: DigestTarget, run: DigestRun, problem: str) -> None:
        subscription = target.subscription
        if subscription is None or not subscription.created_by:
            logger.warning("Gave up digest %s %s; nobody to tell", target.workspace, target.channel)
            return
        try:
            self.poster.tell_given_up(
                target.workspace,
                subscription.created_by,
                target.channel,
                problem.removeprefix("Slack refused the post: "),
                run.scheduled_for,
            )
        except Exception:
            logger.exception(
                "Could not tell %s that a digest was given up", subscription.created_by
            )

    # Small steps

    def _build(self, session: Session, target: DigestTarget) -> Digest:
        return digest_for_channel(
            session, target.scorecard, target.channel, self.now, target.subscription
        )

    def _post_detail(self, target: DigestTarget, ts: str, digest: Digest) -> None:
        """The thread reply. The digest is posted by now, so a failure here is only logged."""
        try:
            self.poster.post_detail(target.workspace, target.channel, ts, digest)
        except Exception:
            logger.exception("The digest's detail for %s could not be posted", target.channel)

    def _write(self, step: Callable[..., T], *arguments: Any, **options: Any) -> T:
        """Run one storage step in its own short write transaction; what it returned."""
        with self.database.writing() as session:
            return step(session, *arguments, **options)

    def _add(
        self,
        target: DigestTarget,
        period: str,
        result: str,
        reason: str = "",
        ts: str | None = None,
    ) -> None:
        self.report.add(Outcome(target.workspace, target.channel, period, result, reason, ts))


def _id(run: DigestRun) -> int:
    assert run.id is not None
    return run.id
