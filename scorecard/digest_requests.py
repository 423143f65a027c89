"""What a caller can ask about digests (`/kpi digest …`), each in its own short session."""

from scorecard.caller import Caller
from scorecard.digest import Digest
from scorecard.digest_subscriptions import (
    SubscriptionView,
    list_subscriptions,
    preview_digest,
    subscribe_channel,
    unsubscribe_channel,
)


def subscribe_here(caller: Caller, schedule_text: str) -> SubscriptionView:
    """`/kpi digest here [schedule]`, in the caller's channel."""
    with caller.database.writing() as session:
        return subscribe_channel(
            session, caller.workspace, caller.channel or "", schedule_text, caller.user, caller.now
        )


def subscribed_channels(caller: Caller) -> list[SubscriptionView]:
    """`/kpi digest list`."""
    with caller.database.reading() as session:
        return list_subscriptions(session, caller.workspace, caller.now)


def unsubscribe_here(caller: Caller) -> SubscriptionView:
    """`/kpi digest off`, in the caller's channel."""
    with caller.database.writing() as session:
        return unsubscribe_channel(session, caller.workspace, caller.channel or "", caller.now)


def digest_preview(caller: Caller) -> Digest:
    """`/kpi digest preview`: the digest as the caller's channel would get it now."""
    with caller.database.reading() as session:
        return preview_digest(session, caller.workspace, caller.channel or "", caller.now)
