"""One nudge sweep: every scorecard's stalled work, to its owners, exactly once.

For each scorecard (one failing workspace never stops the others):
1. read what may need a nudge and a first plan, without touching Slack;
2. look up the people in that plan in Slack (time zone, away), once per sweep;
3. in one short write transaction, holding the scorecard's lock, plan again against the nudges
   recorded so far and claim every item about to be nudged (a unique key per item and period):
   only the few most urgent per person that the message names; the rest stay free for later;
4. send each message, then record its timestamp. A message Slack refuses gives its claims back.

Two sweeps at once (two clocks) are serialised by step 3: the second finds the first's claims and
sends nothing; the unique key makes that hold even if the lock were missing. A crash between
claim and send leaves the claim in place: the item waits for its next period rather than risk
being nudged twice.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot.direct_messages import send_direct_message
from scorecard.nudges import (
    MESSAGE_WINDOW,
    NudgeItem,
    NudgeLimits,
    NudgeMessage,
    NudgePlan,
    Person,
    PlannedMessage,
    Skipped,
    is_away,
    items_to_nudge,
    limits_of,
    plan_nudges,
    with_last_updates,
)
from storage import nudges as stored
from storage.db import Database
from storage.models import Scorecard
from storage.scorecards import all_scorecards
from templates import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentNudge:
    workspace: str
    recipient: str
    items: tuple[NudgeItem, ...]  # the items the message names (and claims)
    channel: str | None = None  # None in a dry run
    ts: str | None = None
    message: dict | None = None


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
    client: WebClient,
    now: datetime,
    *,
    dry_run: bool = False,
    respect_working_hours: bool = True,
    limits: NudgeLimits | None = None,
    workspaces: list[str] | None = None,
) -> SweepReport:
    """One sweep over every scorecard (or those of `workspaces`).

    Each scorecard's own nudge limits apply, unless `limits` overrides them for this sweep.
    """
    report = SweepReport(sweep_id=uuid.uuid4().hex, dry_run=dry_run)
    with database.reading() as session:
        scorecards = [
            scorecard
            for scorecard in all_scorecards(session)
            if not workspaces or scorecard.workspace in workspaces
        ]
    for scorecard in scorecards:
        sweep_limits = limits or limits_of(scorecard)
        sweep = _ScorecardSweep(database, client, now, report, sweep_limits, respect_working_hours)
        try:
            sweep.run(scorecard)
        except Exception:
            workspace = scorecard.workspace
            logger.exception("Nudge sweep %s failed for workspace %s", report.sweep_id, workspace)
            report.failed.append(workspace)
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


class _ScorecardSweep:
    def __init__(
        self,
        database: Database,
        client: WebClient,
        now: datetime,
        report: SweepReport,
        limits: NudgeLimits,
        respect_working_hours: bool,
    ) -> None:
        self.database = database
        self.client = client
        self.now = now
        self.report = report
        self.limits = limits
        self.respect_working_hours = respect_working_hours

    def run(self, scorecard: Scorecard) -> None:
        assert scorecard.id is not None
        scorecard_id, workspace = scorecard.id, scorecard.workspace
        with self.database.reading() as session:
            items = items_to_nudge(session, scorecard, self.now)
            draft = self._plan(session, scorecard, items, people=None)
        people = {m.recipient: self._person(m.recipient) for m in draft.messages}

        if self.report.dry_run:
            with self.database.reading() as session:
                plan = self._plan(session, scorecard, items, people)
                texts = self._last_updates(session, plan.messages)
            self._note_skipped(workspace, plan.skipped)
            for message in plan.messages:
                rendered = self._render(message, texts)
                self.report.sent.append(
                    SentNudge(workspace, message.recipient, message.items, message=rendered)
                )
            return

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
                self._send(scorecard_id, workspace, message, texts)
            except Exception:
                # It may or may not have reached them: keep the claim, never risk a second DM.
                logger.exception("Nudge to %s in %s broke off", message.recipient, workspace)
                reason = "sending broke off; kept as sent so it is never sent twice"
                self.report.skipped.append(
                    SkippedNudge(workspace, message.recipient, message.items, reason)
                )

    def _plan(
        self,
        session,  # noqa: ANN001
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

    def _person(self, user_id: str) -> Person:
        try:
            user = self.client.users_info(user=user_id)["user"]
            if user.get("deleted"):
                return Person(user_id, unreachable="deactivated in Slack")
            presence = self.client.users_getPresence(user=user_id).get("presence")
        except SlackApiError as error:
            logger.warning(
                "Could not look up %s in Slack: %s", user_id, error.response.get("error")
            )
            return Person(user_id, unreachable="could not be looked up in Slack")
        profile = user.get("profile") or {}
        away = is_away(
            presence, profile.get("status_text") or "", profile.get("status_emoji") or ""
        )
        return Person(user_id, timezone=user.get("tz"), away=away)

    def _send(
        self, scorecard_id: int, workspace: str, message: PlannedMessage, texts: dict[int, str]
    ) -> None:
        rendered = self._render(message, texts)
        try:
            posted = send_direct_message(self.client, message.recipient, rendered)
        except SlackApiError as error:
            reason = f"Slack said {error.response.get('error')}"
            logger.warning("Nudge to %s in %s not sent: %s", message.recipient, workspace, reason)
            with self.database.writing() as session:
                stored.release(session, scorecard_id, self.report.sweep_id, message.recipient)
            self.report.skipped.append(
                SkippedNudge(workspace, message.recipient, message.items, reason)
            )
            return
        ts, channel = posted.ts, posted.channel
        with self.database.writing() as session:
            stored.record_sent(
                session, scorecard_id, self.report.sweep_id, message.recipient, channel, ts
            )
        self.report.sent.append(SentNudge(workspace, message.recipient, message.items, channel, ts))

    def _last_updates(
        self,
        session,  # noqa: ANN001
        messages: list[PlannedMessage],
    ) -> dict[int, str]:
        """The latest update of every action the messages name, in one query for all of them."""
        action_ids = [
            item.item_id for m in messages for item in m.items if item.kind == stored.ACTION_ITEM
        ]
        return stored.latest_update_texts(session, action_ids)

    def _render(self, message: PlannedMessage, texts: dict[int, str]) -> dict:
        items = with_last_updates(message.items, texts)
        view = NudgeMessage(message.recipient, items, more=message.more)
        return render("nudge", message=view, today=self.now.date())

    def _note_skipped(self, workspace: str, skipped: list[Skipped]) -> None:
        self.report.skipped.extend(
            SkippedNudge(workspace, entry.recipient, entry.items, entry.reason) for entry in skipped
        )
