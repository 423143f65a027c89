"""One nudge sweep: every scorecard's stalled work, to its owners, exactly once.

For each scorecard (one failing workspace never stops the others):
1. read what may need a nudge and a first plan, without touching Slack;
2. look up the people in that plan (time zone, away), once per sweep, through the sender;
3. in one short write transaction, holding the scorecard's lock, plan again against the nudges
   recorded so far and claim every item about to be nudged (a unique key per item and period):
   only the few most urgent per person that the message names; the rest stay free for later;
4. send each message, then record its timestamp. A message Slack refuses gives its claims back.

Two sweeps at once (two clocks) are serialised by step 3: the second finds the first's claims and
sends nothing; the unique key makes that hold even if the lock were missing. A message whose
answer is lost (MaybePosted) is looked for by its mark (the sweep) in the direct message
before it is sent again; if that can't be told, its claims stay: the items wait for their next
period rather than risk a second DM. A crash between claim and send leaves the claims the same way.

The sending is done by a `NudgeSender` (bot.nudging sends with Slack's WebClient). A dry run
never asks it anything: it says whom the sweep would nudge without looking anyone up.
"""

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from scorecard.digest_runs import WORKSPACES_AT_ONCE
from scorecard.nudges import (
    MESSAGE_WINDOW,
    NudgeItem,
    NudgeLimits,
    NudgeMessage,
    NudgePlan,
    Person,
    PlannedMessage,
    Skipped,
    items_to_nudge,
    limits_of,
    plan_nudges,
    with_last_updates,
)
from scorecard.posting import CannotConfirm, MaybePosted, NotPosted
from storage import nudges as stored
from storage.db import Database
from storage.models import Scorecard
from storage.scorecards import installed_scorecards

logger = logging.getLogger(__name__)

# What a dry run says about the people it did not look up.
NOT_LOOKED_UP = "time zones and away status not looked up in a dry run"


@dataclass(frozen=True)
class Delivered:
    """Where a message landed."""

    channel: str
    ts: str


class NudgeSender(Protocol):
    """Looks people up and sends nudges for the sweep. `send` raises NotPosted when the chat
    service said no and MaybePosted when it is not known whether the message arrived."""

    def look_up(self, workspace: str, user_id: str) -> Person:
        """Time zone and away status; `unreachable` says why they can't get a DM."""
        ...

    def send(self, workspace: str, message: NudgeMessage, *, mark: str, today: date) -> Delivered:
        """Send `message` as a DM marked with `mark` (what `find_sent` looks for)."""
        ...

    def find_sent(
        self, workspace: str, recipient: str, mark: str, since: datetime
    ) -> Delivered | None:
        """The message marked `mark` in the DM with `recipient` since `since`; CannotConfirm."""
        ...


@dataclass(frozen=True)
class SentNudge:
    workspace: str
    recipient: str
    items: tuple[NudgeItem, ...]  # the items the message names (and claims)
    channel: str | None = None  # None in a dry run
    ts: str | None = None
    message: NudgeMessage | None = None  # what a dry run would send


@dataclass(frozen=True)
class SkippedNudge:
    workspace: str
    recipient: str | None
    items: tuple[NudgeItem, ...]
    reason: str


@dataclass
class SweepReport:
    sweep_id: str
    dry_run: bool
    sent: list[SentNudge] = field(default_factory=list)
    skipped: list[SkippedNudge] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # workspaces whose sweep broke

    def describe(self) -> str:
        verb = "would send" if self.dry_run else "sent"
        lines = [
            f"Nudge sweep {self.sweep_id}: {verb} {len(self.sent)}, skipped "
            f"{len(self.skipped)}, failed workspaces {len(self.failed)}"
        ]
        if self.dry_run:
            lines.append(f"  ({NOT_LOOKED_UP})")
        for sent in self.sent:
            titles = ", ".join(item.title for item in sent.items)
            lines.append(f"  {verb} {sent.workspace} {sent.recipient}: {titles}")
        for skipped in self.skipped:
            titles = ", ".join(item.title for item in skipped.items)
            lines.append(
                f"  skipped {skipped.workspace} {skipped.recipient or '(no owner)'}: "
                f"{titles} ({skipped.reason})"
            )
        lines.extend(f"  failed {workspace}: see the log" for workspace in self.failed)
        return "\n".join(lines)


