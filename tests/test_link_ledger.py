"""The cause-and-effect ledger: links judged with their expected lag, and review decisions."""

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from sqlmodel import select

from scorecard.errors import UserError
from scorecard.exporting import export_scorecard
from scorecard.importing import import_scorecard
from scorecard.link_ledger import (
    HOLDS,
    MAY_NOT_HOLD,
    NOT_ENOUGH_DATA,
    UNTESTED,
    Track,
    decide_link,
    judge_link,
)
from scorecard.status import Goal
from storage.db import Database
from storage.digest_queries import Point
from storage.models import ObjectiveLink, Scorecard
from tests.digest_setup import TODAY, add_reading, load_sample
from tests.test_digest import digest_text

START = TODAY - timedelta(weeks=30)
# No target date: a value at or past the target is on track, the baseline is off track.
GOAL = Goal(baseline=0, target=100, direction="up", start=START)


def weekly(values: list[float], weeks_ago_last: int = 0) -> Track:
    """Weekly readings, oldest first, the last `weeks_ago_last` weeks before TODAY."""
    last = TODAY - timedelta(weeks=weeks_ago_last)
    count = len(values)
    return Track(
        GOAL,
        [Point(last - timedelta(weeks=count - 1 - i), v) for i, v in enumerate(values)],
    )


@pytest.mark.parametrize(
    ("case", "driver", "outcome", "outcome_on_track", "lag", "verdict"),
    [
        # No lag: the driver on track for its last 3 readings, the outcome flat since.
        (
            "no lag, flat outcome",
            [weekly([100, 100, 100])],
            [weekly([10, 10, 10])],
            False,
            0,
            MAY_NOT_HOLD,
        ),
        (
            "no lag, outcome moves",
            [weekly([100, 100, 100])],
            [weekly([10, 20, 30])],
            False,
            0,
            HOLDS,
        ),
        (
            "outcome already on track",
            [weekly([100, 100, 100])],
            [weekly([10, 10, 10])],
            True,
            0,
            HOLDS,
        ),
        (
            "driver neither on track nor improving",
            [weekly([10, 10, 10])],
            [weekly([10, 10, 10])],
            False,
            0,
            UNTESTED,
        ),
        (
            "driver improving but below target",
            [weekly([10, 20, 30])],
            [weekly([5, 5, 5])],
            False,
            0,
            MAY_NOT_HOLD,
        ),
        (
            "too few driver readings",
            [weekly([100, 100])],
            [weekly([10, 10, 10])],
            False,
            0,
            NOT_ENOUGH_DATA,
        ),
        (
            "too few outcome readings",
            [weekly([100, 100, 100])],
            [weekly([10])],
            False,
            0,
            NOT_ENOUGH_DATA,
        ),
        # A 6-week lag: the driver is judged on readings up to 6 weeks ago...
        (
            "lag: driver pushed 6+ weeks ago, outcome moved since",
            [weekly([100] * 9)],
            [weekly([10] * 6 + [20, 30, 40])],
            False,
            6,
            HOLDS,
        ),
        (
            "lag: driver pushed 6+ weeks ago, outcome flat since",
            [weekly([100] * 9)],
            [weekly([10] * 9)],
            False,
            6,
            MAY_NOT_HOLD,
        ),
        # ...so a driver that only started delivering lately is not judged yet.
        (
            "lag: driver only lately on track",
            [weekly([10] * 6 + [100, 100, 100])],
            [weekly([10] * 9)],
            False,
            6,
            UNTESTED,
        ),
        (
            "lag: driver's history too short",
            [weekly([100] * 4)],
            [weekly([10] * 9)],
            False,
            6,
            NOT_ENOUGH_DATA,
        ),
        # An outcome that moved right away but not since the lagged start does not count.
        (
            "lag: outcome moved only before the lag ran out",
            [weekly([100] * 9)],
            [weekly([10, 20, 30, 40, 50, 60, 60, 60, 60])],
            False,
            6,
            MAY_NOT_HOLD,
        ),
    ],
)
def test_a_link_is_judged_with_its_lag(
    case: str,
    driver: list[Track],
    outcome: list[Track],
    outcome_on_track: bool,
    lag: int,
    verdict: str,
) -> None:
    assert judge_link(driver, outcome, outcome_on_track, lag, TODAY, 0.1) == verdict, case


