"""The bench's slash commands, built and signed by the same code the console and tests use."""

from bot.signed_requests import signed_headers as signed_request_headers
from bot.signed_requests import slash_command_form

SIGNING_SECRET = "bench-signing-secret"
WORKSPACE = "T0BENCH"


def slash_command_body(command: str, text: str, user: str, team: str = WORKSPACE) -> str:
    return slash_command_form(command, text, team_id=team, user_id=user, channel_id="C0BENCH")


def signed_headers(body: str) -> dict[str, str]:
    return signed_request_headers(body, SIGNING_SECRET)


def command_text(kind: str, number: int, kpis: int, actions: int) -> tuple[str, str]:
    """The slash command and text for one of the benchmarked commands, on item `number`."""
    if kind == "kpi log":
        return "/kpi", f"log kpi_{number % kpis} {100 + number % 50}"
    if kind == "kpi show":
        return "/kpi", f"show kpi_{number % kpis}"
    if kind == "why":
        return "/why", f"action_{number % max(actions, 1)}"
    raise ValueError(f"unknown command kind {kind!r}")
