"""Claims on Slack's request ids: taken once, released for a retry, dropped after a day."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from storage.db import Database
from storage.models import RequestClaim
from storage.request_claims import (
    DROP_OLD_CLAIMS_EVERY,
    KEEP_CLAIMS_FOR,
    claim_request,
    release_request,
)

# Far from any other test's clock, so this process's last drop of old claims is long past.
NOW = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


def claimed_keys(database: Database) -> list[str]:
    with database.reading() as session:
        return sorted(session.exec(select(RequestClaim.key)).all())


def test_a_request_is_claimed_once_and_a_released_one_may_run_again(database: Database) -> None:
    assert claim_request(database, "command:trigger.1:/kpi", "T0DEMO", NOW) is True
    assert claim_request(database, "command:trigger.1:/kpi", "T0DEMO", NOW) is False

    release_request(database, "command:trigger.1:/kpi")

    assert claim_request(database, "command:trigger.1:/kpi", "T0DEMO", NOW) is True


def test_claims_older_than_a_day_are_dropped_every_few_minutes(database: Database) -> None:
    claim_request(database, "event:Ev1", "T0DEMO", NOW)  # old claims dropped now, if ever
    claim_request(database, "event:Ev2", "T0DEMO", NOW + timedelta(minutes=5))
    a_day_later = NOW + KEEP_CLAIMS_FOR

    claim_request(database, "event:Ev3", "T0DEMO", a_day_later + timedelta(minutes=2))
    assert claimed_keys(database) == ["event:Ev2", "event:Ev3"]  # Ev1 was over a day old

    claim_request(database, "event:Ev4", "T0DEMO", a_day_later + timedelta(minutes=8))
    assert claimed_keys(database) == ["event:Ev2", "event:Ev3", "event:Ev4"]  # not due again yet

    claim_request(database, "event:Ev5", "T0DEMO", a_day_later + DROP_OLD_CLAIMS_EVERY * 2)
    assert claimed_keys(database) == ["event:Ev3", "event:Ev4", "event:Ev5"]
