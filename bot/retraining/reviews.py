"""Staff decisions about unanswered texts (table `unanswered_reviews`, migration 0009).

A decision covers the texts staff ticked in one group: each is stored redacted
(bot.retraining.redaction, with the names the same patient gave in a booking), under
the hash of its folded original text, so the to-do list can leave it out and a patient's
contact details never reach the training data. Deciding about a text again replaces the
earlier decision.

Every method does blocking database I/O: async callers run it in a worker thread.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, ContextManager, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import ASSIGN, NEW_ANSWER, REVIEW_DECISIONS, Handoff, UnansweredReview, utcnow
from bot.db.session import unit_of_work
from bot.retraining.redaction import redact

MAX_NOTE = 500
SENDERS_PER_QUERY = 500  # below SQLite's oldest limit of bound parameters


def text_key(folded: str) -> str:
    """The stored key of a text folded by `bot.transcripts.unanswered.fold_key`: a hash, so
    the table never holds the unredacted text."""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ToReview:
    """One text staff decided about: its folded key, what the patient wrote, and who wrote it."""

    key: str  # fold_key(text)
    text: str
    sender_id: str


@dataclass(frozen=True)
class ReviewView:
    """One stored decision, as plain values (the text already redacted)."""

    batch: str
    text: str
    decision: str
    intent: Optional[str]
    note: Optional[str]
    reviewer: str
    reviewed_at: datetime
    text_key: str


@dataclass(frozen=True)
class NewAnswerRequest:
    """A "needs a new answer" decision for the content owner: its texts, note, and who decided."""

    batch: str
    texts: Tuple[str, ...]
    keys: Tuple[str, ...]
    note: Optional[str]
    reviewer: str
    reviewed_at: datetime


class Reviews:
    """Read and write `unanswered_reviews`; `clock` is injectable so tests control the times."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def decide(
        self, texts: Sequence[ToReview], decision: str, reviewer: str, intent: Optional[str] = None, note: str = ""
    ) -> str:
        """Store one decision about `texts` (ValueError for a bad one); returns its batch id."""
        note = " ".join(note.split())
        if decision not in REVIEW_DECISIONS:
            raise ValueError(f"the decision must be one of {', '.join(REVIEW_DECISIONS)}")
        if not texts:
            raise ValueError("tick at least one message")
        if (decision == ASSIGN) != bool(intent):
            raise ValueError(
                "choose the question the messages ask" if decision == ASSIGN else "only an assignment has a question"
            )
        if len(note) > MAX_NOTE:
            raise ValueError(f"the note may be at most {MAX_NOTE} characters")
        batch, now = uuid.uuid4().hex, self._clock()
        by_key = {text_key(item.key): item for item in texts}  # one row per text: the table's key is unique
        with self._session() as session:
            names = _names_by_sender(session, {item.sender_id for item in texts})
            session.execute(delete(UnansweredReview).where(UnansweredReview.text_key.in_(list(by_key))))
            for key, item in by_key.items():
                session.add(UnansweredReview(
                    text_key=key, batch=batch, text=redact(item.text, names.get(item.sender_id, ())),
                    decision=decision, intent=intent if decision == ASSIGN else None,
                    note=note or None if decision == NEW_ANSWER else None, reviewer=reviewer, reviewed_at=now,
                ))  # fmt: skip
            session.commit()
        return batch

    def reviewed_keys(self) -> Set[str]:
        """The keys (`text_key`) of every text decided about."""
        with self._session() as session:
            return set(session.scalars(select(UnansweredReview.text_key)))

    def names(self, sender_ids: Iterable[str]) -> Dict[str, List[str]]:
        """The names each of `sender_ids` gave in a booking (for `redact`)."""
        with self._session() as session:
            return _names_by_sender(session, set(sender_ids))

    def decisions(self, limit: int, offset: int = 0) -> Tuple[List[ReviewView], int]:
        """One page of decisions, newest first, and how many there are."""
        query = select(UnansweredReview).order_by(UnansweredReview.reviewed_at.desc(), UnansweredReview.id)
        with self._session() as session:
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            total = session.scalar(select(func.count()).select_from(UnansweredReview)) or 0
            return [_view(row) for row in rows], total

    def training_examples(self) -> List[Tuple[str, str]]:
        """(intent, redacted text) of every assignment."""
        query = select(UnansweredReview.intent, UnansweredReview.text).where(UnansweredReview.decision == ASSIGN)
        with self._session() as session:
            return [(str(intent), str(text)) for intent, text in session.execute(query)]

    def new_answer_requests(self) -> List[NewAnswerRequest]:
        """The "needs a new answer" decisions, one per batch, newest first."""
        query = (
            select(UnansweredReview)
            .where(UnansweredReview.decision == NEW_ANSWER)
            .order_by(UnansweredReview.reviewed_at.desc(), UnansweredReview.id)
        )
        batches: Dict[str, List[UnansweredReview]] = {}
        with self._session() as session:
            for row in session.scalars(query):
                batches.setdefault(row.batch, []).append(row)
            return [
                NewAnswerRequest(
                    batch,
                    tuple(r.text for r in rows),
                    tuple(r.text_key for r in rows),
                    rows[0].note,
                    rows[0].reviewer,
                    rows[0].reviewed_at,
                )  # fmt: skip
                for batch, rows in batches.items()
            ]

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, what="unanswered reviews")


def _names_by_sender(session: Session, sender_ids: Set[str]) -> Dict[str, List[str]]:
    ids = sorted(sender_ids)
    names: Dict[str, List[str]] = defaultdict(list)
    for start in range(0, len(ids), SENDERS_PER_QUERY):
        query = select(Handoff.sender_id, Handoff.name).where(
            Handoff.sender_id.in_(ids[start : start + SENDERS_PER_QUERY]), Handoff.name.is_not(None)
        )
        for sender_id, name in session.execute(query):
            names[sender_id].append(name)
    return dict(names)


def _view(row: UnansweredReview) -> ReviewView:
    return ReviewView(
        row.batch, row.text, row.decision, row.intent, row.note, row.reviewer, row.reviewed_at, row.text_key
    )
