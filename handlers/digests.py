"""/kpi digest: which channels get the scorecard digest, and when."""

from handlers.commands import Message, SlashCommand, Subcommand, split_verb
from scorecard.caller import Caller
from scorecard.digest_requests import (
    digest_preview,
    subscribe_here,
    subscribed_channels,
    unsubscribe_here,
)
from templates import render


def subscribe(caller: Caller, text: str) -> Message:
    view = subscribe_here(caller, text)
    outcome = "subscribed" if view.created else "changed"
    return render(
        "digest_subscriptions", outcome=outcome, subscription=view, today=caller.now.date()
    )


def list_channels(caller: Caller, text: str) -> Message:
    views = subscribed_channels(caller)
    return render(
        "digest_subscriptions", outcome="list", subscriptions=views, today=caller.now.date()
    )


def turn_off(caller: Caller, text: str) -> Message:
    view = unsubscribe_here(caller)
    return render("digest_subscriptions", outcome="off", subscription=view, today=caller.now.date())


def preview(caller: Caller, text: str) -> Message:
    """The digest as it would be posted now; the reply is ephemeral, so only the caller sees it."""
    digest = digest_preview(caller)
    return render("digest", digest=digest, late=False, today=digest.today)


DIGEST = SlashCommand(
    "/kpi digest",
    "Digests: the scorecard in a channel on a schedule",
    [
        Subcommand(
            "here",
            "/kpi digest here [schedule] [for perspective|objective|theme]",
            "/kpi digest here every 2 weeks on friday at 16:00 for customer",
            "Post the digest in this channel (default: weekly, Monday 09:00), all of the "
            "scorecard or just the part named after `for`.",
            subscribe,
            aliases=("on", "subscribe"),
        ),
        Subcommand(
            "list",
            "/kpi digest list",
            "/kpi digest list",
            "The channels that get the digest, and when.",
            list_channels,
            aliases=("ls", "channels"),
        ),
        Subcommand(
            "off",
            "/kpi digest off",
            "/kpi digest off",
            "Stop the digest in this channel.",
            turn_off,
            aliases=("stop", "unsubscribe"),
        ),
        Subcommand(
            "preview",
            "/kpi digest preview",
            "/kpi digest preview",
            "See the digest now, just you.",
            preview,
            aliases=("show", "now"),
        ),
    ],
)


def is_preview(text: str) -> bool:
    """`/kpi digest preview` builds the whole digest: too slow to answer inside the request."""
    verb, _ = split_verb(text)
    subcommand = DIGEST.find(verb)
    return subcommand is not None and subcommand.run is preview


def run_digest_command(caller: Caller, text: str) -> Message:
    return DIGEST.dispatch(caller, text, default="list")


# The entry in /kpi's table of subcommands.
DIGEST_SUBCOMMAND = Subcommand(
    "digest",
    "/kpi digest here|list|off|preview [schedule] [for part]",
    "/kpi digest here weekly mon 09:00",
    "Post the scorecard digest in this channel on a schedule; list, stop or preview it.",
    run_digest_command,
    aliases=("digests",),
)
