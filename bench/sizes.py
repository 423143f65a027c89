"""How big each benchmark is, for a full run and for `--quick` (under a minute in all)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    # Latency through HTTP: seconds of measured load per point, after a short warm-up.
    concurrencies: tuple[int, ...]
    load_seconds: float
    warmup_seconds: float
    latency_kpis: int
    latency_readings: int
    latency_actions: int
    latency_commands_postgres: tuple[str, ...]  # PostgreSQL runs fewer commands in --quick
    # Growth: each KPI count is grown through each reading count, in place.
    growth_kpis: tuple[int, ...]
    growth_readings: tuple[int, ...]
    growth_actions: int
    growth_repeats: int
    # Digests: KPIs with a year of daily readings each. Sweeps: number of actions.
    digest_kpis: tuple[int, ...]
    digest_days: int
    sweep_actions: tuple[int, ...]
    # Readings CSV import: rows in the file.
    import_rows: int = 1_000_000
    skipped: tuple[str, ...] = ()


ALL_COMMANDS = ("kpi log", "kpi show", "why")

FULL = Sizes(
    concurrencies=(1, 8, 32),
    load_seconds=4.0,
    warmup_seconds=0.5,
    latency_kpis=100,
    latency_readings=100_000,
    latency_actions=1_000,
    latency_commands_postgres=ALL_COMMANDS,
    growth_kpis=(10, 100, 1_000),
    growth_readings=(1_000, 100_000, 1_000_000),
    growth_actions=10_000,
    growth_repeats=60,
    digest_kpis=(50, 500, 5_000),
    digest_days=365,
    sweep_actions=(1_000, 10_000, 100_000),
)

QUICK = Sizes(
    concurrencies=(1, 32),
    load_seconds=0.5,
    warmup_seconds=0.2,
    latency_kpis=100,
    latency_readings=10_000,
    latency_actions=1_000,
    latency_commands_postgres=("kpi log",),
    growth_kpis=(10, 1_000),
    growth_readings=(1_000, 30_000),
    growth_actions=2_000,
    growth_repeats=8,
    digest_kpis=(50, 500),
    digest_days=365,
    sweep_actions=(1_000, 5_000),
    import_rows=100_000,
    skipped=(
        "latency: concurrency 1 and 32 only, 0.5 s of load per point; PostgreSQL only /kpi log",
        "growth: 10 and 1,000 KPIs, up to 30,000 readings (no 1,000,000), 2,000 actions",
        "digest: 50 and 500 KPIs (no 5,000)",
        "sweep: up to 5,000 actions (no 100,000)",
        "import: a 100,000-row readings CSV (no 1,000,000)",
    ),
)
