"""Reading Rasa's `events` table (declared in `bot.db.tracker_events`): what one row says.

Rows are read in `id` order (Rasa's own order: `timestamp` is a float epoch that may
repeat), with the whole event as JSON in `data` (`Event.as_dict()`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Mapping, Optional, TypeVar

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import sessionmaker

from bot.db.engine import get_engine
from bot.db.session import unit_of_work
from bot.db.tracker_events import events
from bot.settings import get_settings

# Rasa's prefix for a message that names an intent instead of text: a button's payload
# ("/faq_pain", '/inform{"time": "morning"}'), sent as the patient's message.
PAYLOAD_PREFIX = "/"

T = TypeVar("T")


def tracker_engine(url: Optional[str] = None) -> Engine:
    """This process's engine for the tracker store (default: settings.tracker_store_url)."""
    return get_engine(url or get_settings().tracker_store_url)


def with_events(sessions: sessionmaker, work: Callable[[Connection], T], no_table: T) -> T:
    """`work` on one connection, committed; `no_table` if Rasa has not created `events` yet.

    A tracker store Rasa never wrote to is normal (a fresh install, the staff console
    started first), not an outage; an outage raises `DatabaseUnavailable`.
    """
    with unit_of_work(sessions, what="tracker store") as session:
        connection = session.connection()
        if not inspect(connection).has_table(events.name):
            return no_table
        result = work(connection)
        session.commit()
        return result


@dataclass(frozen=True)
class PatientMessage:
    """The parts of a `user` event the console shows or classifies."""

    text: str
    channel: Optional[str]
    intent: Optional[str]
    confidence: Optional[float]

    @property
    def is_payload(self) -> bool:
        """True when the patient clicked a button (or typed an intent): the text is a payload."""
        return self.text.lstrip().startswith(PAYLOAD_PREFIX)


def event_data(raw: Optional[str]) -> Dict[str, Any]:
    """The event a row stores, as a dict ({} for an empty or non-object `data`)."""
    data = json.loads(raw) if raw else {}
    return data if isinstance(data, dict) else {}


def patient_message(data: Mapping[str, Any]) -> PatientMessage:
    """Text, channel and top intent of a `user` event's data."""
    intent = (data.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return PatientMessage(
        text=data.get("text") or "",
        channel=data.get("input_channel") or None,
        intent=intent.get("name") or None,
        confidence=float(confidence) if confidence is not None else None,
    )


def event_time(timestamp: float) -> datetime:
    """Rasa's epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, timezone.utc)


def epoch(at: datetime) -> float:
    """An aware datetime as Rasa's epoch seconds (a naive one would silently mean local time)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")
    return at.timestamp()