def run_nudge_sweep(
    database: Database,
    sender: NudgeSender | None,
    now: datetime,
    *,
    dry_run: bool = False,
    respect_working_hours: bool = True,
    limits: NudgeLimits | None = None,
    workspaces: list[str] | None = None,
    workers: int = WORKSPACES_AT_ONCE,
) -> SweepReport:
    """One sweep over every scorecard (or those of `workspaces`), `workers` at a time.

    Each scorecard's own nudge limits apply, unless `limits` overrides them for this sweep.
    `sender` may be None only for a dry run, which sends nothing and looks nobody up.
    """
    if sender is None and not dry_run:
        raise ValueError("a sweep that sends needs a sender")
    report = SweepReport(sweep_id=uuid.uuid4().hex, dry_run=dry_run)
    with database.reading() as session:
        scorecards = [
            scorecard
            for scorecard in installed_scorecards(session)
            if not workspaces or scorecard.workspace in workspaces
        ]

    def sweep_one(scorecard: Scorecard) -> None:
        sweep_limits = limits or limits_of(scorecard)
        sweep = _ScorecardSweep(database, sender, now, report, sweep_limits, respect_working_hours)
        try:
            sweep.run(scorecard)
        except Exception:
            workspace = scorecard.workspace
            logger.exception("Nudge sweep %s failed for workspace %s", report.sweep_id, workspace)
            report.failed.append(workspace)

    # Scorecards are swept side by side: a slow or rate-limited workspace holds up only its own.
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="nudges") as pool:
        list(pool.map(sweep_one, scorecards))
    for skipped in report.skipped:
        logger.info(
            "Nudge skipped in %s for %s: %s (%s)",
            skipped.workspace,
            skipped.recipient,
            ", ".join(item.key for item in skipped.items),
            skipped.reason,
        )
    logger.info(
        "Nudge sweep %s%s: %d sent, %d skipped, %d workspaces failed",
        report.sweep_id,
        " (dry run)" if dry_run else "",
        len(report.sent),
        len(report.skipped),
        len(report.failed),
    )
    return report


