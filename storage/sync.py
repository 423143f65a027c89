"""A scorecard file's way into the database and back out.

Items are matched by key within the workspace's scorecard: new keys are created, known keys
updated, and keys missing from the file archived (never deleted), so readings and action
history survive; a key that comes back is unarchived. Each table is read once per import, so a
scorecard with thousands of KPIs and actions costs a handful of queries, not one per item.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel, col, select

from scorecard.scorecard_spec import (
    ActionSpec,
    DigestSpec,
    KpiSpec,
    LinkReviewSpec,
    LinkSpec,
    ObjectiveSpec,
    PerspectiveSpec,
    ScorecardSpec,
    SettingsSpec,
    TargetStep,
    ThemeSpec,
)
from scorecard.vocabulary import DOWN, UP
from storage.digests import subscribe, subscriptions_of
from storage.models import (
    Action,
    Kpi,
    Objective,
    ObjectiveLink,
    Perspective,
    Reading,
    Scorecard,
    Theme,
)
from storage.scorecards import (
    actions_of,
    find_scorecard,
    kpis_of,
    link_rows_of,
    objectives_of,
    perspectives_of,
    themes_of,
)
from storage.types import utc_now

Row = TypeVar("Row", Perspective, Theme, Objective, Kpi, Action)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# How many readings an export holds in memory at a time.
EXPORT_BATCH = 1000


@dataclass
class Changes:
    """What an import did to one kind of item. `archived` perspectives were removed instead,
    as perspectives can't be archived; one still holding archived objectives is kept."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0

    @property
    def total(self) -> int:
        """How many of these the file now has."""
        return self.created + self.updated + self.unchanged


@dataclass
class ImportSummary:
    workspace: str
    name: str
    new_scorecard: bool
    perspectives: Changes = field(default_factory=Changes)
    objectives: Changes = field(default_factory=Changes)
    kpis: Changes = field(default_factory=Changes)
    actions: Changes = field(default_factory=Changes)


def apply_spec(session: Session, spec: ScorecardSpec) -> ImportSummary:
    """Make the workspace's scorecard match `spec`; the caller commits."""
    scorecard, is_new = _sync_scorecard(session, spec)
    assert scorecard.id is not None
    summary = ImportSummary(spec.workspace, spec.name, is_new)
    zone = ZoneInfo(spec.timezone)

    perspectives, _ = _sync_rows(
        session,
        Perspective,
        scorecard.id,
        [(p.key, {"name": p.name}) for p in spec.perspectives],
        summary.perspectives,
    )
    _sync_rows(
        session,
        Theme,
        scorecard.id,
        [(t.key, {"name": t.name, "description": t.description}) for t in spec.themes],
        Changes(),
    )
    session.flush()  # new rows get the ids the rows after them point at
    objectives, outcomes = _sync_rows(
        session,
        Objective,
        scorecard.id,
        [(o.key, _objective_values(o, perspectives)) for o in spec.objectives],
        summary.objectives,
    )
    session.flush()
    for key in _sync_links(session, scorecard.id, spec.objectives, objectives):
        _count_as_updated(summary.objectives, outcomes, key)
    _sync_rows(
        session,
        Kpi,
        scorecard.id,
        [(k.key, _kpi_values(k, objectives)) for k in spec.kpis],
        summary.kpis,
    )
    actions, outcomes = _sync_rows(
        session,
        Action,
        scorecard.id,
        [(a.key, _action_values(a, objectives)) for a in spec.actions],
        summary.actions,
    )
    _sync_last_updates(spec.actions, actions, outcomes, summary.actions, zone)
    _remove_unused_perspectives(session, scorecard.id, perspectives, summary.perspectives)
    _sync_digests(session, scorecard.id, spec.digests)
    session.flush()
    return summary


def _sync_digests(session: Session, scorecard_id: int, digests: Sequence[DigestSpec]) -> None:
    """Add the file's digest subscriptions and update their schedules. Subscriptions made in
    Slack and missing from the file stay: `/kpi digest off` is how a channel stops one."""
    current = {s.channel: s for s in subscriptions_of(session, scorecard_id)}
    for digest in digests:
        kind, key = _digest_filter(digest)
        known = current.get(digest.channel)
        if known is None or (known.schedule, known.filter_kind, known.filter_key) != (
            digest.schedule,
            kind,
            key,
        ):
            subscribe(
                session, scorecard_id, digest.channel, digest.schedule, None, utc_now(), (kind, key)
            )


