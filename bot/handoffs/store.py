"""Handoff records in the database: add (idempotently), list, count, get, change status, notes.

Each method is one unit of work in its own session and returns views, never ORM
objects. Database trouble reaches callers as `HandoffStoreUnavailable` only, so the
actions and the staff API handle one exception instead of SQLAlchemy's hierarchy.
"""
from __future__ import annotations

import unicodedata
from typing import ContextManager, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Select

from bot.db.models import KINDS, STATUSES, Handoff, HandoffNote
from bot.db.session import unit_of_work
from bot.handoffs import HandoffStoreUnavailable
from bot.handoffs.request import HandoffRequest, check_choice
from bot.handoffs.view import HandoffView, NoteView

MAX_LIST_LIMIT = 500
MAX_NOTE_LENGTH: int = HandoffNote.__table__.c.text.type.length


def clean_note(text: object) -> str:
    """A note as stored: line breaks and tabs kept (staff write short lists), other control
    characters and lone surrogates dropped, outer whitespace trimmed.

    ValueError unless that leaves 1 to MAX_NOTE_LENGTH characters: staff typed the note,
    so it is refused with the reason rather than silently cut.
    """
    if not isinstance(text, str):
        raise ValueError(f"the note must be text, not {type(text).__name__}")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = "\n".join(_printable(line).rstrip() for line in lines).strip()
    if not kept:
        raise ValueError("the note is empty")
    if len(kept) > MAX_NOTE_LENGTH:
        raise ValueError(f"the note has {len(kept)} characters; at most {MAX_NOTE_LENGTH} fit")
    return kept


def _printable(line: str) -> str:
    return "".join(char for char in line if char == "\t" or unicodedata.category(char) not in ("Cc", "Cs"))


class HandoffStore:
    """The `handoffs` table behind a small API; `sessions` comes from `bot.db.engine.session_factory`."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def add(self, request: HandoffRequest) -> Tuple[HandoffView, bool]:
        """Store `request` unless an identical one is open; return the handoff and whether it is new.

        Two identical requests racing each other both pass the first lookup; the unique
        dedupe key lets one insert win and the other return the winner's row.
        """
        key = request.dedupe_key
        with self._session() as session:
            existing = _by_key(session, key)
            if existing is not None:
                return HandoffView.from_row(existing), False
            row = Handoff(**request.columns(), dedupe_key=key)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                existing = _by_key(session, key)
                if existing is None:
                    raise
                return HandoffView.from_row(existing), False
            return HandoffView.from_row(row), True

    def list(
        self, status: Optional[str] = None, kind: Optional[str] = None, limit: int = 100, offset: int = 0
    ) -> List[HandoffView]:
        """Handoffs newest first, optionally only one status and/or kind."""
        query = _filtered(select(Handoff), status, kind)
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIST_LIMIT}")
        if offset < 0:
            raise ValueError("offset must not be negative")
        query = query.order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit).offset(offset)
        with self._session() as session:
            return [HandoffView.from_row(row) for row in session.scalars(query)]

    def count(self, status: Optional[str] = None, kind: Optional[str] = None) -> int:
        """How many handoffs there are, optionally only one status and/or kind (for the queue's pages)."""
        query = _filtered(select(func.count()).select_from(Handoff), status, kind)
        with self._session() as session:
            return session.scalar(query) or 0

    def get(self, handoff_id: int) -> Optional[HandoffView]:
        """One handoff, or None if there is no such id."""
        with self._session() as session:
            row = session.get(Handoff, handoff_id)
            return HandoffView.from_row(row) if row else None

    def set_status(self, handoff_id: int, status: str) -> Optional[HandoffView]:
        """Change a handoff's status; None if there is no such id.

        Closing a handoff frees its dedupe key: the same patient asking the same thing
        again later is a new request for staff, not a duplicate of a finished one.
        """
        check_choice("status", status, STATUSES)
        with self._session() as session:
            row = session.get(Handoff, handoff_id)
            if row is None:
                return None
            row.status = status
            if status == "closed":
                row.dedupe_key = None
            session.commit()
            return HandoffView.from_row(row)

    def add_note(self, handoff_id: int, author: str, text: str) -> Optional[NoteView]:
        """Add a note (cleaned by `clean_note`, which raises ValueError); None if there is no such handoff."""
        text = clean_note(text)
        with self._session() as session:
            if session.get(Handoff, handoff_id) is None:
                return None
            row = HandoffNote(handoff_id=handoff_id, author=author, text=text)
            session.add(row)
            session.commit()
            return NoteView.from_row(row)

    def notes(self, handoff_id: int) -> List[NoteView]:
        """A handoff's notes, oldest first (they read as a log of what staff did)."""
        query = (
            select(HandoffNote)
            .where(HandoffNote.handoff_id == handoff_id)
            .order_by(HandoffNote.created_at, HandoffNote.id)
        )
        with self._session() as session:
            return [NoteView.from_row(row) for row in session.scalars(query)]

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, HandoffStoreUnavailable, "handoff database")


def _filtered(query: Select, status: Optional[str], kind: Optional[str]) -> Select:
    """`query` narrowed to one status and/or kind (each checked against the known values)."""
    check_choice("status", status, STATUSES)
    check_choice("kind", kind, KINDS)
    if status:
        query = query.where(Handoff.status == status)
    if kind:
        query = query.where(Handoff.kind == kind)
    return query


def _by_key(session: Session, key: str) -> Optional[Handoff]:
    return session.scalars(select(Handoff).where(Handoff.dedupe_key == key)).first()
