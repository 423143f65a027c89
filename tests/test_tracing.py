"""/why's lookup and trace: exact names straight from SQL, fuzzy names as before, few queries."""

from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from scorecard import tracing
from scorecard.errors import UserError
from scorecard.importing import import_scorecard
from scorecard.overview import load_overview
from scorecard.tracing import Choices, Trace, trace_to_mission
from storage.db import Database
from storage.models import Action, Kpi, Reading, Scorecard
from tests.conftest import TEST_NOW
from tests.sample import SAMPLE_SCORECARD

WORKSPACE = "T0DEMO"


@pytest.fixture
def sample(database: Database) -> Database:
    import_scorecard(database, SAMPLE_SCORECARD)
    return database


def why(database: Database, query: str, workspace: str = WORKSPACE) -> Trace | Choices:
    with database.reading() as session:
        return trace_to_mission(session, workspace, query, TEST_NOW)


def trace_of(database: Database, query: str) -> Trace:
    found = why(database, query)
    assert isinstance(found, Trace), found
    return found


def log_reading(database: Database, kpi_key: str, value: float) -> None:
    with database.writing() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == kpi_key)).one()
        session.add(
            Reading(
                scorecard_id=kpi.scorecard_id,
                kpi_id=kpi.id,
                period=date(2026, 11, 23),
                value=value,
                logged_by="U0X",
            )
        )


def test_an_exact_key_is_found_without_reading_every_name(
    sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracing, "names_of", lambda *args: pytest.fail("read every name"))

    trace = trace_of(sample, "weekly_qa")

    assert (trace.kind, trace.title) == ("action", "Weekly live Q&A")
    assert trace.action is not None and trace.action.owner == "U0COMMUNITY"
    assert trace.objective is not None
    assert trace.objective.objective.title == "Answer product questions within 2 hours"
    assert [[step.objective.key for step in path] for path in trace.paths] == [
        ["loyalty", "revenue"]
    ]
    assert [view.kpi.key for view in trace.objective.kpis] == ["response_time"]


def test_an_exact_title_in_another_case_is_found_without_reading_every_name(
    sample: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracing, "names_of", lambda *args: pytest.fail("read every name"))

    assert trace_of(sample, "KEEP MEMBERS LOYAL").objective.objective.key == "loyalty"
    assert trace_of(sample, "Engagement Rate").kpi.kpi.key == "engagement_rate"
    assert trace_of(sample, "weekly live q&a").action.key == "weekly_qa"


def test_a_loosely_typed_name_still_finds_the_action(sample: Database) -> None:
    trace = trace_of(sample, "weekly live qa")

    assert trace.action is not None and trace.action.key == "weekly_qa"


def test_several_matches_are_listed_actions_first(sample: Database) -> None:
    found = why(sample, "product")

    assert isinstance(found, Choices)
    assert [(c.kind, c.key) for c in found.candidates] == [
        ("action", "pm_training"),
        ("objective", "fast_answers"),
        ("objective", "trained_pms"),
    ]


def test_items_with_the_same_name_are_all_listed(sample: Database) -> None:
    with sample.writing() as session:
        session.add(
            Action(
                scorecard_id=_scorecard_id(session), key="loyalty_drive", title="Keep members loyal"
            )
        )

    found = why(sample, "keep members loyal")

    assert isinstance(found, Choices)
    assert [(c.kind, c.key) for c in found.candidates] == [
        ("action", "loyalty_drive"),
        ("objective", "loyalty"),
    ]


def test_an_archived_action_is_not_found(sample: Database) -> None:
    with sample.writing() as session:
        action = session.exec(select(Action).where(Action.key == "daily_memes")).one()
        action.archived = True

    for query in ("daily_memes", "Daily meme posts"):
        with pytest.raises(UserError, match="Nothing on the scorecard is called"):
            why(sample, query)


def test_another_workspace_sees_only_its_own_items(sample: Database) -> None:
    other = SAMPLE_SCORECARD.replace("workspace: T0DEMO", "workspace: T0OTHER")
    other = other.replace("Weekly live Q&A", "Monthly town hall")
    import_scorecard(sample, other)

    with pytest.raises(UserError, match="Nothing on the scorecard is called"):
        why(sample, "weekly live q&a", workspace="T0OTHER")
    trace = why(sample, "weekly_qa", workspace="T0OTHER")
    assert isinstance(trace, Trace) and trace.title == "Monthly town hall"
    with sample.reading() as session:
        assert trace.action is not None and trace.action.scorecard_id != _scorecard_id(session)


def test_statuses_on_the_trace_match_the_overview(sample: Database) -> None:
    log_reading(sample, "response_time", 9)  # worse than the baseline: off track
    log_reading(sample, "instagram_followers", 16000)  # past the target: on track
    log_reading(sample, "engagement_rate", 1)

    trace = trace_of(sample, "response time")

    with sample.reading() as session:
        scorecard = session.exec(select(Scorecard)).one()
        overview = load_overview(session, scorecard, TEST_NOW.date())
    by_key = {view.objective.key: view for view in overview.objectives.values()}
    assert trace.kpi is not None and trace.kpi.status == "off_track"
    assert trace.kpi.value == 9
    shown = [trace.objective, *(step for path in trace.paths for step in path)]
    assert [o.objective.key for o in shown] == ["fast_answers", "loyalty", "revenue"]
    for view in shown:
        assert (view.status, view.score) == (
            by_key[view.objective.key].status,
            by_key[view.objective.key].score,
        )


def test_why_sends_as_many_queries_for_500_actions_as_for_10(database: Database) -> None:
    import_scorecard(database, SAMPLE_SCORECARD)
    counts = []
    for actions in (10, 500):
        _add_actions(database, actions)
        counts.append(
            [
                _statements(database, query)
                for query in ("action_3", "Action number 4", "engagement rate", "weekly live qa")
            ]
        )

    assert counts[0] == counts[1]
    # At most: SQLite's BEGIN, the scorecard, names spelled exactly and (on a miss) all names,
    # perspectives, objectives and links, the KPIs with their readings, the action.
    assert max(counts[0]) <= 9, counts


def _add_actions(database: Database, total: int) -> None:
    with database.writing() as session:
        scorecard_id = _scorecard_id(session)
        present = len(session.exec(select(Action.id)).all())
        for number in range(present, total):
            session.add(
                Action(
                    scorecard_id=scorecard_id,
                    key=f"action_{number}",
                    title=f"Action number {number}",
                    position=number,
                )
            )


def _statements(database: Database, query: str) -> int:
    statements = []

    def record(*args: object) -> None:
        statements.append(args[2])

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        assert isinstance(why(database, query), Trace)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return len(statements)


def _scorecard_id(session: Session) -> int:
    return session.exec(select(Scorecard.id).where(Scorecard.workspace == WORKSPACE)).one()
