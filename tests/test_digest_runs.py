"""The digest delivery rules on their own: a poster object in place of Slack, no HTTP at all.

What the poster is told to do (post, refuse, lose the answer) stands for what Slack would do; the
end-to-end versions of these cases run against the stand-in in test_digest_delivery.py and
test_lost_answers.py.
"""

import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

import scorecard.digest_runs
from scorecard.digest import Digest
from scorecard.digest_runs import (
    ALREADY_CLAIMED,
    PAUSED,
    POSTED,
    RECOVERED,
    deliver_due_digests,
)
from scorecard.posting import CannotConfirm, MaybePosted, NotPosted
from scorecard.schedules import period_key
from storage.db import Database
from storage.digests import CLAIMED, claim_digest, subscribe
from storage.models import Scorecard
from tests.conftest import POSTGRES_URL, TEST_NOW
from tests.digest_setup import load_sample, scorecard_of
from tests.test_digest_delivery import CHANNEL, FIRST_DIGEST, runs, subscribe_sample

OK, REFUSE, LOSE_KEPT, LOSE = "ok", "refuse", "lose kept", "lose"


@dataclass
class FakePoster:
    """Keeps posted digests per channel; `next_posts` says how the next posts end."""

    next_posts: deque[str] = field(default_factory=deque)
    refusal: str = "restricted_action"
    history_answers: bool = True
    posted: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # channel: (period, ts)
    replies: list[str] = field(default_factory=list)  # thread ts
    digests: list[Digest] = field(default_factory=list)  # every digest it was asked to post
    told: list[tuple[str, str, str]] = field(default_factory=list)  # (user, kind, problem)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    def post_digest(
        self, workspace: str, channel: str, digest: Digest, *, period: str, late: bool
    ) -> str:
        self.digests.append(digest)
        how = self.next_posts.popleft() if self.next_posts else OK
        if how == REFUSE:
            raise NotPosted(self.refusal)
        ts = f"{next(self._ts)}.000"
        if how != LOSE:
            self.posted.setdefault(channel, []).append((period, ts))
        if how in (LOSE, LOSE_KEPT):
            raise MaybePosted("HTTP 500")
        return ts

    def post_detail(self, workspace: str, channel: str, thread_ts: str, digest: Digest) -> None:
        self.replies.append(thread_ts)

    def find_digest(self, workspace: str, channel: str, period: str, since: datetime) -> str | None:
        if not self.history_answers:
            raise CannotConfirm("missing_scope", lasting=True)
        found = [ts for p, ts in self.posted.get(channel, []) if p == period]
        return found[0] if found else None

    def tell_paused(self, workspace: str, user: str, channel: str, problem: str) -> None:
        self.told.append((user, "paused", problem))

    def tell_given_up(
        self, workspace: str, user: str, channel: str, problem: str, due: datetime
    ) -> None:
        self.told.append((user, "given up", problem))


def test_a_scheduled_digest_keeps_to_the_part_its_channel_subscribed_for(
    database: Database,
) -> None:
    load_sample(database)
    with database.writing() as session:
        scorecard_id = scorecard_of(database).id
        assert scorecard_id is not None
        only = ("perspective", "customer")
        subscribe(session, scorecard_id, CHANNEL, "weekly mon 09:00", "U0LEAD", TEST_NOW, only)
    poster = FakePoster()

    deliver_due_digests(database, poster, FIRST_DIGEST, "clock-a")

    [digest] = poster.digests
    assert digest.focus is not None and digest.focus.name == "Customer"
    titles = {lines.view.objective.title for lines in digest.objectives}
    assert "Keep members loyal" in titles and "Grow repeat revenue" not in titles


def test_a_due_digest_is_posted_once_with_its_detail(database: Database) -> None:
    subscribe_sample(database)
    poster = FakePoster()

    first = deliver_due_digests(database, poster, FIRST_DIGEST, "clock-a")
    second = deliver_due_digests(database, poster, FIRST_DIGEST, "clock-b")

    assert [o.result for o in first.outcomes] == [POSTED]
    assert [o.result for o in second.outcomes] == []  # already posted: nothing to do
    [(_, ts)] = poster.posted[CHANNEL]
    assert poster.replies == [ts]


