"""Whether a person from the clinic has taken a conversation over, read from Rasa's events.

The tracker is the single record of a take-over: the Rasa server appends Rasa's own
`ConversationPaused` event (type_name "pause") when a staff member takes a conversation
over and `ConversationResumed` ("resume") when it is handed back, each with who did it in
the event's metadata (`bot.rasa_server.takeover`). A conversation is taken over while
its latest pause is newer than its latest resume. This reads every session of the
conversation, not only the latest one: Rasa starts a new session after an idle hour,
and a take-over does not end with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker

from bot.db.tracker_events import events
from bot.transcripts.events import event_data, event_time, with_events

PAUSE = "pause"  # type_name of rasa.shared.core.events.ConversationPaused
RESUME = "resume"  # type_name of ConversationResumed
STAFF_KEY = "staff"  # the metadata key naming who took over (display name)
ACTOR_KEY = "actor"  # the metadata key with the staff account that did it
NOTICE_KEY = "notice"  # on the assistant's own notices around a take-over ("joined", "back")
MAX_REPLY_CHARS = 1600  # the longest staff reply: what one SMS may carry (Twilio's limit)


@dataclass(frozen=True)
class Takeover:
    """Who has the conversation, and since when."""

    staff: str
    actor: str
    since: datetime


def active_takeover(connection: Connection, sender_id: str) -> Optional[Takeover]:
    """The take-over in force in `sender_id`'s conversation, or None (never taken over, or handed back)."""
    latest = connection.execute(
        select(events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id == sender_id, events.c.type_name.in_((PAUSE, RESUME)))
        .order_by(events.c.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.type_name != PAUSE:
        return None
    return takeover_of(event_data(latest.data).get("metadata"), latest.timestamp)


def takeover_of(metadata: Optional[Mapping[str, Any]], timestamp: float) -> Takeover:
    """The take-over a pause event records: who, from its metadata, and since when."""
    metadata = metadata or {}
    return Takeover(
        staff=str(metadata.get(STAFF_KEY) or ""), actor=str(metadata.get(ACTOR_KEY) or ""), since=event_time(timestamp)
    )


class TakeoverReader:
    """`active_takeover` on the tracker store, for callers that hold no connection (blocking I/O)."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def active(self, sender_id: str) -> Optional[Takeover]:
        """The take-over in force, or None; None too when Rasa has not created its table yet."""
        return with_events(self.sessions, lambda connection: active_takeover(connection, sender_id), None)
