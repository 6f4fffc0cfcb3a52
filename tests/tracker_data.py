"""Real tracker data for the transcript and retention tests.

Conversations are saved by Rasa's own SQLTrackerStore (in a SQLite file, or in a fresh
PostgreSQL schema through the URL's search_path), never written as rows by hand, so
the tests read exactly what Rasa writes. The transcript tests' fixtures built on these
are in tests/transcripts/conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, Optional, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(minute: float) -> datetime:
    """`minute` minutes after T0."""
    return T0 + timedelta(minutes=minute)


def said(
    text: str, intent: Optional[str], confidence: float = 0.95, minute: float = 0, channel: Optional[str] = "rest"
) -> UserUttered:
    """A patient's message as Rasa records it after NLU."""
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [],
    }
    return UserUttered(text, parse_data=parse_data, input_channel=channel, timestamp=at(minute).timestamp())


def answered(text: Optional[str], minute: float = 0, buttons: Iterable[Tuple[str, str]] = ()) -> BotUttered:
    """The bot's message as Rasa records it; `buttons` are (title, payload)."""
    data = {
        "elements": None,
        "quick_replies": None,
        "buttons": [{"title": title, "payload": payload} for title, payload in buttons] or None,
        "attachment": None,
        "image": None,
        "custom": None,
    }
    return BotUttered(text, data=data, timestamp=at(minute).timestamp())


class RasaTrackers:
    """Rasa's SQLTrackerStore on one database."""

    def __init__(self, store: SQLTrackerStore) -> None:
        self.store = store

    def save(self, sender_id: str, events: Iterable[Event]) -> None:
        """Save the conversation as Rasa does; saving it again with more events appends them."""
        tracker = DialogueStateTracker.from_events(sender_id, list(events))
        asyncio.run(self.store.save(tracker))


@contextlib.contextmanager
def rasa_trackers(url: str) -> Iterator[RasaTrackers]:
    """Rasa's tracker store on `url`, configured as endpoints.yml does for SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        store = SQLTrackerStore(dialect="sqlite", db=parsed.database)
    else:  # a full URL as `host`: Rasa passes it on as is, search_path (our schema) included
        store = SQLTrackerStore(dialect=parsed.get_backend_name(), host=url)
    try:
        yield RasaTrackers(store)
    finally:
        store.engine.dispose()
