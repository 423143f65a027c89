"""Command latency through the real HTTP stack: our app and two bare Bolt apps under waitress."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

from bench.databases import temporary_database
from bench.loadgen import CLIENT_PROCESSES, TRIGGER_MARK, LoadResult, Payload, run_load
from bench.servers import RunningServer, start_bare, start_scorecard
from bench.signing import SIGNING_SECRET, WORKSPACE, command_text, slash_command_body
from bench.sizes import ALL_COMMANDS, Sizes
from bench.synthetic import add_actions, build_scorecard, grow_readings
from bot.http import SLACK_PATH

PAYLOADS = 256
USERS = 50
BARE_MODES = ("default", "inline")
COMPARED_COMMAND = "kpi log"


def run_latency(database_kinds: list[str], sizes: Sizes, api_url: str) -> list[dict]:
    rows: list[dict] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(CLIENT_PROCESSES, mp_context=context) as pool:
        for mode in BARE_MODES:
            server = start_bare(mode, api_url)
            try:
                for concurrency in sizes.concurrencies:
                    result = _load(pool, server, COMPARED_COMMAND, concurrency, sizes)
                    rows.append(_row("-", f"bare {mode}", COMPARED_COMMAND, result))
            finally:
                server.stop()
        for kind in database_kinds:
            rows.extend(_our_app(pool, kind, sizes, api_url))
    _add_ratios(rows)
    return rows


def _our_app(pool: ProcessPoolExecutor, kind: str, sizes: Sizes, api_url: str) -> list[dict]:
    rows = []
    now = datetime.now(UTC)  # the server runs on the real clock
    commands = ALL_COMMANDS if kind == "sqlite" else sizes.latency_commands_postgres
    with temporary_database(kind) as database:
        scorecard = build_scorecard(database, WORKSPACE, sizes.latency_kpis, now)
        grow_readings(scorecard, sizes.latency_readings)
        add_actions(scorecard, sizes.latency_actions, now)
        database.dispose()
        server = start_scorecard(database.url, api_url)
        try:
            for command in commands:
                for concurrency in sizes.concurrencies:
                    result = _load(pool, server, command, concurrency, sizes)
                    rows.append(_row(kind, "scorecard", command, result))
        finally:
            server.stop()
    return rows


def _load(
    pool: ProcessPoolExecutor, server: RunningServer, command: str, concurrency: int, sizes: Sizes
) -> LoadResult:
    result = run_load(
        pool,
        server.port,
        SLACK_PATH,
        _payloads(command, sizes),
        SIGNING_SECRET,
        concurrency,
        sizes.load_seconds,
        sizes.warmup_seconds,
        server.cpu_seconds,
    )
    print(
        f"  latency {command:8} c={concurrency:<3} {result.per_second:8.0f} req/s  "
        f"p50 {result.percentile_ms(0.5):6.1f} ms  p99 {result.percentile_ms(0.99):6.1f} ms"
        f"  server CPU {result.server_cpu_ms_per_request or 0:5.2f} ms/req"
        f"  errors {result.errors}",
        flush=True,
    )
    return result


def _payloads(command: str, sizes: Sizes) -> list[Payload]:
    """Bodies to sign as they are sent, each send with a trigger_id of its own (bench.loadgen)."""
    payloads = []
    for number in range(PAYLOADS):
        slash, text = command_text(command, number, sizes.latency_kpis, sizes.latency_actions)
        body = slash_command_body(slash, text, f"U{number % USERS:04d}", TRIGGER_MARK.decode())
        payloads.append(body.encode())
    return payloads


def _row(database: str, server: str, command: str, result: LoadResult) -> dict:
    return {
        "database": database,
        "server": server,
        "command": command,
        "concurrency": result.concurrency,
        "requests": result.requests,
        "errors": result.errors,
        "per_second": round(result.per_second, 1),
        "p50_ms": round(result.percentile_ms(0.50), 2),
        "p95_ms": round(result.percentile_ms(0.95), 2),
        "p99_ms": round(result.percentile_ms(0.99), 2),
        "server_cpu_ms": _rounded(result.server_cpu_ms_per_request),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _add_ratios(rows: list[dict]) -> None:
    """Our throughput as a multiple of each bare app's, at the same concurrency."""
    bare = {(row["server"], row["concurrency"]): row["per_second"] for row in rows}
    for row in rows:
        if row["server"] != "scorecard":
            continue
        for mode in BARE_MODES:
            base = bare.get((f"bare {mode}", row["concurrency"]))
            row[f"vs_bare_{mode}"] = round(row["per_second"] / base, 2) if base else None
