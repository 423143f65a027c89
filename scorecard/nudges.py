"""Who gets nudged about what, and when: plain rules over plain data and a `now`.

A nudge is a direct message to an owner about their stalled actions and overdue KPI readings.
People mute bots that ping per event, so the rules below keep nudges rare: one message per person
per sweep, each item at most once per interval, a few messages per person per week, nothing while
snoozed, nothing while someone is away or outside their working hours. A message names only the
few most urgent items (nobody reads a list of 700); the rest wait, still unnudged, for a later
sweep, and the message says how many more there are.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from scorecard.actions import find_action_by_id
from scorecard.forecast import Forecast
from scorecard.forecast_questions import FORECAST_ITEM, ForecastQuestion, forecast_questions
from scorecard.stalling import is_overdue, is_stalled
from scorecard.vocabulary import (
    DEFAULT_NUDGE_INTERVAL_DAYS,
    DEFAULT_NUDGES_PER_WEEK,
    READING_INTERVALS,
)
from scorecard.workspace import local_now, local_today, require_scorecard
from storage import nudges as stored
from storage.action_queries import ActionFacts, actions_that_may_have_stalled
from storage.models import Scorecard
from storage.nudges import ACTION_ITEM, ANSWERED_SNOOZED, KPI_ITEM, KpiFacts, PastNudge

MESSAGE_WINDOW = timedelta(days=7)
# How many items one nudge message names; only these count as nudged, the rest wait their turn.
# Few enough to be read and answered in one go (and two blocks each, well within Slack's 50).
ITEMS_PER_MESSAGE = 10
# "Snooze a week".
SNOOZE_FOR = timedelta(days=7)
# A KPI reading counts as overdue this long after its frequency says the next one was due.
READING_GRACE = timedelta(days=1)
# Nudges wait for the owner's working hours: Monday to Friday, 09:00 to 18:00 their time.
WORKDAYS = range(0, 5)
WORKDAY_STARTS, WORKDAY_ENDS = time(9, 0), time(18, 0)
# Words in a Slack status that mean "don't bother me now".
AWAY_WORDS = ("away", "vacation", "vacationing", "holiday", "holidays", "ooo", "out of office")
AWAY_EMOJI = (":palm_tree:", ":desert_island:", ":beach_with_umbrella:", ":face_with_thermometer:")

STALLED, PAST_DUE, READING_DUE = "stalled", "past_due", "reading_due"
PROJECTED_MISS = "projected_miss"  # a forecast asks its owner for a decision
# What an owner did with a nudged item, as the updated message shows it.

ItemRef = tuple[str, int]  # ("action", 12) or ("kpi", 3)


@dataclass(frozen=True)
class NudgeLimits:
    """Unless a scorecard's settings say otherwise: at most one nudge about the same item within
    `item_interval`, and at most `messages_per_week` nudge messages to one person a week."""

    item_interval: timedelta = timedelta(days=DEFAULT_NUDGE_INTERVAL_DAYS)
    messages_per_week: int = DEFAULT_NUDGES_PER_WEEK

    def period(self, now: datetime) -> int:
        """Which item interval `now` falls in: the exactly-once key of a nudge about an item."""
        days = (now.astimezone(UTC).date() - date(1970, 1, 1)).days
        return days // max(self.item_interval.days, 1)


DEFAULT_LIMITS = NudgeLimits()


def limits_of(scorecard: Scorecard) -> NudgeLimits:
    """The limits a scorecard's file sets (`settings:` in the YAML), or the defaults."""
    return NudgeLimits(timedelta(days=scorecard.nudge_interval_days), scorecard.nudges_per_week)


