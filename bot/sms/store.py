"""The SMS channel's memory in the database: opt-outs, the last numbered menu, handled messages.

It lives in the same database as the handoffs (SQLite by default, PostgreSQL in
production), so every Rasa instance behind a load balancer sees the same opt-outs and
menus, and a webhook Twilio retries on another instance is still recognised.
Each method is one unit of work; database trouble reaches the channel as
`SmsStoreUnavailable` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, ContextManager, List, Optional, Sequence, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import SmsContact, SmsMessage, utcnow
from bot.db.session import DatabaseUnavailable, unit_of_work

T = TypeVar("T")


class SmsStoreUnavailable(DatabaseUnavailable):
    """The SMS tables cannot be reached (or are not migrated); the channel answers with an apology."""


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an inbound MessageSid.

    `new` is True for the first delivery, which the caller must process. For a retry,
    `reply` is what the first delivery answered (None while it is still being processed,
    and never another number's: a SID claimed again for another number gets None).
    """

    new: bool
    reply: Optional[List[str]] = None


@dataclass(frozen=True)
class ContactState:
    """What we know about a phone number before handling its message."""

    opted_out: bool = False
    last_message_at: Optional[datetime] = None
    menu: List[str] = field(default_factory=list)

    def starts_conversation(self, now: datetime, idle: timedelta) -> bool:
        """True for a number's first message, or the first after `idle` of silence."""
        return self.last_message_at is None or now - self.last_message_at >= idle


class SmsStore:
    """The `sms_contacts` and `sms_messages` tables behind a small API."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def now(self) -> datetime:
        """The store's clock (tests pass their own)."""
        return self._clock()

    def claim(self, message_sid: str, phone: str) -> Claim:
        """Record `message_sid` as received; a second claim of the same SID is a retry.

        The primary key decides between two instances receiving the same retry at once:
        one insert wins, the other sees the row. A retry is Twilio's same message again,
        so it comes from the same number; a SID claimed for another number is not
        processed either, and gets no reply meant for someone else.
        """
        with self._session() as session:
            session.add(SmsMessage(message_sid=message_sid, phone=phone, received_at=self._clock()))
            try:
                session.commit()
                return Claim(new=True)
            except IntegrityError:
                session.rollback()
                existing = session.get(SmsMessage, message_sid)
                if existing is None:  # the constraint that failed was not the SID's
                    raise
                return Claim(new=False, reply=existing.reply if existing.phone == phone else None)

    def state(self, phone: str) -> ContactState:
        """The number's opt-out, last message time and last menu (defaults for a new number)."""
        with self._session() as session:
            row = session.get(SmsContact, phone)
            if row is None:
                return ContactState()
            return ContactState(opted_out=row.opted_out, last_message_at=row.last_message_at, menu=list(row.menu or []))

    def set_opted_out(self, phone: str, opted_out: bool) -> bool:
        """Record STOP (True) or START (False); return whether that changed anything."""

        def change(row: SmsContact) -> bool:
            if bool(row.opted_out) == opted_out:
                return False
            row.opted_out = opted_out
            row.opt_changed_at = self._clock()
            return True

        return self._update_contact(phone, change)

    def finish(self, message_sid: str, phone: str, reply: Sequence[str], menu: Optional[Sequence[str]] = None) -> None:
        """Keep the reply for retries, and (for a conversation turn) the new menu and the time.

        `menu=None` leaves the menu and conversation clock alone (a keyword reply such as
        HELP does not change what "1" means or start a conversation).
        """
        with self._session() as session:
            message = session.get(SmsMessage, message_sid)
            if message is not None:
                message.reply = list(reply)
                session.commit()
        if menu is not None:

            def remember(row: SmsContact) -> None:
                row.menu = list(menu) or None
                row.last_message_at = self._clock()

            self._update_contact(phone, remember)

    def _update_contact(self, phone: str, change: Callable[[SmsContact], T]) -> T:
        """Apply `change` to the number's row, creating the row first if needed, and commit.

        Two first messages from one number racing each other may both try to create
        the row; the loser's insert fails and it applies its change to the winner's row.
        """
        try:
            return self._apply(phone, change)
        except IntegrityError:
            return self._apply(phone, change)

    def _apply(self, phone: str, change: Callable[[SmsContact], T]) -> T:
        with self._session() as session:
            row = session.get(SmsContact, phone)
            if row is None:
                row = SmsContact(phone=phone, opted_out=False)
                session.add(row)
            result = change(row)
            session.commit()
            return result

    def _session(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, SmsStoreUnavailable, "SMS database")
