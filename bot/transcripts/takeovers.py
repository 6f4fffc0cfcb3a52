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
from typing import Any, Dict, List, Mapping, Optional, Sequence

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker
from sqlalchemy.sql import Select

from bot.db.tracker_events import BOT, events
from bot.transcripts.events import event_data, event_time, with_events

PAUSE = "pause"  # type_name of rasa.shared.core.events.ConversationPaused
RESUME = "resume"  # type_name of ConversationResumed
STAFF_KEY = "staff"  # the metadata key naming who took over (display name)
ACTOR_KEY = "actor"  # the metadata key with the staff account that did it
NOTICE_KEY = "notice"  # on the assistant's own notices around a take-over ("joined", "back")
HANDOFF_KEY = "handoff"  # on a pause: the handoff staff took the conversation over from (for links)
SMS_KEY = "sms"  # on a text sent to an SMS patient: its record in sms_outbound (bot.sms.outbox)
MAX_REPLY_CHARS = 1600  # the longest staff reply: what one SMS may carry (Twilio's limit)


@dataclass(frozen=True)
class Takeover:
    """Who has the conversation, and since when."""

    staff: str
    actor: str
    since: datetime
    handoff_id: Optional[int] = None  # the handoff it was taken over from, when staff came from one


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
    handoff = metadata.get(HANDOFF_KEY)
    return Takeover(
        staff=str(metadata.get(STAFF_KEY) or ""),
        actor=str(metadata.get(ACTOR_KEY) or ""),
        since=event_time(timestamp),
        handoff_id=handoff if isinstance(handoff, int) and not isinstance(handoff, bool) else None,
    )


def since_takeover(type_names: Sequence[str]) -> Select:
    """Every event of `type_names` from the latest take-over on, in each conversation taken
    over now (its pause row included when PAUSE is asked for), by conversation and in id order.

    One grouped subquery finds each conversation's latest pause or resume, and only those
    whose latest is a pause are read. `data` is read for `bot` events only (staff messages
    are told apart by their JSON metadata); a patient's parse stays unread.
    """
    switch = (
        select(events.c.sender_id, func.max(events.c.id).label("switch_id"))
        .where(events.c.type_name.in_((PAUSE, RESUME)))
        .group_by(events.c.sender_id)
        .subquery()
    )
    pause = events.alias("latest_switch")
    row = events.alias("since_switch")
    return (
        select(
            row.c.sender_id,
            row.c.id,
            row.c.type_name,
            row.c.timestamp,
            case((row.c.type_name == BOT, row.c.data), else_=None).label("data"),
        )
        .join(switch, row.c.sender_id == switch.c.sender_id)
        .join(pause, and_(pause.c.id == switch.c.switch_id, pause.c.type_name == PAUSE))
        .where(row.c.id >= switch.c.switch_id, row.c.type_name.in_(tuple(type_names)))
        .order_by(row.c.sender_id, row.c.id)
    )


def idle_takeovers(connection: Connection, quiet_since: float) -> List[str]:
    """Conversations taken over in which no staff member has written since `quiet_since`
    (an epoch, as Rasa stores timestamps): neither the take-over nor any staff reply is newer.
    One query (`since_takeover`)."""
    last_staff: Dict[str, float] = {}
    for row in connection.execute(since_takeover((PAUSE, BOT))):
        if row.type_name == PAUSE or staff_author(event_data(row.data)):
            last_staff[str(row.sender_id)] = row.timestamp or 0.0
    return [sender for sender, at in last_staff.items() if at < quiet_since]


def bot_metadata(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The metadata of a `bot` event's data ({} when it has none)."""
    metadata = data.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def is_notice(data: Mapping[str, Any]) -> bool:
    """Whether a `bot` event is the assistant's notice around a take-over."""
    return bool(bot_metadata(data).get(NOTICE_KEY))


def staff_author(data: Mapping[str, Any]) -> Optional[str]:
    """Who wrote a `bot` event, when a person from the clinic did (not the assistant's own
    notices around a take-over, which carry `notice`)."""
    if is_notice(data):
        return None
    author = bot_metadata(data).get(STAFF_KEY)
    return str(author) if author else None


class TakeoverReader:
    """`active_takeover` on the tracker store, for callers that hold no connection (blocking I/O)."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def active(self, sender_id: str) -> Optional[Takeover]:
        """The take-over in force, or None; None too when Rasa has not created its table yet."""
        return with_events(self.sessions, lambda connection: active_takeover(connection, sender_id), None)

    def idle(self, quiet_since: float) -> List[str]:
        """`idle_takeovers`; none when Rasa has not created its table yet."""
        return with_events(self.sessions, lambda connection: idle_takeovers(connection, quiet_since), [])