@dataclass(frozen=True)
class NudgeItem:
    """One thing an owner is asked about: a stalled action or a KPI reading that is overdue."""

    kind: str  # ACTION_ITEM or KPI_ITEM
    item_id: int
    key: str
    title: str
    owner: str | None
    reason: str  # STALLED, PAST_DUE, READING_DUE, or "" when it no longer needs a nudge
    objective: str | None = None  # the title of the objective it serves: the why
    last_update_at: datetime | None = None  # actions, in the scorecard's time zone
    last_update: str | None = None  # actions: the text of the latest update
    due: date | None = None  # actions: the due date; KPIs: when the missing reading was due
    last_reading: date | None = None  # KPIs: the day of the latest reading
    frequency: str | None = None  # KPIs
    forecast: Forecast | None = None  # forecast questions: the projection that asks
    unit: str = ""  # forecast questions: the KPI's unit

    @property
    def ref(self) -> ItemRef:
        return (self.kind, self.item_id)


@dataclass(frozen=True)
class Person:
    """What Slack says about someone, read once per sweep."""

    user_id: str
    timezone: str | None = None
    away: bool = False
    unreachable: str | None = None  # why they can't get a DM (deactivated, unknown), if so


@dataclass(frozen=True)
class PlannedMessage:
    recipient: str
    items: tuple[NudgeItem, ...]  # the most urgent first, at most ITEMS_PER_MESSAGE
    more: int = 0  # items that also need a nudge but wait for a later message


@dataclass(frozen=True)
class Skipped:
    recipient: str | None
    items: tuple[NudgeItem, ...]
    reason: str


@dataclass(frozen=True)
class NudgeMessage:
    """What a nudge message shows: the items, and what the owner has done about each so far."""

    recipient: str
    items: tuple[NudgeItem, ...]
    answers: Mapping[ItemRef, str] = field(default_factory=dict)
    more: int = 0  # other items waiting on them, summed up as "and N more"

    @property
    def action_ids(self) -> list[int]:
        return [item.item_id for item in self.items if item.kind == ACTION_ITEM]


@dataclass(frozen=True)
class Snoozed:
    title: str
    until: datetime


@dataclass
class NudgePlan:
    messages: list[PlannedMessage] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def action_item(facts: ActionFacts, scorecard: Scorecard, now: datetime, today: date) -> NudgeItem:
    """An action as a nudge item; `reason` is empty when it is neither stalled nor past due."""
    reason = ""
    if is_overdue(facts, today):
        reason = PAST_DUE
    elif is_stalled(facts, scorecard, now, today):
        reason = STALLED
    return NudgeItem(
        kind=ACTION_ITEM,
        item_id=facts.id,
        key=facts.key,
        title=facts.title,
        owner=facts.owner,
        reason=reason,
        objective=facts.objective_title,
        last_update_at=local_now(scorecard, facts.last_update_at),
        due=facts.due,
    )


def reading_overdue(frequency: str, last_reading: date, today: date) -> bool:
    """No reading within the KPI's frequency, plus a day's grace."""
    return today > last_reading + _reading_interval(frequency) + READING_GRACE


def _reading_interval(frequency: str) -> timedelta:
    return READING_INTERVALS.get(frequency, READING_INTERVALS["weekly"])


def kpi_item(facts: KpiFacts, today: date) -> NudgeItem:
    """A KPI as a nudge item; without any reading the clock starts when the KPI was added."""
    since = facts.last_reading or facts.started
    return NudgeItem(
        kind=KPI_ITEM,
        item_id=facts.id,
        key=facts.key,
        title=facts.name,
        owner=facts.owner,
        reason=READING_DUE if reading_overdue(facts.frequency, since, today) else "",
        objective=facts.objective_title,
        due=since + _reading_interval(facts.frequency),
        last_reading=facts.last_reading,
        frequency=facts.frequency,
    )


def forecast_item(question: ForecastQuestion) -> NudgeItem:
    """A KPI projected to miss, as a question to its owner (see scorecard.forecast_questions)."""
    return NudgeItem(
        kind=FORECAST_ITEM,
        item_id=question.kpi_id,
        key=question.key,
        title=question.name,
        owner=question.owner,
        reason=PROJECTED_MISS,
        objective=question.objective,
        due=question.forecast.by,
        forecast=question.forecast,
        unit=question.unit,
    )