@dataclass
class _ScorecardSweep:
    database: Database
    sender: NudgeSender | None
    now: datetime
    report: SweepReport
    limits: NudgeLimits
    respect_working_hours: bool

    def run(self, scorecard: Scorecard) -> None:
        assert scorecard.id is not None
        scorecard_id, workspace = scorecard.id, scorecard.workspace
        with self.database.reading() as session:
            items = items_to_nudge(session, scorecard, self.now)
            draft = self._plan(session, scorecard, items, people=None)

        if self.sender is None or self.report.dry_run:
            self._dry_run(scorecard, items, [m.recipient for m in draft.messages])
            return
        sender = self.sender
        people = {m.recipient: sender.look_up(workspace, m.recipient) for m in draft.messages}

        try:
            with self.database.writing() as session:
                stored.lock_scorecard(session, scorecard_id)
                plan = self._plan(session, scorecard, items, people)
                claims = [
                    stored.Claim(message.recipient, item.kind, item.item_id)
                    for message in plan.messages
                    for item in message.items
                ]
                stored.claim(
                    session,
                    scorecard_id,
                    self.report.sweep_id,
                    self.limits.period(self.now),
                    self.now,
                    claims,
                )
        except IntegrityError:
            # Only possible if another sweep got past the lock: its claims stand, ours don't.
            self.report.skipped.append(
                SkippedNudge(workspace, None, (), "another sweep claimed these nudges first")
            )
            return
        self._note_skipped(workspace, plan.skipped)
        with self.database.reading() as session:
            texts = self._last_updates(session, plan.messages)
        for message in plan.messages:
            try:
                self._send(sender, scorecard_id, workspace, message, texts)
            except Exception:
                # It may or may not have reached them: keep the claim, never risk a second DM.
                logger.exception("Nudge to %s in %s broke off", message.recipient, workspace)
                self._kept(workspace, message, "sending broke off")

    def _dry_run(self, scorecard: Scorecard, items: list[NudgeItem], people: list[str]) -> None:
        """Whom this sweep would nudge, asking nobody: everyone counts as at work and reachable,
        in the scorecard's time zone."""
        unknown = {user_id: Person(user_id) for user_id in people}
        with self.database.reading() as session:
            plan = self._plan(session, scorecard, items, unknown)
            texts = self._last_updates(session, plan.messages)
        self._note_skipped(scorecard.workspace, plan.skipped)
        for message in plan.messages:
            view = self._view(message, texts)
            self.report.sent.append(
                SentNudge(scorecard.workspace, message.recipient, message.items, message=view)
            )

    def _plan(
        self,
        session: Session,
        scorecard: Scorecard,
        items: list[NudgeItem],
        people: dict[str, Person] | None,
    ) -> NudgePlan:
        since = self.now - max(self.limits.item_interval, MESSAGE_WINDOW)
        return plan_nudges(
            items,
            stored.recent_nudges(session, scorecard.id, since),
            stored.active_snoozes(session, scorecard.id, self.now),
            self.now,
            people=people,
            limits=self.limits,
            respect_working_hours=self.respect_working_hours,
            default_timezone=scorecard.timezone,
        )

    def _send(
        self,
        sender: NudgeSender,
        scorecard_id: int,
        workspace: str,
        message: PlannedMessage,
        texts: dict[int, str],
    ) -> None:
        """Send one message; when its answer is lost, find it before sending it again."""
        view = self._view(message, texts)
        mark = self.report.sweep_id
        today = self.now.date()
        try:
            delivered = sender.send(workspace, view, mark=mark, today=today)
        except NotPosted as refusal:
            self._refused(scorecard_id, workspace, message, f"Slack said {refusal.code}")
            return
        except MaybePosted as lost:
            logger.warning(
                "Nudge to %s in %s: %s; asking Slack", message.recipient, workspace, lost.reason
            )
            try:
                found = sender.find_sent(workspace, message.recipient, mark, self.now)
            except CannotConfirm as unsure:
                self._kept(workspace, message, f"Slack could not confirm it ({unsure.reason})")
                return
            if found is not None:
                delivered = found
            else:
                try:
                    delivered = sender.send(workspace, view, mark=mark, today=today)
                except NotPosted as refusal:
                    self._refused(scorecard_id, workspace, message, f"Slack said {refusal.code}")
                    return
                except MaybePosted as again:
                    self._kept(workspace, message, f"no clear answer twice ({again.reason})")
                    return
        with self.database.writing() as session:
            stored.record_sent(
                session,
                scorecard_id,
                self.report.sweep_id,
                message.recipient,
                delivered.channel,
                delivered.ts,
            )
        self.report.sent.append(
            SentNudge(workspace, message.recipient, message.items, delivered.channel, delivered.ts)
        )

    def _refused(
        self, scorecard_id: int, workspace: str, message: PlannedMessage, reason: str
    ) -> None:
        """Nothing was sent: give the claims back, so a later sweep can try again."""
        logger.warning("Nudge to %s in %s not sent: %s", message.recipient, workspace, reason)
        with self.database.writing() as session:
            stored.release(session, scorecard_id, self.report.sweep_id, message.recipient)
        self.report.skipped.append(
            SkippedNudge(workspace, message.recipient, message.items, reason)
        )

    def _kept(self, workspace: str, message: PlannedMessage, why: str) -> None:
        """It may have reached them: the claims stay, so it is never sent twice."""
        reason = f"{why}; kept as sent so it is never sent twice"
        self.report.skipped.append(
            SkippedNudge(workspace, message.recipient, message.items, reason)
        )

    def _last_updates(self, session: Session, messages: list[PlannedMessage]) -> dict[int, str]:
        """The latest update of every action the messages name, in one query for all of them."""
        action_ids = [
            item.item_id for m in messages for item in m.items if item.kind == stored.ACTION_ITEM
        ]
        return stored.latest_update_texts(session, action_ids)

    def _view(self, message: PlannedMessage, texts: dict[int, str]) -> NudgeMessage:
        items = with_last_updates(message.items, texts)
        return NudgeMessage(message.recipient, items, more=message.more)

    def _note_skipped(self, workspace: str, skipped: list[Skipped]) -> None:
        self.report.skipped.extend(
            SkippedNudge(workspace, entry.recipient, entry.items, entry.reason) for entry in skipped
        )
