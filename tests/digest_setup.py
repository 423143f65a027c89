"""A scorecard in the state the digest tests need: a stalled action, an overdue KPI reading, an
action that serves no objective, and KPIs with some history."""

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from scorecard.importing import import_scorecard
from storage.db import Database
from storage.models import Action, Kpi, Reading, Scorecard
from tests.conftest import TEST_NOW
from tests.sample import SAMPLE_SCORECARD

WORKSPACE = "T0DEMO"
TODAY = date(2026, 11, 24)  # TEST_NOW's date: a Tuesday


def moment(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


def add_reading(database: Database, kpi_key: str, value: float, day: date) -> None:
    with database.writing() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == kpi_key)).one()
        session.add(
            Reading(
                scorecard_id=kpi.scorecard_id,
                kpi_id=kpi.id,
                period=day,
                value=value,
                logged_by=kpi.owner or "U0LEAD",
                logged_at=moment(day),
            )
        )


def load_sample(database: Database) -> None:
    """The sample scorecard a few weeks in: KPIs created a month ago, readings since."""
    import_scorecard(database, SAMPLE_SCORECARD)
    a_month_ago = TEST_NOW - timedelta(days=30)
    with database.writing() as session:
        for kpi in session.exec(select(Kpi)).all():
            kpi.created_at = a_month_ago
            session.add(kpi)
        for action in session.exec(select(Action)).all():
            action.created_at = a_month_ago
            action.last_update_at = TEST_NOW - timedelta(days=2)
            session.add(action)
        weekly_qa = session.exec(select(Action).where(Action.key == "weekly_qa")).one()
        weekly_qa.last_update_at = TEST_NOW - timedelta(days=20)  # stalled
        session.add(weekly_qa)
    for weeks_ago, followers, engagement in ((3, 11000, 2.5), (2, 11500, 2.8), (1, 12000, 3.1)):
        day = TODAY - timedelta(days=7 * weeks_ago)
        add_reading(database, "instagram_followers", followers, day)
        add_reading(database, "engagement_rate", engagement, day)
    add_reading(database, "instagram_followers", 13500, TODAY)  # a big move this week
    add_reading(database, "engagement_rate", 3.2, TODAY)
    add_reading(database, "response_time", 5.5, TODAY - timedelta(days=5))  # daily: overdue
    add_reading(database, "repeat_revenue", 21000, TODAY - timedelta(days=10))


def scorecard_of(database: Database) -> Scorecard:
    with database.reading() as session:
        return session.exec(select(Scorecard).where(Scorecard.workspace == WORKSPACE)).one()
