"""`python -m bench [--quick] [--database sqlite|postgresql|both] [--only ...] [--output FILE]`."""

import argparse
import logging
import platform
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.databases import POSTGRESQL, SQLITE, postgres_reachable, postgres_url
from bench.report import print_report, write_json
from bench.sizes import FULL, QUICK, Sizes
from bench.targets import check_targets

SECTIONS = ("latency", "growth", "digest", "sweep", "clocks", "import")
RESULTS = Path(__file__).resolve().parent / "results"
# A Tuesday morning: nudges go out in working hours, so the in-process clock is fixed here.
BENCH_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks: command latency over HTTP against bare Bolt apps, growth with "
        "data size, digest build and nudge sweep, on SQLite and PostgreSQL.",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, under a minute")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        help="default: both when PostgreSQL (BENCH_POSTGRES_URL) answers, else sqlite",
    )
    parser.add_argument(
        "--only", help=f"comma-separated sections to run (default: all of {','.join(SECTIONS)})"
    )
    parser.add_argument(
        "--output", type=Path, help="JSON file (default: bench/results/<time>.json)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sections = _sections(arguments.only)
    databases = _databases(arguments.database)
    sizes = QUICK if arguments.quick else FULL
    started = time.monotonic()
    results: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if arguments.quick else "full",
        "databases": databases,
        "machine": _machine(),
        "skipped_in_quick": list(sizes.skipped),
        "sections": {},
    }
    print(f"Benchmarking on {', '.join(databases)} ({results['mode']} run)", flush=True)
    for line in sizes.skipped:
        print(f"  quick run: {line}")
    run_sections(results["sections"], sections, databases, sizes)
    results["seconds"] = round(time.monotonic() - started, 1)
    results["targets"] = check_targets(results["sections"])
    output = arguments.output or RESULTS / f"{datetime.now():%Y%m%d-%H%M%S}.json"
    write_json(results, output)
    print_report(results)
    print(f"\nWritten to {output} ({results['seconds']} s in all)")
    return 0


def run_sections(out: dict, sections: list[str], databases: list[str], sizes: Sizes) -> None:
    from bot.slack_standin import SlackStandIn

    api = SlackStandIn().start()
    try:
        for section in sections:
            started = time.monotonic()
            out[section] = _run_section(section, databases, sizes, api.api_url)
            out[section]["seconds"] = round(time.monotonic() - started, 1)
    finally:
        api.stop()


def _run_section(section: str, databases: list[str], sizes: Sizes, api_url: str) -> dict:
    if section == "latency":
        from bench.latency import run_latency

        print("Latency over HTTP (waitress)", flush=True)
        return {"rows": run_latency(databases, sizes, api_url)}
    if section == "growth":
        from bench.growth import run_growth

        print("Growth (in-process, through the WSGI app)", flush=True)
        return {"rows": [r for db in databases for r in run_growth(db, sizes, BENCH_NOW, api_url)]}
    if section == "digest":
        from bench.digests import run_digests

        print("Digests (in-process)", flush=True)
        return {"rows": [r for db in databases for r in run_digests(db, sizes, BENCH_NOW)]}
    if section == "clocks":
        from bench.clocks import run_clocks

        print("Clocks (processes, the stand-in answering after 100 ms)", flush=True)
        return {"rows": [r for db in databases for r in run_clocks(db, sizes == QUICK)]}
    if section == "import":
        from bench.imports import run_imports

        print("Readings CSV import (the real command, a process of its own)", flush=True)
        return {
            "rows": [r for db in databases for r in run_imports(db, sizes.import_rows, BENCH_NOW)]
        }
    from bench.sweeps import run_sweeps

    print("Sweeps (in-process)", flush=True)
    return {"rows": [r for db in databases for r in run_sweeps(db, sizes, BENCH_NOW, api_url)]}


def _sections(only: str | None) -> list[str]:
    if not only:
        return list(SECTIONS)
    chosen = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}; choose from {SECTIONS}")
    return chosen


def _databases(choice: str | None) -> list[str]:
    if choice == "sqlite":
        return [SQLITE]
    reachable = postgres_reachable()
    if choice in ("postgresql", "both") and not reachable:
        raise SystemExit(f"PostgreSQL at {postgres_url()} does not answer (set BENCH_POSTGRES_URL)")
    if choice == "postgresql":
        return [POSTGRESQL]
    if choice is None and not reachable:
        print(f"PostgreSQL at {postgres_url()} does not answer: SQLite only")
        return [SQLITE]
    return [SQLITE, POSTGRESQL]


def _machine() -> dict:
    import os

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "web_concurrency": os.environ.get("WEB_CONCURRENCY", "default (1)"),
        "web_threads": os.environ.get("WEB_THREADS", "default (8)"),
    }
