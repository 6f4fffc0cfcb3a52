"""Which taken-over conversations wait for a reply from the clinic, and since when.

A conversation waits when a person from the clinic has taken it over (its latest
pause is newer than its latest resume, as in `bot.transcripts.takeovers`) and the
patient wrote after the latest staff reply (or, with no reply yet, after the take-over).
It has waited since the first of those unanswered messages: that is how long the
patient has been left without an answer. The assistant's own notices and the safety
answer it still gives to a red flag are not replies from a person.

One query reads it for every conversation at once, so the queue can pin waiting
conversations first on every page without a query per row. It reads only the events
since each conversation's take-over, and the JSON of the assistant's messages only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, Optional

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker

from bot.db.tracker_events import BOT, USER, events
from bot.transcripts.events import event_data, event_time, with_events
from bot.transcripts.takeovers import PAUSE, RESUME, since_takeover, staff_author


@dataclass(frozen=True)
class Waiting:
    """A conversation waiting for staff: since its first unanswered patient message, up to its latest."""

    sender_id: str
    since: datetime  # aware UTC
    latest_message_id: int  # the tracker row of the latest patient message (changes when they write again)


def waiting_conversations(connection: Connection) -> Dict[str, Waiting]:
    """Every conversation waiting for a reply now, by sender id (one query)."""
    return _waiting(connection.execute(since_takeover((USER, BOT))))


def _waiting(rows: Iterable[Any]) -> Dict[str, Waiting]:
    """Fold each conversation's events since its take-over (in id order) into who waits since when."""
    first_unanswered: Dict[str, Optional[Any]] = {}
    latest: Dict[str, int] = {}
    for row in rows:
        if row.type_name == USER:
            if first_unanswered.get(row.sender_id) is None:
                first_unanswered[row.sender_id] = row
            latest[row.sender_id] = row.id
        elif staff_author(event_data(row.data)):
            first_unanswered[row.sender_id] = None
    return {
        sender: Waiting(sender, event_time(first.timestamp), latest[sender])
        for sender, first in first_unanswered.items()
        if first is not None
    }


def latest_event_id(connection: Connection, sender_id: str) -> int:
    """The id of the conversation's latest message or take-over change (0 for none): it
    changes whenever there is something new to show on the conversation's page."""
    query = select(func.max(events.c.id)).where(
        events.c.sender_id == sender_id, events.c.type_name.in_((USER, BOT, PAUSE, RESUME))
    )
    return connection.execute(query).scalar() or 0


class WaitingReader:
    """`waiting_conversations` and `latest_event_id` on the tracker store (blocking I/O); an
    empty answer when Rasa has not created its table yet."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def waiting(self) -> Dict[str, Waiting]:
        """Every conversation waiting for a reply now, by sender id."""
        return with_events(self.sessions, waiting_conversations, {})

    def latest_event_id(self, sender_id: str) -> int:
        """See `latest_event_id`."""
        return with_events(self.sessions, lambda connection: latest_event_id(connection, sender_id), 0)
