"""/kpi digest: which channels get the scorecard digest, and when."""

from handlers.commands import Message, Request, SlashCommand, Subcommand, split_verb
from scorecard.digest_subscriptions import (
    list_subscriptions,
    preview_digest,
    subscribe_channel,
    unsubscribe_channel,
)
from templates import render


def subscribe_here(request: Request) -> Message:
    with request.database.writing() as session:
        view = subscribe_channel(
            session, request.workspace, request.channel, request.text, request.user, request.now
        )
    outcome = "subscribed" if view.created else "changed"
    return render(
        "digest_subscriptions", outcome=outcome, subscription=view, today=request.now.date()
    )


def list_channels(request: Request) -> Message:
    with request.database.reading() as session:
        views = list_subscriptions(session, request.workspace, request.now)
    return render(
        "digest_subscriptions", outcome="list", subscriptions=views, today=request.now.date()
    )


def turn_off(request: Request) -> Message:
    with request.database.writing() as session:
        view = unsubscribe_channel(session, request.workspace, request.channel, request.now)
    return render(
        "digest_subscriptions", outcome="off", subscription=view, today=request.now.date()
    )


def preview(request: Request) -> Message:
    """The digest as it would be posted now; the reply is ephemeral, so only the caller sees it."""
    with request.database.reading() as session:
        digest = preview_digest(session, request.workspace, request.channel, request.now)
    return render("digest", digest=digest, late=False, today=digest.today)


DIGEST = SlashCommand(
    "/kpi digest",
    "Digests: the scorecard in a channel on a schedule",
    [
        Subcommand(
            "here",
            "/kpi digest here [schedule]",
            "/kpi digest here every 2 weeks on friday at 16:00",
            "Post the digest in this channel (default: weekly, Monday 09:00).",
            subscribe_here,
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


def run_digest_command(request: Request) -> Message:
    return DIGEST.dispatch(request, default="list")


# The entry in /kpi's table of subcommands.
DIGEST_SUBCOMMAND = Subcommand(
    "digest",
    "/kpi digest here|list|off|preview [schedule]",
    "/kpi digest here weekly mon 09:00",
    "Post the scorecard digest in this channel on a schedule; list, stop or preview it.",
    run_digest_command,
    aliases=("digests",),
)
