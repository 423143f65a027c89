"""Which Web API client acts for a workspace, for code that runs outside a Slack request.

The clock and the CLI are handed either one `WebClient` (single-workspace mode, SLACK_BOT_TOKEN)
or a source of clients per workspace (`bot.slack_clients.WorkspaceClients`, OAuth mode), and ask
here for the one that acts for the workspace at hand.
"""

from typing import Protocol

from slack_sdk import WebClient

from scorecard.posting import NotPosted

# Why a post for a workspace could not be made: the app has no token there (not installed).
NOT_INSTALLED = "not_installed"


class Clients(Protocol):
    def client_for(self, workspace: str) -> WebClient | None:
        """A client with `workspace`'s bot token; None when the app is not installed there."""
        ...


ClientSource = WebClient | Clients


def acting_client(source: ClientSource, workspace: str) -> WebClient | None:
    """The client that acts for `workspace`: the one client, or the workspace's own (None when
    the app is not installed there, so nothing may be posted)."""
    return source if isinstance(source, WebClient) else source.client_for(workspace)


def client_to_post_with(source: ClientSource, workspace: str) -> WebClient:
    """`acting_client` for a post: NotPosted(NOT_INSTALLED) where the app is not installed."""
    client = acting_client(source, workspace)
    if client is None:
        raise NotPosted(NOT_INSTALLED)
    return client
