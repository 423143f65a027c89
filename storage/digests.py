"""Digest subscriptions, and the runs that make each scheduled digest happen exactly once.

A run row is the claim: (scorecard, channel, period) is unique, so of two clocks inserting the
same claim one gets the row and the other gets nothing, on SQLite and PostgreSQL alike.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import DigestRun, DigestSubscription, Scorecard, WorkspaceUninstall
from storage.upserts import insert_on_conflict

CLAIMED, POSTED, FAILED, SKIPPED = "claimed", "posted", "failed", "skipped"
# A run whose clock stopped mid-way and whose post Slack could not confirm: never retried.
UNCONFIRMED = "unconfirmed"
# A post sent without a clear answer (a 5xx, a dropped connection): confirmed before any retry.
UNKNOWN = "unknown"
# A run that failed until no retry fit in the grace window; whoever subscribed was told.
GAVE_UP = "given up"
# Runs posted by hand (`scorecard digest --now`) have keys with this prefix: they count as the
# previous digest for "change since", but not as a scheduled period.
MANUAL_PREFIX = "manual:"


# Subscriptions


def subscriptions_of(session: Session, scorecard_id: int) -> Sequence[DigestSubscription]:
    query = select(DigestSubscription).where(DigestSubscription.scorecard_id == scorecard_id)
    return session.exec(query.order_by(DigestSubscription.channel)).all()


def find_subscription(
    session: Session, scorecard_id: int, channel: str
) -> DigestSubscription | None:
    query = select(DigestSubscription).where(
        DigestSubscription.scorecard_id == scorecard_id, DigestSubscription.channel == channel
    )
    return session.exec(query).first()


def subscribe(
    session: Session,
    scorecard_id: int,
    channel: str,
    schedule: str,
    created_by: str | None,
    now: datetime,
    only: tuple[str | None, str | None] = (None, None),
) -> tuple[DigestSubscription, bool]:
    """Add or change a channel's subscription; (subscription, True when it is new). `only` is
    the (filter kind, key) the channel gets; (None, None): the whole scorecard.

    Subscribing again also resumes a paused subscription: someone has fixed the channel.
    """
    subscription = find_subscription(session, scorecard_id, channel)
    created = subscription is None
    if subscription is None:
        subscription = DigestSubscription(
            scorecard_id=scorecard_id,
            channel=channel,
            schedule=schedule,
            created_by=created_by,
            created_at=now,
        )
    else:
        subscription.schedule = schedule
        if created_by:
            subscription.created_by = created_by
    subscription.filter_kind, subscription.filter_key = only
    subscription.paused = False
    subscription.paused_reason = None
    subscription.last_error = None
    session.add(subscription)
    session.flush()
    return subscription, created


def unsubscribe(session: Session, scorecard_id: int, channel: str) -> DigestSubscription | None:
    subscription = find_subscription(session, scorecard_id, channel)
    if subscription is not None:
        session.delete(subscription)
        session.flush()
    return subscription


def pause_subscription(session: Session, subscription_id: int, reason: str) -> None:
    subscription = session.get(DigestSubscription, subscription_id)
    if subscription is not None:
        subscription.paused = True
        subscription.paused_reason = reason
        subscription.last_error = reason
        session.add(subscription)


def active_subscription_ids(session: Session) -> list[int]:
    """Every subscription that is not paused, workspace by workspace, in workspaces that have
    not removed the app."""
    query = (
        select(DigestSubscription.id)
        .join(Scorecard, col(DigestSubscription.scorecard_id) == Scorecard.id)
        .outerjoin(WorkspaceUninstall, col(WorkspaceUninstall.workspace) == Scorecard.workspace)
        .where(col(DigestSubscription.paused).is_(False))
        .where(col(WorkspaceUninstall.workspace).is_(None))
        .order_by(Scorecard.workspace, DigestSubscription.channel)
    )
    return [subscription_id for subscription_id in session.exec(query).all() if subscription_id]


def take_subscriptions(
    session: Session, ids: Sequence[int]
) -> list[tuple[Scorecard, DigestSubscription]]:
    """The active subscriptions among `ids`, locked for this transaction, leaving out those
    another transaction holds (PostgreSQL's FOR UPDATE SKIP LOCKED): of two clocks claiming at
    once, each takes different subscriptions and neither waits. SQLite has one writer at a
    time anyway and ignores the clause."""
    query = (
        select(Scorecard, DigestSubscription)
        .join(DigestSubscription, col(DigestSubscription.scorecard_id) == Scorecard.id)
        .where(col(DigestSubscription.id).in_(ids), col(DigestSubscription.paused).is_(False))
        .order_by(Scorecard.workspace, DigestSubscription.channel)
        .with_for_update(skip_locked=True, of=DigestSubscription)
    )
    return [(row[0], row[1]) for row in session.exec(query).all()]


# Runs


def claim_digest(
    session: Session,
    *,
    scorecard_id: int,
    channel: str,
    period_key: str,
    scheduled_for: datetime,
    clock_id: str,
    now: datetime,
    late: bool = False,
    status: str = CLAIMED,
    error: str | None = None,
) -> DigestRun | None:
    """Insert the claim for one digest, or None when some clock already holds it (as
    `claim_digests` does for many). Commit the claim before posting: the claim is what stops a
    second clock."""
    run = DigestRun(
        scorecard_id=scorecard_id,
        channel=channel,
        period_key=period_key,
        scheduled_for=scheduled_for,
        claimed_by=clock_id,
        claimed_at=now,
        late=late,
        status=status,
        error=error,
    )
    won = claim_digests(session, [run])
    return won[0] if won else None


def claim_digests(session: Session, runs: Sequence[DigestRun]) -> list[DigestRun]:
    """Insert the claims `runs` (new, unsaved runs); the ones inserted, in the order given.

    One INSERT … ON CONFLICT DO NOTHING RETURNING for them all, so a lost race leaves the
    caller's transaction usable and a batch of claims costs one statement, without the ORM's
    unit of work. A run left out is held already (by another clock, an earlier run, or an
    earlier entry of `runs` with the same key). Those inserted get their `id`; they are not
    added to the session. Commit the claims before posting: the claim is what stops a second
    clock.
    """
    if not runs:
        return []
    rows = [{name: getattr(run, name) for name in _CLAIM_FIELDS} for run in runs]
    table = DigestRun.__table__
    statement = (
        insert_on_conflict(session, table)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.scorecard_id, table.c.channel, table.c.period_key)
    )
    # Executed with many rows, SQLAlchemy sends them as multi-row VALUES pages ("insertmanyvalues").
    inserted = {
        (scorecard_id, channel, key): run_id
        for run_id, scorecard_id, channel, key in session.connection().execute(statement, rows)
    }
    won = []
    for run in runs:
        run_id = inserted.pop((run.scorecard_id, run.channel, run.period_key), None)
        if run_id is not None:
            run.id = run_id
            won.append(run)
    return won


_CLAIM_FIELDS = (
    "scorecard_id",
    "channel",
    "period_key",
    "scheduled_for",
    "claimed_by",
    "claimed_at",
    "posted_at",
    "message_ts",
    "late",
    "status",
    "attempts",
    "error",
)


def reclaim_run(
    session: Session, run: DigestRun, clock_id: str, now: datetime, *, late: bool = True
) -> bool:
    """Take over a run another attempt left behind; True only for the one clock that wins.

    Compare and set: the update matches only while the run is exactly as `run` saw it.
    """
    result = session.execute(
        update(DigestRun)
        .where(
            col(DigestRun.id) == run.id,
            col(DigestRun.status) == run.status,
            col(DigestRun.claimed_by) == run.claimed_by,
            col(DigestRun.claimed_at) == run.claimed_at,
            col(DigestRun.posted_at).is_(None),
        )
        .values(
            status=CLAIMED,
            claimed_by=clock_id,
            claimed_at=now,
            late=late,
            attempts=DigestRun.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def settle_run(
    session: Session,
    run: DigestRun,
    status: str,
    *,
    error: str | None = None,
    message_ts: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Move a run that was left unfinished to `status`; True only for the one clock that does.

    Compare and set, like `reclaim_run`: two clocks confirming the same run never both act on it.
    """
    values: dict[str, object] = {"status": status, "error": error[:500] if error else None}
    if status == POSTED:
        values.update(posted_at=now, message_ts=message_ts)
    result = session.execute(
        update(DigestRun)
        .where(
            col(DigestRun.id) == run.id,
            col(DigestRun.status) == run.status,
            col(DigestRun.claimed_by) == run.claimed_by,
            col(DigestRun.claimed_at) == run.claimed_at,
            col(DigestRun.posted_at).is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_posted(session: Session, run_id: int, message_ts: str, now: datetime) -> None:
    session.execute(
        update(DigestRun)
        .where(col(DigestRun.id) == run_id)
        .values(status=POSTED, posted_at=now, message_ts=message_ts, error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, run_id: int, error: str, status: str = FAILED) -> None:
    session.execute(
        update(DigestRun)
        .where(col(DigestRun.id) == run_id)
        .values(status=status, error=error[:500])
        .execution_options(synchronize_session=False)
    )


def note_error(session: Session, run_id: int, error: str) -> None:
    """Remember what went wrong without changing the run's status."""
    session.execute(
        update(DigestRun)
        .where(col(DigestRun.id) == run_id)
        .values(error=error[:500])
        .execution_options(synchronize_session=False)
    )


def latest_scheduled_runs(
    session: Session, scorecard_ids: Sequence[int]
) -> dict[tuple[int, str], DigestRun]:
    """The run for the newest scheduled period of every channel of these scorecards, whatever
    became of it, by (scorecard id, channel), in one query."""
    newest_first = func.row_number().over(
        partition_by=(DigestRun.scorecard_id, DigestRun.channel),
        order_by=(col(DigestRun.scheduled_for).desc(), col(DigestRun.id).desc()),
    )
    ranked = (
        select(col(DigestRun.id).label("run_id"), newest_first.label("rank"))
        .where(col(DigestRun.scorecard_id).in_(scorecard_ids))
        .where(~col(DigestRun.period_key).startswith(MANUAL_PREFIX))
        .subquery()
    )
    query = (
        select(DigestRun)
        .join(ranked, col(DigestRun.id) == ranked.c.run_id)
        .where(ranked.c.rank == 1)
    )
    return {(run.scorecard_id, run.channel): run for run in session.exec(query).all()}


def find_run(session: Session, run_id: int) -> DigestRun | None:
    return session.get(DigestRun, run_id)


def unfinished_manual_runs(
    session: Session, scorecard_id: int, channel: str, since: datetime
) -> list[DigestRun]:
    """Runs of `scorecard digest --now` claimed since `since` that never recorded their post,
    newest first: the process stopped, or Slack's answer was lost."""
    query = (
        select(DigestRun)
        .where(DigestRun.scorecard_id == scorecard_id, DigestRun.channel == channel)
        .where(col(DigestRun.period_key).startswith(MANUAL_PREFIX))
        .where(col(DigestRun.status).in_((CLAIMED, UNKNOWN)), col(DigestRun.posted_at).is_(None))
        .where(col(DigestRun.claimed_at) >= since)
        .order_by(col(DigestRun.claimed_at).desc())
    )
    return list(session.exec(query).all())


def latest_posted_at(
    session: Session, scorecard_id: int, channel: str, before: datetime | None = None
) -> datetime | None:
    """When the channel last got a digest: the "since" of the next one's changes."""
    query = select(func.max(DigestRun.posted_at)).where(
        DigestRun.scorecard_id == scorecard_id,
        DigestRun.channel == channel,
        DigestRun.status == POSTED,
    )
    if before is not None:
        query = query.where(col(DigestRun.posted_at) < before)
    return session.exec(query).one()
