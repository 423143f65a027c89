"""The issue's targets, checked against what was measured: met, NOT met, or not measured."""

LATENCY_DB = "sqlite"
FULL_GROWTH_READINGS = 1_000_000
BASE_GROWTH_READINGS = 1_000
GROWTH_LIMIT = 1.5
DIGEST_KPIS, DIGEST_SECONDS, DIGEST_MB = 5_000, 1.0, 200.0
SWEEP_ACTIONS, SWEEP_SECONDS = 100_000, 2.0
P99_LIMIT_MS = 50.0
CLOCK_WORKSPACES, CLOCK_COUNT, CLOCK_SECONDS = 10_000, 2, 120.0
IMPORT_ROWS, IMPORT_MB = 1_000_000, 200.0


def check_targets(sections: dict) -> list[dict]:
    return [
        *_latency(sections.get("latency", {}).get("rows", [])),
        *_growth(sections.get("growth", {}).get("rows", [])),
        *_digest(sections.get("digest", {})),
        *_sweep(sections.get("sweep", {})),
        *_clocks(sections.get("clocks", {})),
        *_import(sections.get("import", {})),
    ]


def _target(name: str, measured: str, met: bool | None, note: str = "") -> dict:
    return {"target": name, "measured": measured, "met": met, "note": note}


def _latency(rows: list[dict]) -> list[dict]:
    ours = [r for r in rows if r["server"] == "scorecard" and r["database"] == LATENCY_DB]
    logs = [r for r in ours if r["command"] == "kpi log"]
    if not logs:
        return [_target("/kpi log over HTTP on SQLite", "not measured", None)]
    top = max(logs, key=lambda r: r["concurrency"])
    c = top["concurrency"]
    inline, default = top.get("vs_bare_inline"), top.get("vs_bare_default")
    return [
        _target(
            f"/kpi log req/s at c={c} >= 0.5x bare inline Bolt",
            f"{top['per_second']:.0f} req/s = {inline}x",
            None if inline is None else inline >= 0.5,
        ),
        _target(
            f"/kpi log req/s at c={c} >= 2x bare default-mode Bolt",
            f"{top['per_second']:.0f} req/s = {default}x",
            None if default is None else default >= 2.0,
        ),
        _target(
            f"/kpi log p99 at c={c} < {P99_LIMIT_MS:.0f} ms",
            f"{top['p99_ms']} ms",
            top["p99_ms"] < P99_LIMIT_MS,
        ),
    ]


def _growth(rows: list[dict]) -> list[dict]:
    if not rows:
        return [_target("per-command time flat with data size", "not measured", None)]
    results = []
    for database in sorted({r["database"] for r in rows}):
        mine = [r for r in rows if r["database"] == database]
        worst: tuple[float, dict, dict] | None = None
        for kpis in sorted({r["kpis"] for r in mine}):
            for command in sorted({r["command"] for r in mine}):
                series = sorted(
                    (r for r in mine if r["kpis"] == kpis and r["command"] == command),
                    key=lambda r: r["readings"],
                )
                ratio = series[-1]["median_ms"] / series[0]["median_ms"]
                if worst is None or ratio > worst[0]:
                    worst = (ratio, series[0], series[-1])
        assert worst is not None
        ratio, small, big = worst
        full = big["readings"] >= FULL_GROWTH_READINGS and small["readings"] <= BASE_GROWTH_READINGS
        results.append(
            _target(
                f"{database}: time per command at 1M readings <= {GROWTH_LIMIT}x that at 1k",
                f"worst {ratio:.2f}x ({big['command']}, {big['kpis']} KPIs: "
                f"{small['median_ms']:.1f} ms at {small['readings']:,}, "
                f"{big['median_ms']:.1f} ms at {big['readings']:,})",
                ratio <= GROWTH_LIMIT if full else None,
                "" if full else "quick run: not up to 1,000,000 readings",
            )
        )
    return results


def _digest(section: dict) -> list[dict]:
    name = f"digest of {DIGEST_KPIS:,} KPIs < {DIGEST_SECONDS:.0f} s and < {DIGEST_MB:.0f} MB"
    rows = [r for r in section.get("rows", []) if r["kpis"] == DIGEST_KPIS]
    if not rows:
        return [_target(name, "not measured", None, "quick run: no 5,000-KPI digest")]
    return [
        _target(
            f"{r['database']}: {name}",
            f"{r['build_seconds']} s, {r['peak_mb']} MB",
            r["build_seconds"] < DIGEST_SECONDS and r["peak_mb"] < DIGEST_MB,
        )
        for r in rows
    ]


def _sweep(section: dict) -> list[dict]:
    name = f"nudge sweep of {SWEEP_ACTIONS:,} actions < {SWEEP_SECONDS:.0f} s"
    rows = [r for r in section.get("rows", []) if r["actions"] == SWEEP_ACTIONS]
    if not rows:
        return [_target(name, "not measured", None, "quick run: no 100,000-action sweep")]
    return [
        _target(f"{r['database']}: {name}", f"{r['seconds']} s", r["seconds"] < SWEEP_SECONDS)
        for r in rows
    ]


def _clocks(section: dict) -> list[dict]:
    rows = section.get("rows", [])
    name = (
        f"{CLOCK_WORKSPACES:,} digests due at once, posted within {CLOCK_SECONDS:.0f} s by "
        f"{CLOCK_COUNT} clocks on PostgreSQL, 0 duplicates, 0 missed"
    )
    [row] = [
        r
        for r in rows
        if (r["database"], r["workspaces"], r["clocks"])
        == ("postgresql", CLOCK_WORKSPACES, CLOCK_COUNT)
    ] or [None]
    wrong = sum(r["duplicates"] + r["missed"] for r in rows)
    verdicts = [
        _target(
            "every clocks run: 0 duplicates, 0 missed",
            f"{wrong} duplicates or misses in {len(rows)} runs",
            wrong == 0 if rows else None,
        )
    ]
    if row is None:
        return [*verdicts, _target(name, "not measured", None, "needs a full PostgreSQL run")]
    seconds = row["last_post_seconds"]
    met = seconds is not None and seconds <= CLOCK_SECONDS and row["duplicates"] == 0
    return [*verdicts, _target(name, f"{seconds} s", met and row["missed"] == 0)]


def _import(section: dict) -> list[dict]:
    name = f"import of a {IMPORT_ROWS:,}-row readings CSV peaks < {IMPORT_MB:.0f} MB"
    rows = [r for r in section.get("rows", []) if r["rows"] == IMPORT_ROWS]
    if not rows:
        return [_target(name, "not measured", None, "quick run: a 100,000-row file")]
    return [
        _target(
            f"{r['database']}: {name} ({r['run']})",
            f"{r['peak_mb']} MB in {r['seconds']} s",
            r["peak_mb"] < IMPORT_MB,
        )
        for r in rows
    ]