def _digest_filter(digest: DigestSpec) -> tuple[str | None, str | None]:
    for kind in ("perspective", "objective", "theme"):
        if getattr(digest, kind):
            return kind, getattr(digest, kind)
    return None, None


def _sync_scorecard(session: Session, spec: ScorecardSpec) -> tuple[Scorecard, bool]:
    values = {
        "name": spec.name,
        "mission": spec.mission,
        "timezone": spec.timezone,
        "at_risk_tolerance": spec.settings.at_risk_tolerance,
        "stall_after_days": spec.settings.stall_after_days,
        "nudge_interval_days": spec.settings.nudge_interval_days,
        "nudges_per_week": spec.settings.nudges_per_week,
        "number_format": spec.settings.number_format,
        "updates_channel": spec.settings.updates_channel,
    }
    scorecard = find_scorecard(session, spec.workspace)
    is_new = scorecard is None
    if scorecard is None:
        scorecard = Scorecard(workspace=spec.workspace, **values)
    elif _assign(scorecard, values):
        scorecard.updated_at = utc_now()
    session.add(scorecard)
    session.flush()
    return scorecard, is_new


def _sync_rows(
    session: Session,
    model: type[Row],
    scorecard_id: int,
    wanted: Sequence[tuple[str, dict[str, Any]]],
    changes: Changes,
) -> tuple[dict[str, Row], dict[str, str]]:
    """Upsert `wanted` (key, values) in file order and archive the rest: the rows by key, and
    what happened to each (CREATED, UPDATED or UNCHANGED). A new position alone is no change."""
    query = select(model).where(model.scorecard_id == scorecard_id)  # type: ignore[attr-defined]
    existing = {row.key: row for row in session.exec(query).all()}
    archivable = hasattr(model, "archived")
    rows: dict[str, Row] = {}
    outcomes: dict[str, str] = {}
    for position, (key, values) in enumerate(wanted):
        if archivable:
            values = {**values, "archived": False}
        row = existing.get(key)
        if row is None:
            row = model(scorecard_id=scorecard_id, key=key, position=position, **values)
            session.add(row)
            outcomes[key] = CREATED
        else:
            outcomes[key] = UPDATED if _assign(row, values) else UNCHANGED
            row.position = position
        rows[key] = row
    if archivable:
        for key, row in existing.items():
            if key not in rows and not row.archived:  # type: ignore[union-attr]
                row.archived = True  # type: ignore[union-attr]
                changes.archived += 1
    changes.created += sum(1 for outcome in outcomes.values() if outcome == CREATED)
    changes.updated += sum(1 for outcome in outcomes.values() if outcome == UPDATED)
    changes.unchanged += sum(1 for outcome in outcomes.values() if outcome == UNCHANGED)
    return rows, outcomes


def _count_as_updated(changes: Changes, outcomes: dict[str, str], key: str) -> None:
    if outcomes[key] == UNCHANGED:
        outcomes[key] = UPDATED
        changes.unchanged -= 1
        changes.updated += 1


