"""Which channels get the digest and when: /kpi digest here, list, off and preview."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scorecard.digest import Digest, build_digest
from scorecard.digest_filter import DigestFilter, resolve_filter, split_for, stored_filter
from scorecard.errors import UserError
from scorecard.schedules import Schedule, next_occurrence, parse_schedule
from scorecard.workspace import local_today, require_scorecard
from storage.digests import (
    find_subscription,
    latest_posted_at,
    subscribe,
    subscriptions_of,
    unsubscribe,
)
from storage.models import DigestSubscription, Scorecard


@dataclass(frozen=True)
class SubscriptionView:
    subscription: DigestSubscription
    schedule: Schedule
    next_at: datetime | None  # in the scorecard's time zone
    last_posted_at: datetime | None = None
    created: bool = False
    focus: DigestFilter | None = None  # None: the whole scorecard

    @property
    def channel(self) -> str:
        return self.subscription.channel


def subscribe_channel(
    session: Session, workspace: str, channel: str, text: str, user: str, now: datetime
) -> SubscriptionView:
    """`/kpi digest here [schedule] [for part]`: subscribe the channel, or change its schedule
    and the part of the scorecard it gets (without `for`: all of it)."""
    scorecard = require_scorecard(session, workspace)
    if not channel:
        raise UserError("Run `/kpi digest here` in the channel that should get the digest.")
    schedule_text, part = split_for(text)
    schedule = parse_schedule(schedule_text)
    again = " ".join(["digest here", *schedule_text.split(), "for"])
    focus = resolve_filter(session, scorecard, part, again) if part else None
    only = (focus.kind, focus.key) if focus else (None, None)
    subscription, created = subscribe(
        session, _id(scorecard), channel, schedule.canonical(), user, now, only
    )
    return _view(scorecard, subscription, schedule, now, created=created, focus=focus)


def list_subscriptions(session: Session, workspace: str, now: datetime) -> list[SubscriptionView]:
    scorecard = require_scorecard(session, workspace)
    return [
        _view(
            scorecard,
            subscription,
            parse_schedule(subscription.schedule),
            now,
            last_posted_at=latest_posted_at(session, _id(scorecard), subscription.channel),
            focus=stored_filter(
                session, scorecard, subscription.filter_kind, subscription.filter_key
            ),
        )
        for subscription in subscriptions_of(session, _id(scorecard))
    ]


def unsubscribe_channel(
    session: Session, workspace: str, channel: str, now: datetime
) -> SubscriptionView:
    """`/kpi digest off`: the channel stops getting the digest."""
    scorecard = require_scorecard(session, workspace)
    subscription = unsubscribe(session, _id(scorecard), channel)
    if subscription is None:
        raise UserError(
            "This channel doesn't get the digest, so there is nothing to turn off. "
            "`/kpi digest list` shows the channels that do."
        )
    return _view(scorecard, subscription, parse_schedule(subscription.schedule), now)


def preview_digest(session: Session, workspace: str, channel: str, now: datetime) -> Digest:
    """The digest as it would be posted now, changes measured from this channel's last one."""
    return digest_for_channel(session, require_scorecard(session, workspace), channel, now)


def digest_for_channel(
    session: Session,
    scorecard: Scorecard,
    channel: str,
    now: datetime,
    subscription: DigestSubscription | None = None,
) -> Digest:
    """The scorecard's digest for `channel` at `now`: changes since the channel's last digest,
    narrowed to the part of the scorecard the channel's subscription is for, if any.

    `subscription`: the channel's subscription when the caller holds it already (the clock
    does); looked up otherwise."""
    since = latest_posted_at(session, _id(scorecard), channel) if channel else None
    if subscription is None and channel:
        subscription = find_subscription(session, _id(scorecard), channel)
    only = None
    if subscription is not None:
        only = stored_filter(session, scorecard, subscription.filter_kind, subscription.filter_key)
    return build_digest(session, scorecard, now, since, only)


def subscription_anchor(scorecard: Scorecard, subscription: DigestSubscription) -> date:
    """The local date "every N weeks" counts from: the day the subscription was made."""
    return local_today(scorecard, subscription.created_at)


def _view(
    scorecard: Scorecard,
    subscription: DigestSubscription,
    schedule: Schedule,
    now: datetime,
    *,
    created: bool = False,
    last_posted_at: datetime | None = None,
    focus: DigestFilter | None = None,
) -> SubscriptionView:
    zone = ZoneInfo(scorecard.timezone)
    upcoming = next_occurrence(schedule, zone, now, subscription_anchor(scorecard, subscription))
    next_at = upcoming.astimezone(zone) if upcoming else None
    last = last_posted_at.astimezone(zone) if last_posted_at else None
    return SubscriptionView(subscription, schedule, next_at, last, created, focus)


def _id(scorecard: Scorecard) -> int:
    assert scorecard.id is not None
    return scorecard.id
