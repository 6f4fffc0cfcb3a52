"""Privacy retention: delete what patients and staff left behind once it is older than the window.

`python -m bot.staff purge` runs `purge` with a cutoff of RETENTION_DAYS ago. It deletes
handoffs (and their notes), Rasa's conversation events, the SMS channel's handled
messages (with the replies kept for Twilio's retries), the phone numbers it has not
heard from since (unless they opted out: an opt-out must be honoured for as long as we
can text), console login attempts made before the cutoff, and console sessions that
have expired. The audit log is never touched: it is the record of who saw what, and
the database refuses deletes from it anyway.

Slots are events too, so they go with their conversation's old events. One kind of
slot event is younger than what it says: when `carry_over_slots_to_new_session` was
on, every new session began by copying the slots of the one before (a name, a phone
number, screening answers) under a fresh timestamp, so a detail given years ago was
restated every session and no cutoff ever reached it. The domain no longer carries
slots over; the purge deletes every such copy left in the store (a `slot` event
between a `session_started` and the next event of another kind), whatever its age.
They are counted with the conversation events.

The app database and Rasa's tracker store may be one database (the SQLite default) or
two; each is purged in its own transactions, and a purge interrupted half-way is
finished by running it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Tuple

from sqlalchemy import delete, or_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import sessionmaker

from bot.db.engine import session_factory
from bot.db.models import Handoff, HandoffNote, SmsContact, SmsMessage, utcnow
from bot.db.session import unit_of_work
from bot.db.tracker_events import SESSION_STARTED, SLOT, events
from bot.staff.login_limit import LoginLimiter
from bot.staff.sessions import Sessions
from bot.transcripts.events import epoch, with_events


@dataclass(frozen=True)
class PurgeReport:
    """How many rows of each kind a purge deleted."""

    cutoff: datetime
    handoffs: int
    tracker_events: int
    sms_messages: int
    sms_contacts: int
    staff_sessions: int
    login_attempts: int


def purge(
    app_engine: Engine, tracker_engine: Engine, cutoff: datetime, clock: Callable[[], datetime] = utcnow
) -> PurgeReport:
    """Delete the rows older than `cutoff` (aware) and the sessions idle past their timeout at `clock()`."""
    tracker_cutoff = epoch(cutoff)  # refuses a naive cutoff before anything is deleted
    app = session_factory(app_engine)
    handoffs, sms_messages, sms_contacts = _purge_handoffs_and_sms(app, cutoff)
    login_attempts = LoginLimiter(app, clock).purge_older_than(cutoff)
    staff_sessions = Sessions(app, clock).purge_expired()
    tracker_events = with_events(session_factory(tracker_engine), lambda c: _purge_events(c, tracker_cutoff), 0)
    return PurgeReport(cutoff, handoffs, tracker_events, sms_messages, sms_contacts, staff_sessions, login_attempts)


def _purge_events(connection: Connection, cutoff: float) -> int:
    """Delete the tracker's events before `cutoff` (epoch seconds), and every slot a session start carried over."""
    old = connection.execute(delete(events).where(events.c.timestamp < cutoff)).rowcount
    slot, earlier = events.alias("slot"), events.alias("earlier")
    event_before = (  # the event of another kind closest before the slot event, in the same conversation
        select(earlier.c.type_name)
        .where(earlier.c.sender_id == slot.c.sender_id, earlier.c.id < slot.c.id, earlier.c.type_name != SLOT)
        .order_by(earlier.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    carried = select(slot.c.id).where(slot.c.type_name == SLOT, event_before == SESSION_STARTED)
    return old + connection.execute(delete(events).where(events.c.id.in_(carried))).rowcount


def _purge_handoffs_and_sms(sessions: sessionmaker, cutoff: datetime) -> Tuple[int, int, int]:
    """(handoffs, SMS messages, SMS contacts) deleted. Notes are deleted explicitly, not left to ON
    DELETE CASCADE: a SQLite connection opened without `PRAGMA foreign_keys=ON` (any
    engine but bot.db.engine's) would otherwise keep them, orphaned."""
    handoffs, notes, sms = Handoff.__table__, HandoffNote.__table__, SmsMessage.__table__
    contacts = SmsContact.__table__
    quiet_since_cutoff = (
        contacts.c.opted_out.is_(False)
        & or_(contacts.c.last_message_at < cutoff, contacts.c.last_message_at.is_(None))
        & or_(contacts.c.opt_changed_at < cutoff, contacts.c.opt_changed_at.is_(None))
    )
    old_handoffs = select(handoffs.c.id).where(handoffs.c.created_at < cutoff)
    with unit_of_work(sessions, what="database") as session:
        session.execute(delete(notes).where(notes.c.handoff_id.in_(old_handoffs)))
        purged_handoffs = session.execute(delete(handoffs).where(handoffs.c.created_at < cutoff)).rowcount
        purged_sms = session.execute(delete(sms).where(sms.c.received_at < cutoff)).rowcount
        purged_contacts = session.execute(delete(contacts).where(quiet_since_cutoff)).rowcount
        session.commit()
    return purged_handoffs, purged_sms, purged_contacts
