"""Who opened Scorecard's Home tab, and when: one row per person and workspace."""

from datetime import datetime

from sqlmodel import Session

from storage.models import HomeTabView
from storage.upserts import insert_on_conflict


def record_home_opened(session: Session, workspace: str, user: str, at: datetime) -> None:
    """Note that `user` opened the Home tab at `at` (one upsert, whichever came before)."""
    statement = insert_on_conflict(session, HomeTabView).values(
        workspace=workspace, user=user, opened_at=at
    )
    statement = statement.on_conflict_do_update(
        index_elements=["workspace", "user"], set_={"opened_at": at}
    )
    session.execute(statement)


def home_opened_at(session: Session, workspace: str, user: str) -> datetime | None:
    """When `user` last opened the Home tab in `workspace`; None when never (or forgotten)."""
    view = session.get(HomeTabView, (workspace, user))
    return view.opened_at if view is not None else None