def test_a_digest_another_clock_claimed_first_is_left_to_it_and_the_batch_goes_on(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe_sample(database)
    scorecard_id = scorecard_of(database).id
    assert scorecard_id is not None
    with database.writing() as session:
        subscribe(session, scorecard_id, "C0OTHER", "weekly mon 09:00", "U0EXEC", TEST_NOW)
        claim_digest(
            session,
            scorecard_id=scorecard_id,
            channel=CHANNEL,
            period_key=period_key(FIRST_DIGEST),
            scheduled_for=FIRST_DIGEST,
            clock_id="clock-b",
            now=FIRST_DIGEST,
        )
    # clock-a read the latest runs just before clock-b's claim went in
    monkeypatch.setattr(scorecard.digest_runs, "latest_scheduled_runs", lambda *_: {})
    poster = FakePoster()

    report = deliver_due_digests(database, poster, FIRST_DIGEST, "clock-a")

    results = {o.channel: o.result for o in report.outcomes}
    assert results == {CHANNEL: ALREADY_CLAIMED, "C0OTHER": POSTED}
    assert list(poster.posted) == ["C0OTHER"]
    [held] = runs(database)
    assert (held.status, held.claimed_by) == (CLAIMED, "clock-b")
    [(_, ts)] = poster.posted["C0OTHER"]
    [posted] = runs(database, "C0OTHER")
    assert (posted.status, posted.claimed_by, posted.message_ts) == ("posted", "clock-a", ts)


def test_a_lost_answer_is_confirmed_and_never_posted_twice(database: Database) -> None:
    subscribe_sample(database)
    poster = FakePoster(deque([LOSE_KEPT]))

    report = deliver_due_digests(database, poster, FIRST_DIGEST, "clock-a")

    assert [o.result for o in report.outcomes] == [RECOVERED]
    [(_, ts)] = poster.posted[CHANNEL]
    assert poster.replies == [ts]
    assert [(run.status, run.message_ts) for run in runs(database)] == [("posted", ts)]


def test_a_lost_post_that_is_not_there_is_posted_again(database: Database) -> None:
    subscribe_sample(database)
    poster = FakePoster(deque([LOSE]))

    report = deliver_due_digests(database, poster, FIRST_DIGEST, "clock-a")

    assert [o.result for o in report.outcomes] == [POSTED]
    assert len(poster.posted[CHANNEL]) == 1


def test_a_missing_channel_pauses_and_tells_whoever_subscribed(database: Database) -> None:
    subscribe_sample(database)
    poster = FakePoster(deque([REFUSE]), refusal="channel_not_found")

    report = deliver_due_digests(database, poster, FIRST_DIGEST, "clock-a")
    next_week = deliver_due_digests(database, poster, FIRST_DIGEST + timedelta(days=7), "a")

    assert [o.result for o in report.outcomes] == [PAUSED]
    assert next_week.outcomes == []
    assert poster.told == [("U0LEAD", "paused", "channel_not_found")]


def test_a_stale_claim_that_slack_cannot_confirm_is_never_reposted(database: Database) -> None:
    subscribe_sample(database)
    lost = FakePoster(deque([LOSE]), history_answers=False)

    first = deliver_due_digests(database, lost, FIRST_DIGEST, "clock-a")
    rival = deliver_due_digests(database, lost, FIRST_DIGEST + timedelta(hours=1), "clock-b")

    assert [o.result for o in first.outcomes] == ["unconfirmed"]
    assert rival.outcomes == []  # unconfirmed is final: nobody posts it again
    assert lost.posted == {}
    assert lost.told == [
        ("U0LEAD", "given up", "Slack could not say whether it was posted (missing_scope)")
    ]


def many_workspaces(database: Database, count: int) -> list[str]:
    """`count` workspaces, each with an empty scorecard and one channel due at FIRST_DIGEST."""
    workspaces = [f"T{n:04d}" for n in range(count)]
    with database.writing() as session:
        for workspace in workspaces:
            scorecard = Scorecard(workspace=workspace, name=workspace, timezone="Europe/Amsterdam")
            session.add(scorecard)
            session.flush()
            assert scorecard.id is not None
            subscribe(session, scorecard.id, f"C{workspace}", "weekly mon 09:00", "U0X", TEST_NOW)
    return workspaces


@dataclass
class SlowWorkspacePoster(FakePoster):
    """Posts for `slow` only once another workspace's digest has been posted."""

    slow: str = ""
    other_posted: threading.Event = field(default_factory=threading.Event)
    waited_for_the_others: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def post_digest(
        self, workspace: str, channel: str, digest: Digest, *, period: str, late: bool
    ) -> str:
        if workspace == self.slow:
            self.waited_for_the_others = self.other_posted.wait(timeout=10)
        with self._lock:
            ts = super().post_digest(workspace, channel, digest, period=period, late=late)
        if workspace != self.slow:
            self.other_posted.set()
        return ts


def test_a_slow_workspace_does_not_hold_up_the_others(database: Database) -> None:
    workspaces = many_workspaces(database, 4)
    poster = SlowWorkspacePoster(slow=workspaces[0])

    report = deliver_due_digests(database, poster, FIRST_DIGEST, "clock-a", workers=2)

    assert poster.waited_for_the_others  # the others were posted while the slow one hung
    assert sorted(o.workspace for o in report.outcomes if o.result == POSTED) == workspaces


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_three_clocks_share_many_workspaces_and_post_each_digest_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    database: Database = request.getfixturevalue(
        "database" if backend == "postgresql" else "sqlite_database"
    )
    workspaces = many_workspaces(database, 40)
    poster = SlowWorkspacePoster()  # thread-safe posting; no workspace is slow
    clocks = [Database(database.url) for _ in range(3)]  # each its own engine, as processes
    start = threading.Barrier(len(clocks))
    reports = []

    def clock(db: Database, name: str) -> None:
        start.wait()
        reports.append(deliver_due_digests(db, poster, FIRST_DIGEST, name, workers=4))

    threads = [
        threading.Thread(target=clock, args=(db, f"clock-{n}")) for n, db in enumerate(clocks)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for db in clocks:
            db.dispose()

    posted = [o.workspace for report in reports for o in report.outcomes if o.result == POSTED]
    assert sorted(posted) == workspaces  # each once, none missed
    assert sum(len(digests) for digests in poster.posted.values()) == len(workspaces)
    assert all(not report.errors for report in reports)
