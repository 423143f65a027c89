"""The bench's slash commands, built and signed by the same code the console and tests use."""

from bench.synthetic import KPI_KINDS
from bot.signed_requests import signed_headers as signed_request_headers
from bot.signed_requests import slash_command_form

SIGNING_SECRET = "bench-signing-secret"
WORKSPACE = "T0BENCH"


def slash_command_body(
    command: str, text: str, user: str, trigger_id: str = "", team: str = WORKSPACE
) -> str:
    return slash_command_form(
        command, text, team_id=team, user_id=user, channel_id="C0BENCH", trigger_id=trigger_id
    )


def signed_headers(body: str) -> dict[str, str]:
    return signed_request_headers(body, SIGNING_SECRET)


def command_text(kind: str, number: int, kpis: int, actions: int) -> tuple[str, str]:
    """The slash command and text for one of the benchmarked commands, on item `number`."""
    if kind == "kpi log":
        return "/kpi", f"log kpi_{number % kpis} {typical_value(number % kpis, number)}"
    if kind == "kpi show":
        return "/kpi", f"show kpi_{number % kpis}"
    if kind == "why":
        return "/why", f"action_{number % max(actions, 1)}"
    raise ValueError(f"unknown command kind {kind!r}")


def typical_value(kpi: int, number: int) -> str:
    """A value as a person would type it for synthetic KPI `kpi`: near its target, with its unit.

    Near enough that it is stored at once: a percent KPI given a bare number, or a value far from
    today's, is asked about instead (scorecard/kpi_log.py), and that is not what is measured here.
    """
    _name, unit, _baseline, target, _direction = KPI_KINDS[kpi % len(KPI_KINDS)]
    value = f"{round(target * (1 + (number % 7 - 3) / 100), 2):g}"
    if unit == "€":
        return f"€{value}"
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}".strip()
