"""The audit log: who viewed a transcript or changed a handoff, and when.

Entries are only ever added; the database refuses UPDATE and DELETE on `audit_log`
(migration 0003), so not even this process can rewrite history. Details say what
changed ("new -> contacted") and never carry patient text or note text: the log is
kept longer than the conversations it talks about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, ContextManager, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import AuditEntry, utcnow
from bot.db.session import unit_of_work

MAX_ENTRIES = 1000
_ACTOR_LENGTH: int = AuditEntry.__table__.c.actor.type.length
_ACTION_LENGTH: int = AuditEntry.__table__.c.action.type.length


@dataclass(frozen=True)
class AuditEntryView:
    """One entry, as plain values."""

    at: datetime
    actor: str
    action: str
    handoff_id: Optional[int]
    detail: Optional[str]


class AuditLog:
    """Append to and read `audit_log`; `clock` is injectable so tests control `at`."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def record(self, actor: str, action: str, handoff_id: Optional[int] = None, detail: Optional[str] = None) -> None:
        """Add one entry and commit it. An over-long actor is cut to the column rather than
        refused, so an entry is never lost to what someone typed."""
        if not action or len(action) > _ACTION_LENGTH:
            raise ValueError(f"action must be 1 to {_ACTION_LENGTH} characters, not {action!r}")
        entry = AuditEntry(
            at=self._clock(), actor=actor[:_ACTOR_LENGTH], action=action, handoff_id=handoff_id, detail=detail
        )
        with self._session() as session:
            session.add(entry)
            session.commit()

    def entries(self, handoff_id: Optional[int] = None, limit: int = 200) -> List[AuditEntryView]:
        """The newest `limit` entries, newest first; only one handoff's when `handoff_id` is given."""
        if not 1 <= limit <= MAX_ENTRIES:
            raise ValueError(f"limit must be between 1 and {MAX_ENTRIES}")
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        if handoff_id is not None:
            query = query.where(AuditEntry.handoff_id == handoff_id)
        with self._session() as session:
            return [
                AuditEntryView(row.at, row.actor, row.action, row.handoff_id, row.detail)
                for row in session.scalars(query)
            ]

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, what="audit log")