def items_to_nudge(
    session: Session, scorecard: Scorecard, now: datetime, owner: str | None = None
) -> list[NudgeItem]:
    """Every stalled or past-due action and overdue KPI reading (of one owner, if given)."""
    today = local_today(scorecard, now)
    found = []
    for facts in actions_that_may_have_stalled(session, scorecard, now, today, owner):
        item = action_item(facts, scorecard, now, today)
        if item.reason:
            found.append(item)
    for kpi in stored.kpis_with_latest_reading(session, scorecard.id, owner=owner):
        item = kpi_item(kpi, today)
        if item.reason:
            found.append(item)
    found += [forecast_item(q) for q in forecast_questions(session, scorecard, now, owner)]
    return found


def is_away(presence: str | None, status_text: str = "", status_emoji: str = "") -> bool:
    """Away in Slack's presence, or a status that says so (vacation, OOO, holiday…)."""
    if presence == "away":
        return True
    text = status_text.casefold()
    words = set(text.replace(",", " ").replace(".", " ").replace("!", " ").split())
    if any(word in words or (" " in word and word in text) for word in AWAY_WORDS):
        return True
    return status_emoji in AWAY_EMOJI


def zone_of(timezone: str | None, fallback: str) -> ZoneInfo:
    for name in (timezone, fallback):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def in_working_hours(now: datetime, zone: ZoneInfo) -> bool:
    local = now.astimezone(zone)
    return local.weekday() in WORKDAYS and WORKDAY_STARTS <= local.time() < WORKDAY_ENDS


def plan_nudges(
    items: Iterable[NudgeItem],
    history: Sequence[PastNudge],
    snoozed_until: Mapping[ItemRef, datetime],
    now: datetime,
    *,
    people: Mapping[str, Person] | None = None,
    limits: NudgeLimits = DEFAULT_LIMITS,
    respect_working_hours: bool = True,
    default_timezone: str = "UTC",
) -> NudgePlan:
    """One message per owner with their most urgent items that may be nudged now, and why others
    wait (including the items beyond ITEMS_PER_MESSAGE, which stay free for a later sweep).

    `people` is None for a first pass before anyone has been looked up in Slack: then only the
    item rules and the weekly cap apply, which tells the caller whom to look up.
    """
    plan = NudgePlan()
    last_nudged: dict[ItemRef, datetime] = {}
    messages_by: dict[str, set[str]] = defaultdict(set)
    for past in history:
        ref = (past.item_kind, past.item_id)
        last_nudged[ref] = max(last_nudged.get(ref, past.sent_at), past.sent_at)
        if now - past.sent_at < MESSAGE_WINDOW:
            messages_by[past.recipient].add(past.sweep_id)

    by_owner: dict[str, list[NudgeItem]] = defaultdict(list)
    for item in items:
        if not item.reason:
            continue
        if not item.owner:
            plan.skipped.append(Skipped(None, (item,), "it has no owner"))
            continue
        until = snoozed_until.get(item.ref)
        if until is not None and until > now:
            local_until = until.astimezone(zone_of(None, default_timezone))
            reason = f"snoozed until {local_until:%a %d %b}"
            plan.skipped.append(Skipped(item.owner, (item,), reason))
            continue
        last = last_nudged.get(item.ref)
        if last is not None and now - last < limits.item_interval:
            reason = f"already nudged {last:%a %d %b %H:%M} UTC"
            plan.skipped.append(Skipped(item.owner, (item,), reason))
            continue
        by_owner[item.owner].append(item)

    for owner in sorted(by_owner):
        owned = tuple(sorted(by_owner[owner], key=urgency))
        reason = _why_not_now(
            owner, messages_by, now, people, limits, respect_working_hours, default_timezone
        )
        if reason:
            plan.skipped.append(Skipped(owner, owned, reason))
            continue
        shown, waiting = owned[:ITEMS_PER_MESSAGE], owned[ITEMS_PER_MESSAGE:]
        plan.messages.append(PlannedMessage(owner, shown, more=len(waiting)))
        if waiting:
            reason = f"only the {ITEMS_PER_MESSAGE} most urgent fit in one message"
            plan.skipped.append(Skipped(owner, waiting, reason))
    return plan


