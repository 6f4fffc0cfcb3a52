"""The texts we send through Twilio's Messages API, and whether each reached the patient.

A staff reply in a taken-over SMS conversation is recorded here as `pending` before
the API is called, so a reply whose fate is unknown (the process died mid-call) still
shows staff that it may not have arrived; the API's answer and Twilio's later status
callbacks then move it on. Each method is one unit of work; database trouble reaches
callers as `SmsStoreUnavailable`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, ContextManager, Dict, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import SmsOutbound, utcnow
from bot.db.session import unit_of_work
from bot.sms.store import SmsStoreUnavailable

PENDING = "pending"  # recorded, the API not (yet) answered
NOT_SENT = "not_sent"  # the API refused it: `error` says why
# Twilio's statuses, in the order a message goes through them; a late callback never
# moves a message back (Twilio does not promise callbacks arrive in order).
TWILIO_ORDER = ("accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed")
FINAL = frozenset({"delivered", "undelivered", "failed", NOT_SENT})
FAILED = frozenset({"undelivered", "failed", NOT_SENT})
MAX_ERROR_CHARS = 255


@dataclass(frozen=True)
class Delivery:
    """What staff see on a text they sent: its status and, for a failure, why."""

    status: str
    error: Optional[str] = None
    at: Optional[datetime] = None

    @property
    def failed(self) -> bool:
        return self.status in FAILED


class SmsOutbox:
    """The `sms_outbound` table behind a small API."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    @staticmethod
    def new_id() -> str:
        """An id for a text about to be sent: the conversation's event names it before the row exists."""
        return uuid.uuid4().hex

    def record(self, outbound_id: str, conversation_id: str, phone: str) -> None:
        """A text about to be sent, committed as `pending` before the API is called."""
        now = self._clock()
        with self._session() as session:
            session.add(
                SmsOutbound(
                    id=outbound_id,
                    conversation_id=conversation_id,
                    phone=phone,
                    status=PENDING,
                    created_at=now,
                    updated_at=now,
                )
            )
            session.commit()

    def sent(self, outbound_id: str, sid: str, status: str) -> None:
        """The API accepted the text: Twilio's SID (for its callbacks) and first status."""
        with self._session() as session:
            row = session.get(SmsOutbound, outbound_id)
            if row is not None:
                row.sid = sid
                if _later(status, row.status):
                    row.status = status
                row.updated_at = self._clock()
                session.commit()

    def refused(self, outbound_id: str, reason: str) -> None:
        """The API refused the text (or could not be reached): it was not sent."""
        with self._session() as session:
            row = session.get(SmsOutbound, outbound_id)
            if row is not None:
                row.status = NOT_SENT
                row.error = reason[:MAX_ERROR_CHARS]
                row.updated_at = self._clock()
                session.commit()

    def status_callback(self, sid: str, status: str, error: Optional[str]) -> bool:
        """Twilio's later word on a text; False when the SID is not one of ours."""
        with self._session() as session:
            row = session.execute(select(SmsOutbound).where(SmsOutbound.sid == sid)).scalar_one_or_none()
            if row is None:
                return False
            if _later(status, row.status):
                row.status = status
                if status in FAILED and error:
                    row.error = error[:MAX_ERROR_CHARS]
                row.updated_at = self._clock()
                session.commit()
            return True

    def deliveries(self, outbound_ids: Iterable[str]) -> Dict[str, Delivery]:
        """The delivery of each of `outbound_ids` that is recorded (one query)."""
        wanted = sorted(set(outbound_ids))
        if not wanted:
            return {}
        with self._session() as session:
            rows = session.execute(select(SmsOutbound).where(SmsOutbound.id.in_(wanted))).scalars()
            return {row.id: Delivery(row.status, row.error, row.updated_at) for row in rows}

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, SmsStoreUnavailable, "SMS database")


def _later(new: str, current: str) -> bool:
    """Whether `new` moves a text on from `current` (a final status is never undone)."""
    if current in FINAL:
        return False
    if current not in TWILIO_ORDER or new not in TWILIO_ORDER:
        return new != current
    return TWILIO_ORDER.index(new) > TWILIO_ORDER.index(current)