def _lagged_sample(database: Database, lag: str) -> None:
    """Loyalty on target for months; repeat revenue flat at its baseline the whole time."""
    load_sample(database)
    text = export_scorecard(database, "T0DEMO")
    spec = yaml.safe_load(text)
    loyalty = next(o for o in spec["objectives"] if o["key"] == "loyalty")
    loyalty["supports"] = [{"objective": "revenue", "lag": lag}]
    import_scorecard(database, yaml.safe_dump(spec, sort_keys=False))
    for weeks_ago in range(12, -1, -1):
        day = TODAY - timedelta(weeks=weeks_ago)
        add_reading(database, "instagram_followers", 15100, day)
        add_reading(database, "engagement_rate", 4.2, day)
        add_reading(database, "repeat_revenue", 20000, day)


def test_the_digest_doubts_a_lagged_link_once_its_lag_has_passed(database: Database) -> None:
    _lagged_sample(database, "6 weeks")

    text, _ = digest_text(database)

    doubt = text[text.index("The link may not hold") :].split("\n")[1]
    assert "Keep members loyal" in doubt and "Grow repeat revenue" in doubt
    assert "up to 6 weeks ago" in doubt
    assert "in the 6 weeks the link expects" in doubt


def test_the_digest_waits_for_data_when_the_lag_is_longer_than_the_history(
    database: Database,
) -> None:
    _lagged_sample(database, "52 weeks")

    text, _ = digest_text(database)

    assert "The link may not hold" not in text


def test_a_retired_link_is_no_longer_tested_and_the_decision_is_exported(
    database: Database,
) -> None:
    _lagged_sample(database, "6 weeks")
    with database.writing() as session:
        scorecard = session.exec(select(Scorecard)).one()
        decide_link(
            session,
            scorecard,
            "loyalty",
            "revenue",
            "retire",
            "U0EXEC",
            date(2026, 11, 20),
            "revenue follows price, not loyalty",
        )

    text, _ = digest_text(database)
    exported = yaml.safe_load(export_scorecard(database, "T0DEMO"))

    assert "The link may not hold" not in text
    loyalty = next(o for o in exported["objectives"] if o["key"] == "loyalty")
    assert loyalty["supports"] == [
        {
            "objective": "revenue",
            "lag": "6 weeks",
            "review": {
                "decision": "retire",
                "by": "U0EXEC",
                "day": date(2026, 11, 20),
                "note": "revenue follows price, not loyalty",
            },
        }
    ]
    # Re-importing the export keeps the decision; the file round-trips.
    import_scorecard(database, export_scorecard(database, "T0DEMO"))
    with database.reading() as session:
        link = session.exec(select(ObjectiveLink).where(ObjectiveLink.decision.is_not(None))).one()  # type: ignore[union-attr]
        assert (link.decision, link.lag_weeks, link.decided_by) == ("retire", 6, "U0EXEC")


def test_deciding_on_a_link_that_does_not_exist_says_so(database: Database) -> None:
    load_sample(database)
    with database.writing() as session:
        scorecard = session.exec(select(Scorecard)).one()
        with pytest.raises(UserError, match="doesn't support"):
            decide_link(session, scorecard, "revenue", "loyalty", "keep", None, TODAY)
        with pytest.raises(UserError, match="kept, revised or retired"):
            decide_link(session, scorecard, "loyalty", "revenue", "drop", None, TODAY)
        # A moment is the scorecard's local day: 23:30 UTC is the next day in Amsterdam.
        late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
        link = decide_link(session, scorecard, "loyalty", "revenue", "keep", "U0EXEC", late)
        assert (link.decision, link.decided_on, link.decision_note) == ("keep", TODAY, None)
