"""Handoff records in the database: add (idempotently), list, count, get, change status, notes.

Red flags are added differently: at most one alert per conversation per hour for the
same symptom groups (`RED_FLAG_WINDOW`), and the queue lists open ones first.

Each method is one unit of work in its own session and returns views, never ORM
objects. Database trouble reaches callers as `HandoffStoreUnavailable` only, so the
actions and the staff API handle one exception instead of SQLAlchemy's hierarchy.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any, Callable, ContextManager, List, Optional, Sequence, Set, Tuple

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import KINDS, RED_FLAG, STATUSES, Handoff, HandoffNote, utcnow
from bot.db.session import unit_of_work
from bot.handoffs import HandoffStoreUnavailable
from bot.handoffs.request import UNSPECIFIED_GROUP, HandoffRequest, booking_kind, check_choice, split_groups
from bot.handoffs.view import HandoffView, NoteView

MAX_LIST_LIMIT = 500
MAX_PINNED = 500  # conversations pinned first: bound parameters stay below SQLite's oldest limit of 999
MAX_SEARCH_LENGTH = 100
MIN_PHONE_DIGITS = 4  # a search of this many digits (and no letters) also matches a number written another way
# A conversation's red flag alerts staff once per group within this time.
RED_FLAG_WINDOW = timedelta(hours=1)
MAX_NOTE_LENGTH: int = HandoffNote.__table__.c.text.type.length
# A conversation's requests within this time of its open one are one request (Rasa's
# session ends after an idle hour too): see `HandoffStore.add`.
SAME_REQUEST_WINDOW = timedelta(hours=1)
# Which kind a handoff keeps when a conversation's requests are folded into one: the one
# that asks most of staff (a booking answers "call me"; a screening to review is a booking and more).
KIND_WEIGHT = {"question": 0, "booking": 1, "screening": 2}


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
    """The `handoffs` table behind a small API; `sessions` comes from `bot.db.engine.session_factory`.

    `clock` stamps new handoffs and decides the red-flag window (tests pass their own).
    """

    def __init__(
        self,
        sessions: sessionmaker,
        clock: Callable[[], datetime] = utcnow,
        red_flag_window: timedelta = RED_FLAG_WINDOW,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._red_flag_window = red_flag_window

    def add(self, request: HandoffRequest) -> Tuple[HandoffView, bool]:
        """Store `request` unless an identical one is open; return the handoff and whether it is new.

        Two identical requests racing each other both pass the first lookup; the unique
        dedupe key lets one insert win and the other return the winner's row. A red
        flag is "identical" by its groups and time instead (`_red_flag_key`).

        One patient request is one handoff: a request from a conversation whose last
        request is still new and less than SAME_REQUEST_WINDOW old updates that handoff
        (`_fold_into`) instead of adding a second row. A booking confirmed after the
        patient asked for a person mid-form was a "Question" row plus a "Screening" row
        for one conversation; staff then called the same patient twice. Red flags always
        stand alone: each must be seen as one.
        """
        with self._session() as session:
            if request.kind == RED_FLAG:
                # The key first: a rival committing between the two reads is then either
                # seen by the window check or met at the insert with the same key.
                key = _red_flag_key(session, request)
                recent = self._recent_alert(session, request)
                if recent is not None:
                    return HandoffView.from_row(recent), False
            else:
                key = request.dedupe_key
            existing = _by_key(session, key)
            if existing is not None:
                return HandoffView.from_row(existing), False
            if request.kind != RED_FLAG:
                open_request = self._open_request(session, request.sender_id)
                if open_request is not None:
                    _fold_into(open_request, request, key)
                    session.commit()
                    return HandoffView.from_row(open_request), False
            row = Handoff(**request.columns(), dedupe_key=key, created_at=self._clock())
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

    def _open_request(self, session: Session, sender_id: str) -> Optional[Handoff]:
        """The conversation's newest request (no red flag) that staff have not started on,
        if it came in less than SAME_REQUEST_WINDOW ago."""
        query = (
            select(Handoff)
            .where(
                Handoff.sender_id == sender_id,
                Handoff.kind != RED_FLAG,
                Handoff.status == "new",
                Handoff.created_at > self._clock() - SAME_REQUEST_WINDOW,
            )
            .order_by(Handoff.created_at.desc(), Handoff.id.desc())
            .limit(1)
        )
        return session.scalars(query).first()

    def _recent_alert(self, session: Session, request: HandoffRequest) -> Optional[Handoff]:
        """The conversation's newest red flag of the last `red_flag_window`, if that window
        already alerted staff to every group of `request` (None: this one is news).

        A closed red flag does not count: staff finished with it, so a new report
        after that is new work for them. "unspecified" (the model flagged the message
        but no rule named a group) adds nothing to an alert of the last hour, whatever
        its groups: staff already know this patient reported a warning sign.
        """
        query = (
            select(Handoff)
            .where(
                Handoff.kind == RED_FLAG,
                Handoff.sender_id == request.sender_id,
                Handoff.status != "closed",
                Handoff.created_at > self._clock() - self._red_flag_window,
            )
            .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        )
        recent = list(session.scalars(query))
        if not recent:
            return None
        alerted: Set[str] = {group for row in recent for group in split_groups(row.red_flags)}
        if set(request.groups) - {UNSPECIFIED_GROUP} <= alerted:
            return recent[0]
        return None

    def list(
        self,
        status: Optional[str] = None,
        kind: Optional[str] = None,
        limit: int = 100,
        offset: int = 0,
        *,
        search: Optional[str] = None,
        pinned: Sequence[str] = (),
    ) -> List[HandoffView]:
        """Open (`new`) red flags first, then the conversations in `pinned` (sender ids, in
        that order: the console pins those waiting for a reply), then the rest; each part
        newest first, the id breaking ties so that pages never overlap.

        Optionally only one status and/or kind, and only names or contacts that contain
        `search` (`matching`).
        """
        query = _filtered(select(Handoff), status, kind, search)
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIST_LIMIT}")
        if offset < 0:
            raise ValueError("offset must not be negative")
        if len(pinned) > MAX_PINNED:
            raise ValueError(f"at most {MAX_PINNED} conversations can be pinned")
        open_red_flag = case((and_(Handoff.kind == RED_FLAG, Handoff.status == "new"), 0), else_=1)
        order: List[Any] = [open_red_flag]
        if pinned:
            order.append(
                case({sender: rank for rank, sender in enumerate(pinned)}, value=Handoff.sender_id, else_=len(pinned))
            )
        query = query.order_by(*order, Handoff.created_at.desc(), Handoff.id.desc()).limit(limit).offset(offset)
        with self._session() as session:
            return [HandoffView.from_row(row) for row in session.scalars(query)]

    def count(self, status: Optional[str] = None, kind: Optional[str] = None, search: Optional[str] = None) -> int:
        """How many handoffs `list` would page through with the same filters (for the queue's pages)."""
        query = _filtered(select(func.count()).select_from(Handoff), status, kind, search)
        with self._session() as session:
            return session.scalar(query) or 0

    def latest_change(self) -> Tuple[int, Optional[datetime]]:
        """The newest handoff's id and the latest time any handoff changed: when either
        moves, the queue has something new (a handoff, a status)."""
        with self._session() as session:
            newest, changed = session.execute(select(func.max(Handoff.id), func.max(Handoff.updated_at))).one()
            return newest or 0, changed

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


def _filtered(query: Select, status: Optional[str], kind: Optional[str], search: Optional[str] = None) -> Select:
    """`query` narrowed to one status and/or kind (each checked against the known values)
    and to `matching(search)`."""
    check_choice("status", status, STATUSES)
    check_choice("kind", kind, KINDS)
    if status:
        query = query.where(Handoff.status == status)
    if kind:
        query = query.where(Handoff.kind == kind)
    if search and search.strip():
        query = query.where(matching(search))
    return query


def matching(search: str) -> ColumnElement:
    """Handoffs whose name or contact contains `search`, ignoring case; a phone number
    matches however it is written ("(917) 555-0163" finds "+19175550163").

    The text is a bound parameter with LIKE's wildcards escaped: it is only ever text to
    look for, never SQL or a pattern.
    """
    words = " ".join(search.split())[:MAX_SEARCH_LENGTH]
    conditions = [
        Handoff.name.ilike(_contains(words), escape="\\"),
        Handoff.contact.ilike(_contains(words), escape="\\"),
    ]
    digits = "".join(char for char in words if "0" <= char <= "9")
    if len(digits) >= MIN_PHONE_DIGITS and not any(char.isalpha() for char in words):
        conditions.append(Handoff.contact.like(_contains(digits), escape="\\"))
    return or_(*conditions)


def _contains(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fold_into(row: Handoff, request: HandoffRequest, key: str) -> None:
    """`request` added to the open handoff `row` of the same conversation: the kind that
    asks most of staff (`KIND_WEIGHT`), every detail the request gives (the latest the
    patient confirmed), the others kept; the request's key, so a retry of it is a duplicate."""
    if KIND_WEIGHT[request.kind] >= KIND_WEIGHT[row.kind]:
        row.kind = request.kind
    for name, value in request.columns().items():
        if name not in ("kind", "sender_id", "channel", "red_flags") and value is not None:
            setattr(row, name, value)
    if row.kind == "booking":  # a screening kept from an earlier request still needs its review
        row.kind = booking_kind(row.screening_outcome)
    row.dedupe_key = key


def _red_flag_key(session: Session, request: HandoffRequest) -> str:
    """The red flag's dedupe key, after the conversation's newest red flag so far."""
    newest = session.scalar(
        select(func.max(Handoff.id)).where(Handoff.kind == RED_FLAG, Handoff.sender_id == request.sender_id)
    )
    return request.red_flag_key(after=newest)


def _by_key(session: Session, key: str) -> Optional[Handoff]:
    return session.scalars(select(Handoff).where(Handoff.dedupe_key == key)).first()