def _assign(row: SQLModel, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _objective_values(spec: ObjectiveSpec, perspectives: dict[str, Perspective]) -> dict[str, Any]:
    return {
        "perspective_id": perspectives[spec.perspective].id,
        "title": spec.title,
        "owner": spec.owner,
        "description": spec.description,
        "theme": spec.theme,
        "weight": spec.weight,
        "updates_channel": spec.updates_channel,
    }


def _kpi_values(spec: KpiSpec, objectives: dict[str, Objective]) -> dict[str, Any]:
    """Stepped targets also fill `target` and `target_date` with the last step, a band fills
    `target` with its middle and a binary KPI with 1 (done), so every KPI has one to show."""
    target, target_date = spec.target, spec.target_date
    if spec.targets:
        target, target_date = spec.targets[-1].value, spec.targets[-1].until
    elif spec.band:
        target = sum(spec.band) / 2
    elif target is None:
        target = 1.0
    return {
        "objective_id": objectives[spec.objective].id if spec.objective else None,
        "name": spec.name,
        "unit": spec.unit,
        "baseline": spec.baseline,
        "target": target,
        "direction": spec.direction,
        "frequency": spec.frequency,
        "owner": spec.owner,
        "target_date": target_date,
        "baseline_date": spec.baseline_date,
        "kind": spec.kind,
        "weight": spec.weight,
        "band_low": spec.band[0] if spec.band else None,
        "band_high": spec.band[1] if spec.band else None,
        "targets": [{"until": s.until.isoformat(), "value": s.value} for s in spec.targets] or None,
    }


def _kpi_spec(kpi: Kpi, objective_keys: dict[int, str]) -> KpiSpec:
    """The KPI as its file says it: the target fields its shape takes (see _kpi_values)."""
    steps = tuple(
        TargetStep(date.fromisoformat(step["until"]), float(step["value"]))
        for step in kpi.targets or ()
    )
    band = None
    if kpi.band_low is not None and kpi.band_high is not None:
        band = (kpi.band_low, kpi.band_high)
    plain_target = not steps and kpi.direction in (UP, DOWN)
    return KpiSpec(
        key=kpi.key,
        name=kpi.name,
        objective=objective_keys.get(kpi.objective_id) if kpi.objective_id else None,
        unit=kpi.unit,
        baseline=kpi.baseline,
        target=kpi.target if plain_target else None,
        direction=kpi.direction,
        frequency=kpi.frequency,
        owner=kpi.owner,
        target_date=None if steps else kpi.target_date,
        baseline_date=kpi.baseline_date,
        band=band,
        targets=steps,
        kind=kpi.kind,
        weight=kpi.weight,
    )


def _action_values(spec: ActionSpec, objectives: dict[str, Objective]) -> dict[str, Any]:
    return {
        "objective_id": objectives[spec.objective].id if spec.objective else None,
        "title": spec.title,
        "owner": spec.owner,
        "due": spec.due,
        "status": spec.status,
        "stall_after_days": spec.stall_after_days,
        "theme": spec.theme,
    }


def _sync_last_updates(
    specs: Iterable[ActionSpec],
    actions: dict[str, Action],
    outcomes: dict[str, str],
    changes: Changes,
    zone: ZoneInfo,
) -> None:
    """A file's `last_update` (start of that day, local time) only ever moves an action's last
    update forward: re-importing an older file must not undo progress reported in Slack."""
    for spec in specs:
        if spec.last_update is None:
            continue
        action = actions[spec.key]
        moment = datetime.combine(spec.last_update, time(), zone)
        if outcomes[spec.key] == CREATED or moment > action.last_update_at:
            action.last_update_at = moment
            _count_as_updated(changes, outcomes, spec.key)


def _sync_links(
    session: Session,
    scorecard_id: int,
    specs: Iterable[ObjectiveSpec],
    objectives: dict[str, Objective],
) -> set[str]:
    """Make the links match the file's `supports`, lags included; the keys of the objectives
    whose links changed. A review decision in the file replaces the stored one unless that one
    is newer; a link the file gives no review keeps the decision recorded in Slack."""
    current = {
        (row.objective_id, row.supports_id): row for row in link_rows_of(session, scorecard_id)
    }
    wanted: dict[tuple[int, int], LinkSpec] = {}
    for spec in specs:
        for link in spec.supports:
            wanted[(_id(objectives[spec.key]), _id(objectives[link.objective]))] = link
    changed: set[int] = set()
    for pair, row in current.items():
        if pair not in wanted:
            session.delete(row)
            changed.add(pair[0])
    for pair, link in wanted.items():
        row = current.get(pair)
        if row is None:
            row = ObjectiveLink(objective_id=pair[0], supports_id=pair[1])
            session.add(row)
            changed.add(pair[0])
        if _assign(row, _link_values(link, row)):
            changed.add(pair[0])
    session.flush()
    return {key for key, objective in objectives.items() if objective.id in changed}


def _link_values(link: LinkSpec, row: ObjectiveLink) -> dict[str, Any]:
    values: dict[str, Any] = {"lag_weeks": link.lag_weeks}
    review = link.review
    if review is not None and not (row.decided_on and review.day and review.day < row.decided_on):
        values |= {
            "decision": review.decision,
            "decided_by": review.by,
            "decided_on": review.day,
            "decision_note": review.note or None,
        }
    return values


def _remove_unused_perspectives(
    session: Session, scorecard_id: int, kept: dict[str, Perspective], changes: Changes
) -> None:
    """Perspectives can't be archived: one gone from the file is deleted once no objective,
    archived or not, belongs to it (deleting it would delete those objectives too)."""
    in_use = select(Objective.perspective_id).where(Objective.scorecard_id == scorecard_id)
    used = set(session.exec(in_use).all())
    for perspective in perspectives_of(session, scorecard_id):
        if perspective.key not in kept and perspective.id not in used:
            session.delete(perspective)
            changes.archived += 1


def _id(row: Objective) -> int:
    assert row.id is not None
    return row.id


# --- Back out --------------------------------------------------------------------------------


def read_spec(session: Session, scorecard: Scorecard) -> ScorecardSpec:
    """The scorecard as a file would describe it: everything not archived."""
    assert scorecard.id is not None
    zone = ZoneInfo(scorecard.timezone)
    perspectives = perspectives_of(session, scorecard.id)
    perspective_keys = {p.id: p.key for p in perspectives}
    objectives = objectives_of(session, scorecard.id)
    objective_keys = {o.id: o.key for o in objectives}
    supports: dict[int, list[LinkSpec]] = defaultdict(list)
    for link in link_rows_of(session, scorecard.id):
        if link.objective_id in objective_keys and link.supports_id in objective_keys:
            supports[link.objective_id].append(_link_spec(link, objective_keys[link.supports_id]))
    return ScorecardSpec(
        workspace=scorecard.workspace,
        name=scorecard.name,
        mission=scorecard.mission,
        timezone=scorecard.timezone,
        settings=SettingsSpec(
            at_risk_tolerance=scorecard.at_risk_tolerance,
            stall_after_days=scorecard.stall_after_days,
            nudge_interval_days=scorecard.nudge_interval_days,
            nudges_per_week=scorecard.nudges_per_week,
            number_format=scorecard.number_format,
            updates_channel=scorecard.updates_channel,
        ),
        perspectives=tuple(PerspectiveSpec(p.key, p.name) for p in perspectives),
        themes=tuple(
            ThemeSpec(t.key, t.name, t.description) for t in themes_of(session, scorecard.id)
        ),
        objectives=tuple(
            ObjectiveSpec(
                key=o.key,
                title=o.title,
                perspective=perspective_keys[o.perspective_id],
                owner=o.owner,
                supports=tuple(sorted(supports[_id(o)], key=lambda link: link.objective)),
                weight=o.weight,
                theme=o.theme,
                description=o.description,
                updates_channel=o.updates_channel,
            )
            for o in objectives
        ),
        kpis=tuple(_kpi_spec(k, objective_keys) for k in kpis_of(session, scorecard.id)),
        actions=tuple(
            ActionSpec(
                key=a.key,
                title=a.title,
                objective=objective_keys.get(a.objective_id) if a.objective_id else None,
                owner=a.owner,
                due=a.due,
                status=a.status,
                stall_after_days=a.stall_after_days,
                last_update=a.last_update_at.astimezone(zone).date(),
                theme=a.theme,
            )
            for a in actions_of(session, scorecard.id)
        ),
        digests=tuple(
            DigestSpec(
                s.channel, s.schedule, **({s.filter_kind: s.filter_key} if s.filter_kind else {})
            )
            for s in subscriptions_of(session, scorecard.id)
        ),
    )


def _link_spec(link: ObjectiveLink, supports_key: str) -> LinkSpec:
    review = None
    if link.decision:
        review = LinkReviewSpec(
            link.decision, link.decided_by, link.decided_on, link.decision_note or ""
        )
    return LinkSpec(supports_key, link.lag_weeks, review)


@dataclass(frozen=True)
class ReadingRow:
    kpi: str
    period: date
    value: float
    logged_by: str
    logged_at: datetime
    note: str | None


def reading_rows(session: Session, scorecard_id: int) -> Iterator[ReadingRow]:
    """Every reading of the scorecard, archived KPIs included, by KPI key then period, fetched
    in batches so a long history never sits in memory whole."""
    query = (
        select(
            Kpi.key,
            Reading.period,
            Reading.value,
            Reading.logged_by,
            Reading.logged_at,
            Reading.note,
        )
        .join(Kpi, col(Kpi.id) == Reading.kpi_id)
        .where(Reading.scorecard_id == scorecard_id)
        .order_by(col(Kpi.key), col(Reading.period), col(Reading.id))
        .execution_options(yield_per=EXPORT_BATCH)
    )
    for row in session.execute(query):
        yield ReadingRow(*row)