def _why_not_now(
    owner: str,
    messages_by: Mapping[str, set[str]],
    now: datetime,
    people: Mapping[str, Person] | None,
    limits: NudgeLimits,
    respect_working_hours: bool,
    default_timezone: str,
) -> str:
    sent = len(messages_by.get(owner, ()))
    if sent >= limits.messages_per_week:
        return f"already had {sent} nudge messages in the last 7 days"
    if people is None:
        return ""
    person = people.get(owner, Person(owner))
    if person.unreachable:
        return person.unreachable
    if person.away:
        return "away in Slack"
    zone = zone_of(person.timezone, default_timezone)
    if respect_working_hours and not in_working_hours(now, zone):
        return f"outside working hours ({now.astimezone(zone):%a %H:%M} in {zone.key})"
    return ""


_REASON_RANK = {PAST_DUE: 0, STALLED: 1, READING_DUE: 2, PROJECTED_MISS: 3}


def urgency(item: NudgeItem) -> tuple:
    """Sort key, most urgent first: past due (the most days late first), then stalled (the
    longest silent first), then overdue KPI readings (the most days late first)."""
    if item.reason == STALLED:
        since = item.last_update_at.timestamp() if item.last_update_at else 0.0
    else:
        since = item.due.toordinal() if item.due else 0
    return (_REASON_RANK.get(item.reason, 3), since, item.title.casefold(), item.item_id)


def with_last_updates(
    items: Iterable[NudgeItem], texts: Mapping[int, str]
) -> tuple[NudgeItem, ...]:
    return tuple(
        replace(item, last_update=texts.get(item.item_id)) if item.kind == ACTION_ITEM else item
        for item in items
    )


# Answers to a nudge. Unlike the rules above, these read and write through storage.


def snooze_action(
    session: Session, workspace: str, action_id: int, user: str, now: datetime
) -> Snoozed:
    action = find_action_by_id(session, workspace, action_id)
    until = local_now(require_scorecard(session, workspace), now + SNOOZE_FOR)
    stored.add_snooze(session, action.scorecard_id, ACTION_ITEM, action_id, until, user)
    stored.mark_responded(
        session, action.scorecard_id, ACTION_ITEM, action_id, ANSWERED_SNOOZED, now
    )
    return Snoozed(action.title, until)


def nudge_as_it_stands(
    session: Session, workspace: str, channel: str, ts: str, now: datetime
) -> NudgeMessage | None:
    """The nudge posted as (channel, ts), with today's state of its items; None if not a nudge."""
    scorecard = require_scorecard(session, workspace)
    rows = stored.message_nudges(session, scorecard.id, channel, ts)
    if not rows:
        return None
    today = local_today(scorecard, now)
    action_ids = [row.item_id for row in rows if row.item_kind == ACTION_ITEM]
    kpi_ids = [row.item_id for row in rows if row.item_kind == KPI_ITEM]
    found: dict[ItemRef, NudgeItem] = {}
    for facts in stored.actions_by_id(session, scorecard.id, action_ids):
        item = action_item(facts, scorecard, now, today)
        found[item.ref] = item
    if kpi_ids:
        for kpi in stored.kpis_with_latest_reading(session, scorecard.id, kpi_ids):
            item = kpi_item(kpi, today)
            found[item.ref] = item
    forecast_ids = [row.item_id for row in rows if row.item_kind == FORECAST_ITEM]
    if forecast_ids:
        for question in forecast_questions(session, scorecard, now, kpi_ids=forecast_ids):
            item = forecast_item(question)
            found[item.ref] = item
    refs = [(row.item_kind, row.item_id) for row in rows]
    answers = {(row.item_kind, row.item_id): row.response for row in rows if row.response}
    recipient = rows[0].recipient
    items = tuple(found[r] for r in refs if r in found)
    # "And N more" as it stands now: what else still waits on them.
    waiting = items_to_nudge(session, scorecard, now, owner=recipient)
    more = sum(1 for item in waiting if item.ref not in found)
    message = NudgeMessage(recipient, items, answers, more)
    texts = stored.latest_update_texts(session, message.action_ids)
    return replace(message, items=with_last_updates(items, texts))
