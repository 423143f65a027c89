"""Claims on requests from Slack: the storage half of handling each request exactly once.

A claim is one INSERT … ON CONFLICT DO NOTHING in a short write: it is taken by every request
that changes anything, so it is kept to one statement, without the ORM's unit of work. Old
claims are dropped every few minutes, in the write of whichever claim comes due first.
"""

import threading
from datetime import datetime, timedelta

from sqlmodel import col, delete

from storage.db import Database
from storage.models import RequestClaim
from storage.upserts import insert_on_conflict

# Slack refuses signatures older than five minutes and retries an event for about an hour.
KEEP_CLAIMS_FOR = timedelta(days=1)
# How often claims older than KEEP_CLAIMS_FOR are dropped, per process.
DROP_OLD_CLAIMS_EVERY = timedelta(minutes=10)


class _OldClaims:
    """When this process last dropped old claims: at most once every DROP_OLD_CLAIMS_EVERY."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dropped_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        with self._lock:
            if self._dropped_at is not None and now - self._dropped_at < DROP_OLD_CLAIMS_EVERY:
                return False
            self._dropped_at = now
            return True


_old_claims = _OldClaims()


def claim_request(database: Database, key: str, workspace: str, now: datetime) -> bool:
    """Claim `key` for this request: True the first time, False when it was claimed before.

    Raises `CannotSaveNow` or `StoreBusy` when nothing can be written now.
    """
    with database.writing() as session:
        if _old_claims.due(now):
            session.execute(
                delete(RequestClaim).where(col(RequestClaim.claimed_at) < now - KEEP_CLAIMS_FOR)
            )
        values = {"key": key, "workspace": workspace, "claimed_at": now}
        statement = insert_on_conflict(session, RequestClaim).values(values)
        statement = statement.on_conflict_do_nothing()
        inserted = session.execute(statement.returning(col(RequestClaim.key))).first()
    return inserted is not None


def release_request(database: Database, key: str) -> None:
    """Forget a claim, so the same request may run again (it ended with nothing done)."""
    with database.writing() as session:
        session.execute(delete(RequestClaim).where(col(RequestClaim.key) == key))
