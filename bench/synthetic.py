"""Synthetic scorecards of any size: perspectives, objectives that support each other, KPIs with
targets and units, years of daily readings, and actions in every state.

KPIs are keyed `kpi_<n>` and named like "Instagram followers <n>"; actions `action_<n>`. Readings
are one a day per KPI, going back from today, so growing a scorecard adds older history and leaves
each KPI's current value where it was.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import chain, cycle, islice

from bench.bulk import analyze, ids_by_key, insert_rows
from scorecard.vocabulary import DEFAULT_PERSPECTIVES
from storage.db import Database

# (name, unit, baseline, target, direction): what KPIs on real scorecards look like.
KPI_KINDS = (
    ("Instagram followers", "", 8_000, 12_000, "up"),
    ("Newsletter subscribers", "", 1_200, 2_000, "up"),
    ("Monthly revenue", "€", 40_000, 55_000, "up"),
    ("Gross margin", "%", 38, 45, "up"),
    ("Net promoter score", "", 22, 40, "up"),
    ("Customer churn", "%", 6, 3, "down"),
    ("Support first reply", "h", 9, 4, "down"),
    ("Deploys per week", "", 3, 10, "up"),
    ("Training hours", "h", 10, 30, "up"),
    ("Engagement rate", "%", 2.1, 3.5, "up"),
)
OBJECTIVE_THEMES = (
    "Grow recurring revenue",
    "Delight customers",
    "Ship reliably",
    "Build skills",
    "Widen our reach",
)
ACTION_TITLES = (
    "Run customer photo campaign",
    "Train product managers",
    "Automate the release checklist",
    "Interview churned customers",
    "Rewrite onboarding emails",
)
# Share of actions per status, in order: planned, active, done, stopped (out of 20).
ACTION_STATUS_CYCLE = ("planned",) * 3 + ("active",) * 12 + ("done",) * 4 + ("stopped",)
OWNERS = 50
FREQUENCIES = ("daily", "weekly", "monthly")


@dataclass
class SyntheticScorecard:
    database: Database
    workspace: str
    scorecard_id: int
    kpi_ids: list[int]
    objective_ids: list[int]
    today: date
    readings_per_kpi: list[int] = field(default_factory=list)
    actions: int = 0

    @property
    def readings(self) -> int:
        return sum(self.readings_per_kpi)

    def kpi_key(self, number: int) -> str:
        return f"kpi_{number % len(self.kpi_ids)}"

    def action_key(self, number: int) -> str:
        return f"action_{number % max(self.actions, 1)}"


def build_scorecard(
    database: Database, workspace: str, kpis: int, now: datetime
) -> SyntheticScorecard:
    """A scorecard with `kpis` KPIs under objectives in the four classic perspectives."""
    created = _naive(now - timedelta(days=400))
    insert_rows(
        database,
        "scorecards",
        (
            "workspace",
            "name",
            "mission",
            "timezone",
            "at_risk_tolerance",
            "stall_after_days",
            "created_at",
            "updated_at",
        ),
        [
            (
                workspace,
                f"Bench {workspace}",
                "Make the community the best place to learn",
                "UTC",
                0.1,
                14,
                created,
                created,
            )
        ],
    )
    scorecard_id = _scorecard_id(database, workspace)
    insert_rows(
        database,
        "perspectives",
        ("scorecard_id", "key", "name", "position"),
        [(scorecard_id, key, name, n) for n, (key, name) in enumerate(DEFAULT_PERSPECTIVES)],
    )
    perspective_ids = ids_by_key(database, "perspectives", scorecard_id)
    perspective_keys = [key for key, _ in DEFAULT_PERSPECTIVES]
    objectives = max(len(perspective_keys), min(kpis // 5, 200))
    insert_rows(
        database,
        "objectives",
        (
            "scorecard_id",
            "perspective_id",
            "key",
            "title",
            "owner",
            "description",
            "weight",
            "position",
            "archived",
        ),
        [
            (
                scorecard_id,
                perspective_ids[perspective_keys[n % len(perspective_keys)]],
                f"objective_{n}",
                f"{OBJECTIVE_THEMES[n % len(OBJECTIVE_THEMES)]} {n}",
                f"U{n % OWNERS:04d}",
                "",
                1.0,
                n,
                False,
            )
            for n in range(objectives)
        ],
    )
    objective_by_key = ids_by_key(database, "objectives", scorecard_id)
    objective_ids = [objective_by_key[f"objective_{n}"] for n in range(objectives)]
    _link_objectives(database, objective_ids, len(perspective_keys))
    _insert_kpis(database, scorecard_id, objective_ids, kpis, created)
    kpi_by_key = ids_by_key(database, "kpis", scorecard_id)
    kpi_ids = [kpi_by_key[f"kpi_{n}"] for n in range(kpis)]
    return SyntheticScorecard(
        database, workspace, scorecard_id, kpi_ids, objective_ids, now.date(), [0] * kpis
    )


def grow_readings(scorecard: SyntheticScorecard, total: int) -> None:
    """Add older daily readings until the scorecard holds `total` (spread evenly over KPIs)."""
    kpis = len(scorecard.kpi_ids)
    wanted = [total // kpis + (1 if n < total % kpis else 0) for n in range(kpis)]
    rows = chain.from_iterable(
        _readings(scorecard, n, scorecard.readings_per_kpi[n], wanted[n]) for n in range(kpis)
    )
    insert_rows(
        scorecard.database,
        "readings",
        ("scorecard_id", "kpi_id", "period", "value", "logged_by", "logged_at", "note"),
        rows,
    )
    scorecard.readings_per_kpi = [
        max(a, b) for a, b in zip(scorecard.readings_per_kpi, wanted, strict=True)
    ]
    analyze(scorecard.database)


def add_actions(scorecard: SyntheticScorecard, count: int, now: datetime) -> None:
    """`count` actions: most active, some stalled (no update for weeks), some overdue or done."""
    statuses = cycle(ACTION_STATUS_CYCLE)
    rows = (
        (
            scorecard.scorecard_id,
            None if n % 10 == 9 else scorecard.objective_ids[n % len(scorecard.objective_ids)],
            f"action_{n}",
            f"{ACTION_TITLES[n % len(ACTION_TITLES)]} {n}",
            f"U{n % OWNERS:04d}",
            scorecard.today + timedelta(days=(n % 90) - 20) if n % 3 == 0 else None,
            status,
            n,
            False,
            _naive(now - timedelta(days=60)),
            _naive(now - timedelta(days=n % 30, hours=n % 24)),
        )
        for n, status in zip(
            range(scorecard.actions, scorecard.actions + count), statuses, strict=False
        )
    )
    insert_rows(
        scorecard.database,
        "actions",
        (
            "scorecard_id",
            "objective_id",
            "key",
            "title",
            "owner",
            "due",
            "status",
            "position",
            "archived",
            "created_at",
            "last_update_at",
        ),
        rows,
    )
    scorecard.actions += count
    analyze(scorecard.database)


def _insert_kpis(
    database: Database, scorecard_id: int, objective_ids: list[int], kpis: int, created: datetime
) -> None:
    rows = []
    for n, (name, unit, baseline, target, direction) in zip(range(kpis), cycle(KPI_KINDS)):
        rows.append(
            (
                scorecard_id,
                objective_ids[n % len(objective_ids)],
                f"kpi_{n}",
                f"{name} {n}",
                unit,
                float(baseline),
                float(target),
                direction,
                FREQUENCIES[n % len(FREQUENCIES)],
                f"U{n % OWNERS:04d}",
                created.date() + timedelta(days=700),
                created.date(),
                "lead" if n % 2 else "lag",
                1.0,
                n,
                False,
                created,
            )
        )
    insert_rows(
        database,
        "kpis",
        (
            "scorecard_id",
            "objective_id",
            "key",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "frequency",
            "owner",
            "target_date",
            "baseline_date",
            "kind",
            "weight",
            "position",
            "archived",
            "created_at",
        ),
        rows,
    )


def _link_objectives(database: Database, objective_ids: list[int], layers: int) -> None:
    """Each objective supports one or two in the perspective above it (learning -> ... -> money)."""
    links = set()
    for n, objective_id in enumerate(objective_ids):
        if n % layers == 0:
            continue  # the financial layer supports nothing further
        above = [m for m in range(len(objective_ids)) if m % layers == n % layers - 1]
        for m in islice(above[n // layers % len(above) :], 2):
            links.add((objective_id, objective_ids[m]))
    insert_rows(database, "objective_links", ("objective_id", "supports_id"), sorted(links))


def _readings(scorecard: SyntheticScorecard, kpi: int, first: int, last: int) -> Iterator[tuple]:
    """One KPI's readings `first` to `last` days back; the newer, the closer to target."""
    baseline, target = KPI_KINDS[kpi % len(KPI_KINDS)][2:4]
    kpi_id, owner = scorecard.kpi_ids[kpi], f"U{kpi % OWNERS:04d}"
    for days_back in range(first, last):
        period, logged_at = _day(scorecard.today, days_back)
        progress = 1 - min(days_back, 700) / 700
        wobble = ((kpi * 31 + days_back * 17) % 11 - 5) / 100
        value = round(baseline + (target - baseline) * progress * (1 + wobble), 2)
        yield (scorecard.scorecard_id, kpi_id, period, value, owner, logged_at, None)


@lru_cache(maxsize=400_000)
def _day(today: date, days_back: int) -> tuple[date, datetime]:
    period = today - timedelta(days=days_back)
    return period, datetime(period.year, period.month, period.day, 9)


def _scorecard_id(database: Database, workspace: str) -> int:
    with database.engine.connect() as connection:
        query = "SELECT id FROM scorecards WHERE workspace = ?"
        if database.engine.dialect.name == "postgresql":
            query = query.replace("?", "%s")
        return connection.exec_driver_sql(query, (workspace,)).scalar_one()


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)
