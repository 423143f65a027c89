"""The results as readable tables on the terminal, and as JSON for comparing runs."""

import json
from pathlib import Path

COLUMNS = {
    "latency": [
        ("database", "db"),
        ("server", "server"),
        ("command", "command"),
        ("concurrency", "c"),
        ("per_second", "req/s"),
        ("p50_ms", "p50 ms"),
        ("p95_ms", "p95 ms"),
        ("p99_ms", "p99 ms"),
        ("server_cpu_ms", "server CPU ms/req"),
        ("errors", "errors"),
        ("vs_bare_inline", "x inline"),
        ("vs_bare_default", "x default"),
    ],
    "growth": [
        ("database", "db"),
        ("kpis", "KPIs"),
        ("readings", "readings"),
        ("actions", "actions"),
        ("command", "command"),
        ("median_ms", "median ms"),
        ("p95_ms", "p95 ms"),
        ("statements", "SQL/cmd"),
        ("errors", "errors"),
    ],
    "digest": [
        ("database", "db"),
        ("kpis", "KPIs"),
        ("readings", "readings"),
        ("build_seconds", "build s"),
        ("render_seconds", "render s"),
        ("peak_mb", "peak MB"),
        ("statements", "SQL"),
        ("note", "note"),
    ],
    "sweep": [
        ("database", "db"),
        ("actions", "actions"),
        ("seconds", "seconds"),
        ("messages", "messages"),
        ("items", "items"),
        ("statements", "SQL"),
        ("failed", "failed"),
    ],
    "clocks": [
        ("database", "db"),
        ("workspaces", "workspaces"),
        ("clocks", "clocks"),
        ("last_post_seconds", "s to last digest"),
        ("per_second", "digests/s"),
        ("duplicates", "duplicates"),
        ("missed", "missed"),
        ("errors", "errors"),
    ],
    "import": [
        ("database", "db"),
        ("rows", "rows"),
        ("run", "run"),
        ("seconds", "seconds"),
        ("peak_mb", "peak MB"),
        ("longest_lock_wait_s", "writer wait s"),
        ("exit", "exit"),
    ],
}
TITLES = {
    "latency": "1. Command latency over HTTP (waitress, keep-alive, signed requests)",
    "growth": "2. Growth: time and SQL statements per command, in-process",
    "digest": "3a. Digest build (a year of daily readings per KPI)",
    "sweep": "3b. Nudge sweep (real sweep against the Slack stand-in)",
    "clocks": "4. Monday 09:00: one digest per workspace due at once, 1-4 clock processes",
    "import": "5. Readings CSV import (own process; the longest another writer waited)",
}


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")


def print_report(results: dict) -> None:
    machine = results["machine"]
    print(
        f"\nScorecard benchmarks, {results['mode']} run, {results['started']}: "
        f"{machine['cpus']} CPUs, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"WEB_CONCURRENCY {machine['web_concurrency']}, WEB_THREADS {machine['web_threads']}"
    )
    for name, section in results["sections"].items():
        print(f"\n{TITLES[name]} [{section.get('seconds', '?')} s]")
        print(format_table(section["rows"], COLUMNS[name]))
    print("\nTargets")
    for target in results["targets"]:
        verdict = {True: "met", False: "NOT met", None: "not checked"}[target["met"]]
        note = f"  ({target['note']})" if target["note"] else ""
        print(f"  [{verdict:^11}] {target['target']}: {target['measured']}{note}")


def format_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    columns = [(key, title) for key, title in columns if any(key in row for row in rows)]
    cells = [[title for _, title in columns]]
    cells += [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max(len(line[n]) for line in cells) for n in range(len(columns))]
    lines = []
    for number, line in enumerate(cells):
        lines.append(
            "  " + "  ".join(_align(text, width) for text, width in zip(line, widths, strict=True))
        )
        if number == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _align(text: str, width: int) -> str:
    return text.rjust(width) if text[:1].isdigit() or text[:1] == "-" else text.ljust(width)
